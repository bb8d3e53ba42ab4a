/**
 * Reductions and scans. For `reduce`, `out` has `x`'s rank with size 1 on every reduced dim
 * (keepdim layout): the kernel reduces over each dim `d` with `out.shape[d] === 1 !==
 * x.shape[d]`. `x` has `out`'s dtype (the op layer casts first), except for `all`/`any`, which
 * read any dtype as truthiness into a `bool` (or `uint8`) `out`. An empty reduction gives the
 * identity (sum 0, prod 1, all true, any false; mean, var NaN; logsumexp -inf). `mean`, `var`,
 * `std` compute in `out`'s floating dtype. Scans, softmax (and its backward) and `argReduce` get
 * a `dim` in `[0, x.ndim)`, `x.ndim >= 1`.
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
  /**
   * Max/min along `dim` (size > 0) with its first index (`values` may be null): `max(dim)`,
   * `argmax`. NaN counts as the extreme (the first NaN wins). `values` (x's dtype) and `indices`
   * (int64) have the keepdim layout: `x`'s shape with size 1 on `dim`.
   */
  argReduce(
    x: NDArray,
    dim: number,
    largest: boolean,
    values: NDArray | null,
    indices: NDArray,
  ): void;
  /** Inclusive scan along `dim` into `out` (same shape and dtype), accumulated in float64. */
  cumsum(x: NDArray, dim: number, out: NDArray): void;
  cumprod(x: NDArray, dim: number, out: NDArray): void;
  /** Numerically stable softmax / log-softmax along `dim` (same shape and dtype). */
  softmax(x: NDArray, dim: number, out: NDArray): void;
  logSoftmax(x: NDArray, dim: number, out: NDArray): void;
  /**
   * Softmax's backward along `dim` from its `output` (PyTorch's `_softmax_backward_data`):
   * `out = output·(gradOutput - Σ gradOutput·output)`. All three have one shape and dtype.
   */
  softmaxBackward(gradOutput: NDArray, output: NDArray, dim: number, out: NDArray): void;
  /**
   * Log-softmax's backward (`_log_softmax_backward_data`): `gradOutput - exp(output)·Σ gradOutput`.
   */
  logSoftmaxBackward(gradOutput: NDArray, output: NDArray, dim: number, out: NDArray): void;
  /** `logsumexp` along the reduced dims (keepdim layout as `reduce`). */
  logsumexp(x: NDArray, out: NDArray): void;
}
