/**
 * Sorting along a dim (`x.ndim >= 1`, `dim` in range): values (x's dtype) and `int64` indices.
 * NaN sorts as the largest value, as PyTorch; equal values keep their order (the lower index
 * first, in both directions).
 */
import type { NDArray } from "../ndArray.js";

export interface SortKernels {
  /** Stable sort of `x` along `dim` into `values`, `indices` (same shape as `x`). */
  sort(x: NDArray, dim: number, descending: boolean, values: NDArray, indices: NDArray): void;
  /** The `k` largest (or smallest) along `dim`, sorted; outputs have size `k` on `dim`. */
  topk(
    x: NDArray,
    k: number,
    dim: number,
    largest: boolean,
    values: NDArray,
    indices: NDArray,
  ): void;
}
