/**
 * Index kernels: select, gather and scatter by integer index arrays (`int64`; `indexSelect`
 * and `indexAdd` also take `int32`). Indices are already validated (in range, non-negative) by
 * the op layer, arrays have at least one dim and `dim` is in range. For `gather`/`scatter`,
 * `index` has the rank of `x`/`out` and is no larger than them (nor than `src`) in any dim but
 * `dim`; `src` may have stride 0 (a broadcast scalar).
 */
import type { NDArray } from "../ndArray.js";

export interface IndexKernels {
  /** `out` = `x` with `dim` indexed by the 1-d `index`. */
  indexSelect(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  /**
   * `out.select(dim, index[i]) += alpha * src.select(dim, i)` (accumulates; in place). `src` has
   * `out`'s shape except along `dim`, where its size is `index.numel()`.
   */
  indexAdd(out: NDArray, dim: number, index: NDArray, src: NDArray, alpha: number): void;
  /** `out[i][j][k] = x[i][index[i][j][k]][k]` for dim 1 (and so on); `out` has `index`'s shape. */
  gather(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  /** In place: `out[…index…] = src` (`reduce` none) or `+= src` (`add`), over `index`'s shape. */
  scatter(out: NDArray, dim: number, index: NDArray, src: NDArray, reduce: "none" | "add"): void;
}
