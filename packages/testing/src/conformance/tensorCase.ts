/**
 * Tensor-level cases (ops.json at the autograd and nn layers): decoding arguments into
 * `Tensor`s and camelCase options, comparing tensors with the fixture, and running one case —
 * forward, gradients seeded with `grad_output`, second derivatives with `createGraph`.
 */
import { autograd, Tensor, tensor } from "@x/autograd";
import type { DType } from "@x/storage";
import { camelKey } from "./decode.js";
import {
  compareTensor as compareValues,
  type FixtureTensor,
  fixtureValues,
  type Tolerance,
} from "./fixtures.js";

export type { FixtureTensor, Tolerance };

/** One encoded argument (`{"tensor": …}`, `{"scalar": 0.1}`, `{"list": […]}`, …). */
export type FixtureValue = Record<string, unknown>;

/** A fixture tensor as a `Tensor` of its dtype (`requiresGrad` for inputs marked so). */
export function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  const flat = tensor(fixtureValues(t), { dtype: t.dtype as DType });
  const shaped = flat.reshape(t.shape).detach();
  if (requiresGrad) shaped.requiresGrad_(true);
  return shaped;
}

/** Decodes one argument: tensors become `Tensor`s, `none` becomes null. */
export function decodeValue(v: FixtureValue): unknown {
  if ("tensor" in v) return toTensor(v.tensor as FixtureTensor, v.requires_grad === true);
  if ("tensor_list" in v) {
    return (v.tensor_list as FixtureTensor[]).map((t) => toTensor(t, v.requires_grad === true));
  }
  if ("scalar" in v) return v.scalar;
  if ("int" in v) return v.int;
  if ("bool" in v) return v.bool;
  if ("str" in v) return v.str;
  if ("list" in v) return v.list;
  if ("none" in v) return null;
  throw new Error(`unknown fixture value: ${JSON.stringify(v).slice(0, 80)}`);
}

/** Keyword arguments as a camelCase options object. */
export function decodeKwargs(
  kwargs: Record<string, FixtureValue> | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) out[camelKey(k)] = decodeValue(v);
  return out;
}

/** Compares a tensor with a fixture tensor (shape, then values within `tol`). */
export function compareTensor(
  actual: Tensor | null | undefined,
  expected: FixtureTensor,
  tol: Tolerance,
): string | null {
  if (!actual) return "missing (null)";
  return compareValues({ shape: actual.shape, values: actual.data.toArray() }, expected, tol);
}

/** Runs `fn`; a thrown error becomes its message (a failing case), else `fn`'s result. */
export function attempt(fn: () => string | null): string | null {
  try {
    return fn();
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

/** One case of ops.json. */
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
    const d = compareTensor(g, w, tol);
    if (d) return `${what} ${i}: ${d}`;
  }
  return null;
}

/**
 * Runs one case through `call(args, options)`: the outputs, then the gradients of the inputs
 * marked `requires_grad` (seeded with `grad_output`), then second derivatives when the case has
 * them (tolerance ×10). Null when everything matches PyTorch, else what differs.
 */
export function runTensorCase(
  c: OpsCase,
  tol: Tolerance,
  call: (args: unknown[], options: Record<string, unknown>) => unknown,
): string | null {
  const args = c.inputs.map(decodeValue);
  const inputs: Tensor[] = [];
  c.inputs.forEach((v, i) => {
    if (v.requires_grad !== true) return;
    const a = args[i];
    if (a instanceof Tensor) inputs.push(a);
    else if (Array.isArray(a)) inputs.push(...(a as Tensor[]));
  });
  const out = call(args, decodeKwargs(c.kwargs));
  const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
  const expected = listOf(c.output);
  if (outs.length !== expected.length) return `${outs.length} outputs, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!(outs[i] instanceof Tensor)) return `output ${i} is not a tensor`;
    const d = compareTensor(outs[i], expected[i]!, tol);
    if (d) return `output ${i}: ${d}`;
  }
  if (!c.grads || inputs.length === 0) return null;
  const diffOuts = outs.filter((o) => o.requiresGrad);
  if (diffOuts.length === 0) return "output does not require grad";
  const grads = autograd.grad(diffOuts, inputs, {
    gradOutputs: listOf(c.grad_output).map((t) => toTensor(t)),
    createGraph: c.grad2 !== undefined,
    allowUnused: true,
  });
  const d = checkGrads(grads, c.grads, tol, "grad");
  if (d || !c.grad2) return d;
  let s: Tensor | null = null;
  for (let i = 0; i < c.grad2.v.length; i++) {
    const g = grads[i];
    if (!g?.requiresGrad) continue;
    const term = g.mul(toTensor(c.grad2.v[i]!)).sum();
    s = s ? s.add(term) : term;
  }
  if (s === null) return "grad2: no gradient to differentiate";
  const g2 = autograd.grad(s, inputs, { allowUnused: true });
  return checkGrads(g2, c.grad2.grads, { rtol: tol.rtol * 10, atol: tol.atol * 10 }, "grad2");
}
