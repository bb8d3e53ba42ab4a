/**
 * Small building blocks shared by derivative formulas (all made of autograd ops, so formulas
 * stay differentiable).
 */
import { where } from "../ops/binary.js";
import { zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor.js";

export { where, zerosLike };

/** `g` where `cond` holds, else 0 (no NaN from `g·0`). */
export function maskGrad(g: Tensor, cond: Tensor): Tensor {
  return where(cond, g, 0);
}

/** Re-inserts the reduced `dims` (size 1) of a reduction without `keepdim`. */
export function unsqueezeDims(
  g: Tensor,
  dims: readonly number[],
  ndim: number,
  keepdim: boolean,
): Tensor {
  if (keepdim || ndim === 0) return g;
  const sorted = dims.map((d) => (d < 0 ? d + ndim : d)).sort((a, b) => a - b);
  let out = g;
  for (const d of sorted) out = out.unsqueeze(d);
  return out;
}

/** All dims of a rank-`ndim` tensor when `dims` is empty. */
export function dimsOrAll(dims: readonly number[] | null | undefined, ndim: number): number[] {
  if (!dims || dims.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  return dims.map((d) => (d < 0 ? d + ndim : d));
}
