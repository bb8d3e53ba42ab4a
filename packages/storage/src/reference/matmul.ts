/**
 * Reference matmul: batched, strided, i-k-j loop order so the inner loop walks `b` and `out`
 * rows, accumulating in float64 before the store.
 */
import type { MatmulKernels } from "../kernels/matmul.js";

export const referenceMatmul: MatmulKernels = {
  matmul(a, b, out) {
    const [B, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    const ad = a.typed();
    const bd = b.typed();
    const od = out.typed();
    const [sab, sam, sak] = a.strides as [number, number, number];
    const [sbb, sbk, sbn] = b.strides as [number, number, number];
    const [sob, som, son] = out.strides as [number, number, number];
    const acc = new Float64Array(N);
    for (let bi = 0; bi < B; bi++) {
      for (let i = 0; i < M; i++) {
        acc.fill(0);
        const aRow = a.offset + bi * sab + i * sam;
        for (let k = 0; k < K; k++) {
          // No skip of zero entries: 0 * NaN and 0 * inf are NaN, as in PyTorch's BLAS.
          const av = ad[aRow + k * sak]!;
          let bo = b.offset + bi * sbb + k * sbk;
          for (let j = 0; j < N; j++, bo += sbn) acc[j]! += av * bd[bo]!;
        }
        let oo = out.offset + bi * sob + i * som;
        for (let j = 0; j < N; j++, oo += son) od[oo] = acc[j]!;
      }
    }
  },
};
