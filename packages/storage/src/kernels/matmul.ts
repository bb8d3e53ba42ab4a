/**
 * Matrix multiplication: `out[b] = a[b] @ b[b]` for 3-d strided `a` [B, M, K], `b` [B, K, N],
 * `out` [B, M, N] (contiguous). Batch strides of 0 broadcast. Transposed views are allowed.
 */
import type { NDArray } from "../ndArray.js";

export interface MatmulKernels {
  matmul(a: NDArray, b: NDArray, out: NDArray): void;
}
