/**
 * Running `ops.json` cases at the autograd level: decoding a case's inputs into tensors and
 * numbers, calling the project's API the way the fixture's `call` names it (`torch.log_softmax`
 * → `logSoftmax(x, dim)`, kwargs → the options object), then checking the forward output, the
 * gradients seeded with `grad_output`, and second derivatives with `createGraph`.
 *
 * `callOp` is the reusable mapping from a fixture call to this API. The module imports only the
 * package's public entry, `@x/autograd`.
 */
import * as api from "@x/autograd";

type Tensor = api.Tensor;
const { Tensor } = api;

/** A tensor as the fixtures write it. */
export interface FixtureTensor {
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  shape: number[];
  data: (number | string | boolean)[];
}

/** One encoded argument of a case. */
export type FixtureValue =
  | { tensor: FixtureTensor; requires_grad?: boolean }
  | { tensor_list: FixtureTensor[]; requires_grad?: boolean }
  | { scalar: number }
  | { int: number }
  | { bool: boolean }
  | { list: unknown[] }
  | { str: string }
  | { none: true };

export interface OpsCase {
  id: string;
  call: string;
  inputs: FixtureValue[];
  kwargs?: Record<string, FixtureValue>;
  output: FixtureTensor | FixtureTensor[];
  grad_output?: FixtureTensor | FixtureTensor[];
  grads?: (FixtureTensor | null)[] | null;
  grad2?: { v: FixtureTensor[]; grads: (FixtureTensor | null)[] };
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Decodes `"nan"`, `"inf"`, `"-inf"` and booleans to numbers. */
export function fixtureValues(t: FixtureTensor): number[] {
  return t.data.map((v) =>
    v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v),
  );
}

/** A fixture tensor as a `Tensor` of its dtype. */
export function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  const flat = api.tensor(fixtureValues(t), { dtype: t.dtype });
  const shaped = api.noGrad(() => flat.reshape(t.shape).contiguous());
  if (requiresGrad) shaped.requiresGrad_(true);
  return shaped;
}

/** A decoded argument: tensors (with `requires_grad`), numbers, lists, strings, null. */
export function decode(v: FixtureValue): unknown {
  if ("tensor" in v) return toTensor(v.tensor, v.requires_grad ?? false);
  if ("tensor_list" in v) return v.tensor_list.map((t) => toTensor(t, v.requires_grad ?? false));
  if ("scalar" in v) return v.scalar;
  if ("int" in v) return v.int;
  if ("bool" in v) return v.bool;
  if ("list" in v) return v.list;
  if ("str" in v) return v.str;
  return null;
}

/** `log_softmax` → `logSoftmax`, `label_smoothing` → `labelSmoothing`, `T_max` → `tMax`. */
export function camel(name: string): string {
  const c = name.replace(/_([a-zA-Z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return c[0]!.toLowerCase() + c.slice(1);
}

/** Fixture names whose API name is not the camelCase of PyTorch's. */
const RENAMED: Record<string, string> = { var: "variance" };

/**
 * Calls the project's API for a fixture `call` (`torch.NAME` → the function, `Tensor.NAME` →
 * the method of the first argument) with positional `args` and keyword `kwargs` (given as the
 * options object, camelCased). Returns what the API returns.
 */
export function callOp(call: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const [ns, raw] = call.split(".") as [string, string];
  const name = RENAMED[raw] ?? camel(raw);
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) opts[camel(k)] = v;
  const withOpts = Object.keys(opts).length > 0 ? [...args, opts] : args;
  if (ns === "Tensor") {
    const self = args[0] as Record<string, unknown>;
    const m = self[name];
    if (typeof m !== "function") throw new Error(`no method Tensor.${name}`);
    return (m as (...a: unknown[]) => unknown).apply(self, withOpts.slice(1));
  }
  if (ns === "torch") {
    const f = (api as Record<string, unknown>)[name];
    if (typeof f !== "function") throw new Error(`no function ${name}`);
    return (f as (...a: unknown[]) => unknown)(...withOpts);
  }
  throw new Error(`calls of ${ns}.* are not run at the autograd level`);
}

/** Compares values and shape: `|a - e| <= atol + rtol·|e|`; null when they match. */
export function compare(actual: Tensor, expected: FixtureTensor, tol: Tolerance): string | null {
  const es = expected.shape;
  if (actual.shape.length !== es.length || actual.shape.some((s, i) => s !== es[i])) {
    return `shape [${actual.shape.join(", ")}] != expected [${es.join(", ")}]`;
  }
  const a = actual.data.toArray();
  const e = fixtureValues(expected);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    const ok = Number.isNaN(y)
      ? Number.isNaN(x)
      : !Number.isFinite(y)
        ? x === y
        : Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y);
    if (!ok) return `element ${i}: got ${x}, expected ${y}`;
  }
  return null;
}

function listOf<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function checkGrads(
  got: (Tensor | null)[],
  want: (FixtureTensor | null)[],
  tol: Tolerance,
  what: string,
): string | null {
  if (got.length !== want.length)
    return `${what}: ${got.length} gradients, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (w === null || w === undefined) {
      if (g?.data.toArray().some((v) => v !== 0)) return `${what} ${i}: expected none`;
      continue;
    }
    if (!g) return `${what} ${i}: got none`;
    const d = compare(g, w, tol);
    if (d) return `${what} ${i}: ${d}`;
  }
  return null;
}

/**
 * Runs one case: forward, then (when the case has them) gradients and second derivatives.
 * Returns null when everything matches, else what differs.
 */
export function runOpsCase(c: OpsCase, tol: Tolerance): string | null {
  const args = c.inputs.map(decode);
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kwargs ?? {})) kwargs[k] = decode(v);
  const inputs: Tensor[] = [];
  c.inputs.forEach((v, i) => {
    if (!("requires_grad" in v) || !v.requires_grad) return;
    const a = args[i];
    if (a instanceof Tensor) inputs.push(a);
    else if (Array.isArray(a)) inputs.push(...(a as Tensor[]));
  });
  const out = callOp(c.call, args, kwargs);
  const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
  const expected = listOf(c.output);
  if (outs.length !== expected.length) return `${outs.length} outputs, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!(outs[i] instanceof Tensor)) return `output ${i} is not a tensor`;
    const d = compare(outs[i]!, expected[i]!, tol);
    if (d) return `output ${i}: ${d}`;
  }
  if (!c.grads || inputs.length === 0) return null;
  const diffOuts = outs.filter((o) => o.requiresGrad);
  const gradOut = listOf(c.grad_output).map((t) => toTensor(t));
  const second = c.grad2 !== undefined;
  const grads = api.autograd.grad(diffOuts, inputs, {
    gradOutputs: gradOut,
    createGraph: second,
    allowUnused: true,
  });
  const d = checkGrads(grads, c.grads, tol, "grad");
  if (d || !c.grad2) return d;
  let s: Tensor | null = null;
  for (let i = 0; i < c.grad2.v.length; i++) {
    const g = grads[i];
    if (!g) continue;
    const term = g.mul(toTensor(c.grad2.v[i]!)).sum();
    s = s ? s.add(term) : term;
  }
  if (s === null) return "grad2: no gradient to differentiate";
  const g2 = api.autograd.grad(s, inputs, { allowUnused: true });
  return checkGrads(g2, c.grad2.grads, { rtol: tol.rtol * 10, atol: tol.atol * 10 }, "grad2");
}
