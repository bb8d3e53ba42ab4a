/**
 * Unary pointwise ops on tensors (math functions and activations), each recorded with its rule
 * from the derivative table. In-place forms live in `inplace.ts`.
 */
import { binary, type UnaryOp, type UnaryParamOp, unary, unaryParam } from "@x/storage";
import type { ActivationOps } from "../derivatives/activation.js";
import type { PointwiseOps as MathOps } from "../derivatives/pointwise.js";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";
import { type Bound, clampBounds } from "./operands.js";

type U = { self: Tensor };
type PointwiseOps = MathOps & ActivationOps;
/** The pointwise ops whose only argument is `self`. */
type SimpleUnary = {
  [K in keyof PointwiseOps]: U extends PointwiseOps[K]
    ? PointwiseOps[K] extends U
      ? K
      : never
    : never;
}[keyof PointwiseOps];

/** Applies a storage unary kernel and records `op`. */
function unaryOp(op: UnaryOp & SimpleUnary, x: Tensor): Tensor {
  return record1(op, { self: x } as PointwiseOps[typeof op], unary(op, x.data));
}

function param(op: UnaryParamOp, x: Tensor, a: number, b: number) {
  return unaryParam(op, x.data, a, b);
}

/** `-x` @example neg(tensor([1, -2])) // tensor([-1., 2.]) */
export const neg = (x: Tensor): Tensor => unaryOp("neg", x);
/** `|x|` @example abs(tensor([-1])) // tensor([1.]) */
export const abs = (x: Tensor): Tensor => unaryOp("abs", x);
/** Sign (-1, 0, 1). @example sign(tensor([-3])) // tensor([-1.]) */
export const sign = (x: Tensor): Tensor => unaryOp("sign", x);
/** `eˣ` @example exp(tensor([0])) // tensor([1.]) */
export const exp = (x: Tensor): Tensor => unaryOp("exp", x);
/** `2ˣ` @example exp2(tensor([3])) // tensor([8.]) */
export const exp2 = (x: Tensor): Tensor => unaryOp("exp2", x);
/** `eˣ - 1` @example expm1(tensor([0])) // tensor([0.]) */
export const expm1 = (x: Tensor): Tensor => unaryOp("expm1", x);
/** Natural log. @example log(tensor([1])) // tensor([0.]) */
export const log = (x: Tensor): Tensor => unaryOp("log", x);
/** @example log2(tensor([8])) // tensor([3.]) */
export const log2 = (x: Tensor): Tensor => unaryOp("log2", x);
/** @example log10(tensor([100])) // tensor([2.]) */
export const log10 = (x: Tensor): Tensor => unaryOp("log10", x);
/** `ln(1 + x)` @example log1p(tensor([0])) // tensor([0.]) */
export const log1p = (x: Tensor): Tensor => unaryOp("log1p", x);
/** @example sqrt(tensor([4])) // tensor([2.]) */
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", x);
/** `1/√x` @example rsqrt(tensor([4])) // tensor([0.5000]) */
export const rsqrt = (x: Tensor): Tensor => unaryOp("rsqrt", x);
/** `x²` @example square(tensor([3])) // tensor([9.]) */
export const square = (x: Tensor): Tensor => unaryOp("square", x);
/** `1/x` @example reciprocal(tensor([4])) // tensor([0.2500]) */
export const reciprocal = (x: Tensor): Tensor => unaryOp("reciprocal", x);
/** @example sin(tensor([0])) // tensor([0.]) */
export const sin = (x: Tensor): Tensor => unaryOp("sin", x);
/** @example cos(tensor([0])) // tensor([1.]) */
export const cos = (x: Tensor): Tensor => unaryOp("cos", x);
/** @example tan(tensor([0])) // tensor([0.]) */
export const tan = (x: Tensor): Tensor => unaryOp("tan", x);
/** @example asin(tensor([0])) // tensor([0.]) */
export const asin = (x: Tensor): Tensor => unaryOp("asin", x);
/** @example acos(tensor([1])) // tensor([0.]) */
export const acos = (x: Tensor): Tensor => unaryOp("acos", x);
/** @example atan(tensor([0])) // tensor([0.]) */
export const atan = (x: Tensor): Tensor => unaryOp("atan", x);
/** @example sinh(tensor([0])) // tensor([0.]) */
export const sinh = (x: Tensor): Tensor => unaryOp("sinh", x);
/** @example cosh(tensor([0])) // tensor([1.]) */
export const cosh = (x: Tensor): Tensor => unaryOp("cosh", x);
/** @example tanh(tensor([0])) // tensor([0.]) */
export const tanh = (x: Tensor): Tensor => unaryOp("tanh", x);
/** @example asinh(tensor([0])) // tensor([0.]) */
export const asinh = (x: Tensor): Tensor => unaryOp("asinh", x);
/** @example acosh(tensor([1])) // tensor([0.]) */
export const acosh = (x: Tensor): Tensor => unaryOp("acosh", x);
/** @example atanh(tensor([0])) // tensor([0.]) */
export const atanh = (x: Tensor): Tensor => unaryOp("atanh", x);
/** `1/(1+e⁻ˣ)` @example sigmoid(tensor([0])) // tensor([0.5000]) */
export const sigmoid = (x: Tensor): Tensor => unaryOp("sigmoid", x);
/** `ln σ(x)` @example logSigmoid(tensor([0])) // tensor([-0.6931]) */
export const logSigmoid = (x: Tensor): Tensor => unaryOp("logSigmoid", x);
/** `max(x, 0)` @example relu(tensor([-1, 2])) // tensor([0., 2.]) */
export const relu = (x: Tensor): Tensor => unaryOp("relu", x);
/** @example erf(tensor([0])) // tensor([0.]) */
export const erf = (x: Tensor): Tensor => unaryOp("erf", x);
/** @example erfc(tensor([0])) // tensor([1.]) */
export const erfc = (x: Tensor): Tensor => unaryOp("erfc", x);
/** @example erfinv(tensor([0])) // tensor([0.]) */
export const erfinv = (x: Tensor): Tensor => unaryOp("erfinv", x);
/** @example ceil(tensor([1.2])) // tensor([2.]) */
export const ceil = (x: Tensor): Tensor => unaryOp("ceil", x);
/** @example floor(tensor([1.8])) // tensor([1.]) */
export const floor = (x: Tensor): Tensor => unaryOp("floor", x);
/** @example trunc(tensor([-1.8])) // tensor([-1.]) */
export const trunc = (x: Tensor): Tensor => unaryOp("trunc", x);
/** @example frac(tensor([1.25])) // tensor([0.2500]) */
export const frac = (x: Tensor): Tensor => unaryOp("frac", x);
/** @example silu(tensor([0])) // tensor([0.]) */
export const silu = (x: Tensor): Tensor => unaryOp("silu", x);
/** @example mish(tensor([0])) // tensor([0.]) */
export const mish = (x: Tensor): Tensor => unaryOp("mish", x);
/** @example selu(tensor([0])) // tensor([0.]) */
export const selu = (x: Tensor): Tensor => unaryOp("selu", x);
/** @example softsign(tensor([1])) // tensor([0.5000]) */
export const softsign = (x: Tensor): Tensor => unaryOp("softsign", x);
/** @example hardsigmoid(tensor([0])) // tensor([0.5000]) */
export const hardsigmoid = (x: Tensor): Tensor => unaryOp("hardsigmoid", x);
/** @example hardswish(tensor([0])) // tensor([0.]) */
export const hardswish = (x: Tensor): Tensor => unaryOp("hardswish", x);
/** @example tanhshrink(tensor([0])) // tensor([0.]) */
export const tanhshrink = (x: Tensor): Tensor => unaryOp("tanhshrink", x);

/**
 * Rounds half to even (`torch.round`), or to `decimals` places.
 * @example round(tensor([2.5])) // tensor([2.])
 */
export function round(x: Tensor, opts: { decimals?: number } = {}): Tensor {
  const dec = opts.decimals ?? 0;
  if (dec === 0) return unaryOp("round", x);
  return record1("roundDecimals", { self: x, decimals: dec }, param("roundDecimals", x, dec, 0));
}

/**
 * GELU, exact (`approximate: "none"`) or with the tanh approximation.
 * @example gelu(tensor([0])) // tensor([0.])
 */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  return unaryOp(opts.approximate === "tanh" ? "geluTanh" : "gelu", x);
}

/**
 * Clamps into `[min, max]` (either may be omitted): `clamp(x, -1, 1)`, `clamp(x, { min: 0 })`.
 * @example clamp(tensor([-2, 0.5, 3]), -1, 1) // tensor([-1.0000, 0.5000, 1.0000])
 */
export function clamp(x: Tensor, min?: Bound | { min?: Bound; max?: Bound }, max?: Bound): Tensor {
  const [a, b] = clampBounds(min, max);
  return record1("clamp", { self: x, min: a, max: b }, param("clamp", x, a, b));
}

/** `clamp(x, { min })` @example clampMin(tensor([-1]), 0) // tensor([0.]) */
export const clampMin = (x: Tensor, min: number): Tensor => clamp(x, min, null);
/** `clamp(x, { max })` @example clampMax(tensor([3]), 1) // tensor([1.]) */
export const clampMax = (x: Tensor, max: number): Tensor => clamp(x, null, max);

/**
 * `clamp` with a gradient that is zero on the bounds (`F.hardtanh`).
 * @example hardtanh(tensor([2]), { minVal: -1, maxVal: 1 }) // tensor([1.])
 */
export function hardtanh(x: Tensor, opts: { minVal?: number; maxVal?: number } = {}): Tensor {
  const lo = opts.minVal ?? -1;
  const hi = opts.maxVal ?? 1;
  return record1("hardtanh", { self: x, minVal: lo, maxVal: hi }, param("clamp", x, lo, hi));
}

/** `min(max(x, 0), 6)` @example relu6(tensor([7])) // tensor([6.]) */
export const relu6 = (x: Tensor): Tensor => hardtanh(x, { minVal: 0, maxVal: 6 });

/** @example leakyRelu(tensor([-1]), 0.1) // tensor([-0.1000]) */
export function leakyRelu(x: Tensor, slope: number | { negativeSlope?: number } = 0.01): Tensor {
  const negativeSlope = typeof slope === "number" ? slope : (slope.negativeSlope ?? 0.01);
  return record1("leakyRelu", { self: x, negativeSlope }, param("leakyRelu", x, negativeSlope, 0));
}

/** `x > 0 ? x : α(eˣ - 1)` @example elu(tensor([0])) // tensor([0.]) */
export function elu(x: Tensor, a: number | { alpha?: number } = 1): Tensor {
  const alpha = typeof a === "number" ? a : (a.alpha ?? 1);
  return record1("elu", { self: x, alpha, scale: 1, inputScale: 1 }, param("elu", x, alpha, 1));
}

/** `max(0, x) + min(0, α(e^(x/α) - 1))` @example celu(tensor([0])) // tensor([0.]) */
export function celu(x: Tensor, a: number | { alpha?: number } = 1): Tensor {
  const alpha = typeof a === "number" ? a : (a.alpha ?? 1);
  // celu(x) = α·elu₁(x/α): the elu kernel with scale α on the scaled input
  const scaled = binary("div", x.data, alpha);
  const out = unaryParam("elu", scaled, 1, alpha);
  scaled.dispose();
  return record1("elu", { self: x, alpha, scale: 1, inputScale: 1 / alpha }, out);
}

/** `ln(1 + e^(βx))/β`, linear above `threshold`. @example softplus(tensor([0])) // tensor([0.6931]) */
export function softplus(x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  const beta = opts.beta ?? 1;
  const threshold = opts.threshold ?? 20;
  return record1("softplus", { self: x, beta, threshold }, param("softplus", x, beta, threshold));
}

/** @example hardshrink(tensor([0.3, 1]), 0.5) // tensor([0., 1.]) */
export function hardshrink(x: Tensor, l: number | { lambd?: number } = 0.5): Tensor {
  const lambd = typeof l === "number" ? l : (l.lambd ?? 0.5);
  return record1("hardshrink", { self: x, lambd }, param("hardshrink", x, lambd, 0));
}

/** @example softshrink(tensor([1]), 0.5) // tensor([0.5000]) */
export function softshrink(x: Tensor, l: number | { lambd?: number } = 0.5): Tensor {
  const lambd = typeof l === "number" ? l : (l.lambd ?? 0.5);
  return record1("softshrink", { self: x, lambd }, param("softshrink", x, lambd, 0));
}

/** `x > threshold ? x : value` @example threshold(tensor([0.5, 2]), 1, 0) // tensor([0., 2.]) */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  return record1(
    "threshold",
    { self: x, threshold: thresholdValue, value },
    param("threshold", x, thresholdValue, value),
  );
}
