/**
 * The `F.*` cases of ops.json mapped to this package's `functional` API: the call by PyTorch's
 * name in camelCase, positional arguments as given, keyword arguments as the options object.
 * `runFunctionalCase` checks the output, the gradients of the inputs marked `requires_grad`
 * and, when the case has them, second derivatives (with `createGraph`).
 */
import type { Tensor } from "@x/autograd";
import { functional as F } from "@x/nn";
import { camelKey } from "../decode.js";
import { type OpsCase, runTensorCase, type Tolerance } from "../tensorCase.js";

export type { OpsCase };

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

/**
 * Runs one `F.*` case: forward, gradients of the inputs that require grad (seeded with
 * `grad_output`), and second derivatives when given. Null when it matches PyTorch, else what
 * differs.
 * @example runFunctionalCase(fixture.cases[0], fixture.tolerance.float32) // null
 */
export function runFunctionalCase(c: OpsCase, tol: Tolerance): string | null {
  return runTensorCase(c, tol, (args, kwargs) => callFunctional(c.call, args, kwargs));
}
