/**
 * Copy kernels: strided copy with dtype conversion (`src` broadcast to `dst`'s shape), fill,
 * and the copies that rearrange elements (`flip`, triangles).
 */
import type { NDArray } from "../ndArray.js";

export interface CopyKernels {
  /** `dst[i] = cast(src[i])`; `src` is broadcast to `dst.shape`, dtypes may differ. */
  copy(src: NDArray, dst: NDArray): void;
  /** Every element of `dst` set to `value` (already representable in `dst.dtype`). */
  fill(dst: NDArray, value: number): void;
  /** `out` = `x` reversed along each dim of `dims`. */
  flip(x: NDArray, dims: readonly number[], out: NDArray): void;
  /** `triu` (upper) / `tril` of the last two dims relative to `diagonal`; other entries 0. */
  triangle(x: NDArray, diagonal: number, upper: boolean, out: NDArray): void;
}
