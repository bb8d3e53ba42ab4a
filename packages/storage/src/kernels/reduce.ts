/**
 * Reductions and scans. For `reduce`, `out` has `x`'s rank with size 1 on every reduced dim
 * (keepdim layout): the kernel reduces over each dim `d` with `out.shape[d] === 1 !==
 * x.shape[d]`. `mean`, `var`, `std` compute in `out`'s floating dtype.
 */
import type { NDArray } from "../ndArray.js";

export const REDUCE_OPS = ["sum", "prod", "mean", "amax", "amin", "all", "any", "nansum"] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export interface ReduceKernels {
  readonly reduce: { readonly [K in ReduceOp]: (x: NDArray, out: NDArray) => void };
  /** Variance with Bessel-style `correction` (std when `takeSqrt`), keepdim layout as above. */
  variance(x: NDArray, correction: number, takeSqrt: boolean, out: NDArray): void;
  /** `p`-norm over the reduced dims (`p` may be Infinity, -Infinity, 0). */
  norm(x: NDArray, p: number, out: NDArray): void;
  /** Max/min along `dim` with its first index (`values` may be null): `max(dim)`, `argmax`. */
  argReduce(
    x: NDArray,
    dim: number,
    largest: boolean,
    values: NDArray | null,
    indices: NDArray,
  ): void;
  /** Inclusive scan along `dim` into `out` (same shape). */
  cumsum(x: NDArray, dim: number, out: NDArray): void;
  cumprod(x: NDArray, dim: number, out: NDArray): void;
  /** Numerically stable softmax / log-softmax along `dim` (same shape and dtype). */
  softmax(x: NDArray, dim: number, out: NDArray): void;
  logSoftmax(x: NDArray, dim: number, out: NDArray): void;
  /** `logsumexp` along the reduced dims (keepdim layout as `reduce`). */
  logsumexp(x: NDArray, out: NDArray): void;
}
