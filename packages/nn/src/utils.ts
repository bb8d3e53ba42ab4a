/**
 * `nn.utils`: gradient clipping (`clipGradNorm_`, `clipGradValue_`, computed as PyTorch computes
 * them, in the gradients' dtype) and flattening parameters to one vector and back
 * (`parametersToVector`, `vectorToParameters`).
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { RuntimeError } from "@x/storage";

type Params = Tensor | Iterable<Tensor>;

function list(parameters: Params): Tensor[] {
  return parameters instanceof A.Tensor ? [parameters] : [...parameters];
}

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (`Infinity` for the max norm; default 2). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients in place so that their total p-norm (the norm of the per-gradient norms)
 * is at most `maxNorm`: by `min(1, maxNorm / (total + 1e-6))`. Returns the total norm before
 * clipping.
 * @example nn.utils.clipGradNorm_(model.parameters(), 1.0)
 */
export function clipGradNorm_(
  parameters: Params,
  maxNorm: number,
  opts: ClipGradNormOptions | number = {},
): Tensor {
  const o = typeof opts === "number" ? { normType: opts } : opts;
  const p = o.normType ?? 2;
  const grads = list(parameters)
    .map((t) => t.grad)
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return A.tensor(0);
  return A.noGrad(() => {
    let total: Tensor;
    if (p === Number.POSITIVE_INFINITY) {
      const norms = grads.map((g) => g.detach().abs().max());
      total = norms.length === 1 ? norms[0]! : A.stack(norms).max();
    } else {
      total = A.stack(grads.map((g) => g.detach().norm(p))).norm(p);
    }
    if (o.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new RuntimeError(
        `The total norm of order ${p === Number.POSITIVE_INFINITY ? "inf" : p.toFixed(1)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
      );
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clampMax(1);
    for (const g of grads) g.detach().mul_(coef);
    return total;
  });
}

/**
 * Clamps every gradient in place to `[-clipValue, clipValue]`.
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5)
 */
export function clipGradValue_(parameters: Params, clipValue: number): void {
  A.noGrad(() => {
    for (const t of list(parameters)) t.grad?.detach().clamp_(-clipValue, clipValue);
  });
}

/**
 * All parameters flattened and concatenated into one vector (differentiable).
 * @example nn.utils.parametersToVector(model.parameters()).shape // [numParams]
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return A.cat([...parameters].map((p) => p.reshape([-1])));
}

/**
 * Points each parameter's data at its slice of `vec` (as PyTorch's `param.data = …`).
 * @example nn.utils.vectorToParameters(vec, model.parameters())
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof A.Tensor))
    throw new TypeError(`expected torch.Tensor, but got: ${typeof vec}`);
  let at = 0;
  for (const p of parameters) {
    const n = p.numel();
    if (at + n > vec.numel()) {
      throw new RuntimeError(`vector of size ${vec.numel()} is too short for the parameters`);
    }
    const slice = vec.data.narrow(0, at, n);
    const view = slice.view(p.shape.slice());
    p.data = view;
    view.dispose();
    slice.dispose();
    at += n;
  }
}
