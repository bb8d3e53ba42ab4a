/**
 * Reference binary, comparison, `where` and `thresholdBackward` kernels over broadcast strided operands.
 */
import type { BinaryKernel, BinaryKernels, BinaryOp } from "../kernels/binary.js";
import type { CompareKernels, CompareOp } from "../kernels/compare.js";
import { rows } from "./iter.js";
import { mapTable } from "./unary.js";

function fmod(a: number, b: number): number {
  return a % b;
}

const FNS: { readonly [K in BinaryOp]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  divTrunc: (a, b) => Math.trunc(a / b),
  divFloor: (a, b) => Math.floor(a / b),
  pow: (a, b) => a ** b,
  atan2: Math.atan2,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a > b ? a : b),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a < b ? a : b),
  fmax: (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : a > b ? a : b),
  fmin: (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : a < b ? a : b),
  remainder: (a, b) => {
    const m = a % b;
    return m !== 0 && b < 0 !== m < 0 ? m + b : m;
  },
  fmod,
  copysign: (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)),
  hypot: Math.hypot,
  logaddexp: (a, b) => {
    const m = Math.max(a, b);
    if (m === Number.NEGATIVE_INFINITY) return m;
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  xlogy: (a, b) => (Number.isNaN(b) ? b : a === 0 ? 0 : a * Math.log(b)),
  logicalAnd: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
  bitwiseAnd: (a, b) => a & b,
  bitwiseOr: (a, b) => a | b,
  bitwiseXor: (a, b) => a ^ b,
};

const CMP: { readonly [K in CompareOp]: (a: number, b: number) => number } = {
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

function binaryKernel(f: (a: number, b: number) => number): BinaryKernel {
  return (a, b, out) => {
    const ad = a.typed();
    const bd = b.typed();
    const od = out.typed();
    const int64 = out.dtype === "int64";
    const it = rows(out.shape, out, a, b);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      let j = it.o2;
      for (let k = 0; k < n; k++) {
        const r = f(ad[i]!, bd[j]!);
        od[o] = int64 ? Math.trunc(r) : r;
        o += it.s0;
        i += it.s1;
        j += it.s2;
      }
    }
  };
}

export const referenceBinary: BinaryKernels = { binary: mapTable(FNS, binaryKernel) };

export const referenceCompare: CompareKernels = {
  compare: mapTable(CMP, binaryKernel),
  where(cond, a, b, out) {
    const cd = cond.typed();
    const ad = a.typed();
    const bd = b.typed();
    const od = out.typed();
    const it = rows(out.shape, out, cond, a, b);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let c = it.o1;
      let i = it.o2;
      let j = it.o3;
      for (let k = 0; k < n; k++) {
        od[o] = cd[c] !== 0 ? ad[i]! : bd[j]!;
        o += it.s0;
        c += it.s1;
        i += it.s2;
        j += it.s3;
      }
    }
  },
  thresholdBackward(grad, self, threshold, out) {
    const gd = grad.typed();
    const sd = self.typed();
    const od = out.typed();
    // the threshold in the dtype's precision, as PyTorch converts the scalar
    const th = out.dtype === "float32" ? Math.fround(threshold) : threshold;
    const it = rows(out.shape, out, grad, self);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let g = it.o1;
      let x = it.o2;
      for (let k = 0; k < n; k++) {
        od[o] = sd[x]! <= th ? 0 : gd[g]!;
        o += it.s0;
        g += it.s1;
        x += it.s2;
      }
    }
  },
};
