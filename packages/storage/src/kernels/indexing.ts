/**
 * Index kernels: select, gather and scatter by `int64` index arrays. Indices are already
 * validated (in range, non-negative) by the op layer.
 */
import type { NDArray } from "../ndArray.js";

export interface IndexKernels {
  /** `out` = `x` with `dim` indexed by the 1-d `index`. */
  indexSelect(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  /** `out.select(dim, index[i]) += alpha * src.select(dim, i)` (accumulates; in place). */
  indexAdd(out: NDArray, dim: number, index: NDArray, src: NDArray, alpha: number): void;
  /** `out[i][j][k] = x[i][index[i][j][k]][k]` for dim 1 (and so on); `out` has `index`'s shape. */
  gather(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  /** In place: `out[…index…] = src` (`reduce` none) or `+= src` (`add`), over `index`'s shape. */
  scatter(out: NDArray, dim: number, index: NDArray, src: NDArray, reduce: "none" | "add"): void;
}
