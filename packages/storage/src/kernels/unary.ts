/**
 * Unary kernels: `out[i] = f(x[i])` elementwise over strided arrays of the same shape. `x` and
 * `out` have the same dtype except for the predicates (`isnan`, `isinf`, `isfinite`,
 * `logicalNot`, `signbit`), whose `out` is `bool`.
 */
import type { NDArray } from "../ndArray.js";

export const UNARY_OPS = [
  "neg", "abs", "sign", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
  "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
  "asinh", "acosh", "atanh", "sigmoid", "logSigmoid", "relu", "relu6", "erf", "erfc", "erfinv",
  "ceil", "floor", "round", "trunc", "frac", "gelu", "geluTanh", "silu", "mish", "selu",
  "softsign", "hardsigmoid", "hardswish", "tanhshrink", "isnan", "isinf", "isfinite",
  "logicalNot", "signbit", "bitwiseNot",
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Unary ops with up to two scalar parameters `a`, `b`:
 * `clamp(min=a, max=b)` (NaN bound = none), `leakyRelu(slope=a)`, `elu(alpha=a, scale=b)`
 * (`celu` is elu of x/alpha scaled — composite), `softplus(beta=a, threshold=b)`,
 * `powScalar(exponent=a)`, `rpowScalar(base=a)` (a ** x), `hardshrink/softshrink(lambda=a)`,
 * `threshold(threshold=a, value=b)`, `roundDecimals(decimals=a)`.
 */
export const UNARY_PARAM_OPS = [
  "clamp", "leakyRelu", "elu", "softplus", "powScalar", "rpowScalar", "hardshrink",
  "softshrink", "threshold", "roundDecimals",
] as const;
export type UnaryParamOp = (typeof UNARY_PARAM_OPS)[number];

export type UnaryKernel = (x: NDArray, out: NDArray) => void;
export type UnaryParamKernel = (x: NDArray, out: NDArray, a: number, b: number) => void;

export interface UnaryKernels {
  readonly unary: { readonly [K in UnaryOp]: UnaryKernel };
  readonly unaryParam: { readonly [K in UnaryParamOp]: UnaryParamKernel };
}
