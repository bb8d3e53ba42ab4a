/**
 * The `F.*` cases of ops.json mapped to this package's `functional` API: the call by PyTorch's
 * name in camelCase, positional arguments as given, keyword arguments as the options object.
 * `runFunctionalCase` checks the output, the gradients of the inputs marked `requires_grad`
 * and, when the case has them, second derivatives (with `createGraph`).
 */
import * as A from "@x/autograd";
import { Tensor } from "@x/autograd";
import { functional as F } from "@x/nn";
import {
  camelKey,
  compareTensor,
  decodeKwargs,
  decodeValue,
  type FixtureTensor,
  type FixtureValue,
  type Tolerance,
} from "./decode.js";

/** One case of ops.json. */
export interface OpsCase {
  id: string;
  call: string;
  inputs: FixtureValue[];
  kwargs?: Record<string, FixtureValue> | null;
  output: FixtureTensor | FixtureTensor[];
  grad_output?: FixtureTensor | FixtureTensor[];
  grads?: (FixtureTensor | null)[] | null;
  grad2?: { v: FixtureTensor[]; grads: (FixtureTensor | null)[] };
}

type Fn = (...args: any[]) => unknown;

// Positional parameters before the options object, for functions with optional positionals.
const ARITY: Record<string, number> = {
  linear: 3,
  conv1d: 3,
  conv2d: 3,
  convTranspose2d: 3,
  layerNorm: 4,
  groupNorm: 4,
  leakyRelu: 2,
  oneHot: 2,
};

/** Calls `F.<name>` of a fixture (`F.cross_entropy` → `F.crossEntropy`) with decoded arguments. */
export function callFunctional(
  call: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): unknown {
  const name = camelKey(call.replace(/^F\./, ""));
  if (name === "batchNorm") {
    // F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    const [input, rm, rv, weight, bias] = args as [
      Tensor,
      Tensor | null,
      Tensor | null,
      Tensor?,
      Tensor?,
    ];
    return F.batchNorm(input, rm, rv, { weight: weight ?? null, bias: bias ?? null, ...kwargs });
  }
  const fn = (F as unknown as Record<string, Fn>)[name];
  if (typeof fn !== "function") throw new Error(`F.${name} is not implemented`);
  const positional = args.slice();
  if (Object.keys(kwargs).length === 0) return fn(...positional);
  while (positional.length < (ARITY[name] ?? positional.length)) positional.push(undefined);
  return fn(...positional, kwargs);
}

function listOf<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
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
 * Runs one `F.*` case: forward, gradients of the inputs that require grad (seeded with
 * `grad_output`), and second derivatives when given. Null when it matches PyTorch, else what
 * differs.
 * @example runFunctionalCase(fixture.cases[0], fixture.tolerance.float32) // null
 */
export function runFunctionalCase(c: OpsCase, tol: Tolerance): string | null {
  const args = c.inputs.map(decodeValue);
  const kwargs = decodeKwargs(c.kwargs);
  const inputs: Tensor[] = [];
  c.inputs.forEach((v, i) => {
    if (v.requires_grad !== true) return;
    const a = args[i];
    if (a instanceof Tensor) inputs.push(a);
    else if (Array.isArray(a)) inputs.push(...(a as Tensor[]));
  });
  const out = callFunctional(c.call, args, kwargs);
  const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
  const expected = listOf(c.output);
  if (outs.length !== expected.length) return `${outs.length} outputs, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const d = compareTensor(outs[i], expected[i]!, tol);
    if (d) return `output ${i}: ${d}`;
  }
  if (!c.grads || inputs.length === 0) return null;
  const diffOuts = outs.filter((o) => o.requiresGrad);
  if (diffOuts.length === 0) return "output does not require grad";
  const second = c.grad2 !== undefined;
  const grads = A.autograd.grad(diffOuts, inputs, {
    gradOutputs: listOf(c.grad_output).map((t) => decodeValue({ tensor: t }) as Tensor),
    createGraph: second,
    allowUnused: true,
  });
  const d = checkGrads(grads, c.grads, tol, "grad");
  if (d || !c.grad2) return d;
  let s: Tensor | null = null;
  for (let i = 0; i < c.grad2.v.length; i++) {
    const g = grads[i];
    if (!g?.requiresGrad) continue;
    const term = g.mul(decodeValue({ tensor: c.grad2.v[i]! }) as Tensor).sum();
    s = s ? s.add(term) : term;
  }
  if (s === null) return "grad2: no gradient to differentiate";
  const g2 = A.autograd.grad(s, inputs, { allowUnused: true });
  return checkGrads(g2, c.grad2.grads, { rtol: tol.rtol * 10, atol: tol.atol * 10 }, "grad2");
}
