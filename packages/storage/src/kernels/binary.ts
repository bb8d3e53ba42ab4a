/**
 * Binary kernels: `out[i] = f(a[i], b[i])` where `a`, `b` are already broadcast to `out`'s shape
 * (stride 0 on expanded dims) and share one compute dtype; `out` has that dtype (or `bool` for
 * the comparisons of `compare.ts`). `out` may alias `a` (in-place ops).
 */
import type { NDArray } from "../ndArray.js";

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "divTrunc", "divFloor", "pow", "atan2", "maximum", "minimum",
  "fmax", "fmin", "remainder", "fmod", "copysign", "hypot", "logaddexp", "xlogy",
  "logicalAnd", "logicalOr", "logicalXor", "bitwiseAnd", "bitwiseOr", "bitwiseXor",
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type BinaryKernel = (a: NDArray, b: NDArray, out: NDArray) => void;

export interface BinaryKernels {
  readonly binary: { readonly [K in BinaryOp]: BinaryKernel };
}
