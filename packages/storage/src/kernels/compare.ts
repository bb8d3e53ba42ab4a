/**
 * Comparison and selection kernels. Comparisons take broadcast `a`, `b` of one dtype and write
 * `bool` into `out`. `where` selects `a` where `cond` (bool) is set, else `b`; all three are
 * broadcast to `out`, `a`/`b` have `out`'s dtype. `thresholdBackward` is relu's fused backward
 * mask: `out = self <= threshold ? 0 : grad` (NaN in `self` passes `grad`), `grad`/`self`
 * broadcast to `out`, all one float dtype.
 */
import type { NDArray } from "../ndArray.js";

export const COMPARE_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export type CompareKernel = (a: NDArray, b: NDArray, out: NDArray) => void;

export interface CompareKernels {
  readonly compare: { readonly [K in CompareOp]: CompareKernel };
  where(cond: NDArray, a: NDArray, b: NDArray, out: NDArray): void;
  thresholdBackward(grad: NDArray, self: NDArray, threshold: number, out: NDArray): void;
}
