/**
 * Reference unary kernels: one scalar formula per op, applied row by row over strided arrays.
 */
import type { UnaryKernel, UnaryKernels, UnaryOp, UnaryParamKernel, UnaryParamOp } from "../kernels/unary.js";
import { rows } from "./iter.js";
import { erf, erfc, erfinv, roundHalfEven } from "./math.js";

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const softplus1 = (v: number) => (v > 20 ? v : Math.log1p(Math.exp(v)));
const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const FNS: { readonly [K in UnaryOp]: (v: number) => number } = {
  neg: (v) => -v,
  abs: Math.abs,
  sign: (v) => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v),
  exp: Math.exp,
  exp2: (v) => 2 ** v,
  expm1: Math.expm1,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  rsqrt: (v) => 1 / Math.sqrt(v),
  square: (v) => v * v,
  reciprocal: (v) => 1 / v,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  sigmoid,
  logSigmoid: (v) => -softplus1(-v),
  relu: (v) => (v > 0 ? v : Number.isNaN(v) ? v : 0),
  relu6: (v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, 0), 6)),
  erf,
  erfc,
  erfinv,
  ceil: Math.ceil,
  floor: Math.floor,
  round: roundHalfEven,
  trunc: Math.trunc,
  frac: (v) => v - Math.trunc(v),
  gelu: (v) => 0.5 * v * (1 + erf(v * SQRT1_2)),
  geluTanh: (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))),
  silu: (v) => v * sigmoid(v),
  mish: (v) => v * Math.tanh(softplus1(v)),
  selu: (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
  softsign: (v) => v / (1 + Math.abs(v)),
  hardsigmoid: (v) => (v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5),
  hardswish: (v) => (v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6),
  tanhshrink: (v) => v - Math.tanh(v),
  isnan: (v) => (Number.isNaN(v) ? 1 : 0),
  isinf: (v) => (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY ? 1 : 0),
  isfinite: (v) => (Number.isFinite(v) ? 1 : 0),
  logicalNot: (v) => (v === 0 ? 1 : 0),
  signbit: (v) => (v < 0 || Object.is(v, -0) ? 1 : 0),
  bitwiseNot: (v) => ~v,
};

const PARAM_FNS: { readonly [K in UnaryParamOp]: (v: number, a: number, b: number) => number } = {
  clamp: (v, lo, hi) => {
    if (Number.isNaN(v)) return v;
    if (!Number.isNaN(lo) && v < lo) v = lo;
    if (!Number.isNaN(hi) && v > hi) v = hi;
    return v;
  },
  leakyRelu: (v, slope) => (v > 0 ? v : v * slope),
  elu: (v, alpha, scale) => (v > 0 ? scale * v : scale * alpha * Math.expm1(v)),
  softplus: (v, beta, threshold) => (v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta),
  powScalar: (v, e) => v ** e,
  rpowScalar: (v, base) => base ** v,
  hardshrink: (v, l) => (v >= -l && v <= l ? 0 : v),
  softshrink: (v, l) => (v > l ? v - l : v < -l ? v + l : 0),
  threshold: (v, t, value) => (v > t ? v : value),
  roundDecimals: (v, d) => {
    const s = 10 ** d;
    return roundHalfEven(v * s) / s;
  },
};

function unaryKernel(f: (v: number) => number): UnaryKernel {
  return (x, out) => {
    const xd = x.typed();
    const od = out.typed();
    const int64 = out.dtype === "int64";
    const it = rows(out.shape, out, x);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      for (let k = 0; k < n; k++) {
        const r = f(xd[i]!);
        od[o] = int64 ? Math.trunc(r) : r;
        o += it.s0;
        i += it.s1;
      }
    }
  };
}

function unaryParamKernel(f: (v: number, a: number, b: number) => number): UnaryParamKernel {
  return (x, out, a, b) => {
    const xd = x.typed();
    const od = out.typed();
    const it = rows(out.shape, out, x);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      for (let k = 0; k < n; k++) {
        od[o] = f(xd[i]!, a, b);
        o += it.s0;
        i += it.s1;
      }
    }
  };
}

function mapTable<K extends string, F, R>(table: { readonly [P in K]: F }, make: (f: F) => R): { [P in K]: R } {
  const out = {} as { [P in K]: R };
  for (const k of Object.keys(table) as K[]) out[k] = make(table[k]);
  return out;
}

export const referenceUnary: UnaryKernels = {
  unary: mapTable(FNS, unaryKernel),
  unaryParam: mapTable(PARAM_FNS, unaryParamKernel),
};

export { mapTable };
