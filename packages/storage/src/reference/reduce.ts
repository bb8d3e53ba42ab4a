/**
 * Reference reductions and scans. A reduction gathers the elements that meet in one output
 * element into a float64 buffer and folds it with a scalar formula; sums accumulate in float64
 * and round once on the store. Scans, arg-reductions and softmax walk lanes along one dim.
 */

import type { ReduceKernels, ReduceOp } from "../kernels/reduce.js";
import type { NDArray } from "../ndArray.js";
import { lanes, reducePlan } from "./lanes.js";

type Fold = (buf: Float64Array, n: number) => number;

function sum(b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += b[i]!;
  return s;
}

const FOLDS: { readonly [K in ReduceOp]: Fold } = {
  sum,
  prod: (b, n) => {
    let p = 1;
    for (let i = 0; i < n; i++) p *= b[i]!;
    return p;
  },
  mean: (b, n) => sum(b, n) / n,
  amax: (b, n) => {
    let m = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = b[i]!;
      if (Number.isNaN(v)) return v;
      if (v > m) m = v;
    }
    return m;
  },
  amin: (b, n) => {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = b[i]!;
      if (Number.isNaN(v)) return v;
      if (v < m) m = v;
    }
    return m;
  },
  all: (b, n) => {
    for (let i = 0; i < n; i++) if (b[i] === 0) return 0;
    return 1;
  },
  any: (b, n) => {
    for (let i = 0; i < n; i++) if (b[i] !== 0) return 1;
    return 0;
  },
  nansum: (b, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = b[i]!;
      if (!Number.isNaN(v)) s += v;
    }
    return s;
  },
};

/** Folds every group of `x` reduced into one element of `out` (keepdim layout). */
function reduceInto(x: NDArray, out: NDArray, fold: Fold): void {
  const { xBase, outPos, inner } = reducePlan(x, out);
  const n = inner.length;
  const buf = new Float64Array(n);
  const xd = x.typed();
  const od = out.typed();
  const int64 = out.dtype === "int64";
  for (let i = 0; i < xBase.length; i++) {
    const b = xBase[i]!;
    for (let k = 0; k < n; k++) buf[k] = xd[b + inner[k]!]!;
    const r = fold(buf, n);
    od[outPos[i]!] = int64 ? Math.trunc(r) : r;
  }
}

function varianceFold(correction: number, takeSqrt: boolean): Fold {
  return (b, n) => {
    const mean = sum(b, n) / n;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = b[i]! - mean;
      m2 += d * d;
    }
    const v = m2 / Math.max(0, n - correction);
    return takeSqrt ? Math.sqrt(v) : v;
  };
}

function normFold(p: number): Fold {
  return (b, n) => {
    if (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY) {
      if (n === 0) return 0;
      let m = Math.abs(b[0]!);
      for (let i = 0; i < n; i++) {
        const a = Math.abs(b[i]!);
        if (Number.isNaN(a)) return a;
        if (p > 0 ? a > m : a < m) m = a;
      }
      return m;
    }
    let s = 0;
    if (p === 0) {
      for (let i = 0; i < n; i++) if (b[i] !== 0) s += 1;
      return s;
    }
    if (p === 1) {
      for (let i = 0; i < n; i++) s += Math.abs(b[i]!);
      return s;
    }
    if (p === 2) {
      for (let i = 0; i < n; i++) s += b[i]! * b[i]!;
      return Math.sqrt(s);
    }
    for (let i = 0; i < n; i++) s += Math.abs(b[i]!) ** p;
    return s ** (1 / p);
  };
}

function logsumexpFold(b: Float64Array, n: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = b[i]!;
    if (Number.isNaN(v)) return v;
    if (v > m) m = v;
  }
  if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) return m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(b[i]! - m);
  return m + Math.log(s);
}

/** Inclusive scan along `dim` with `combine` (sum or product), accumulated in float64. */
function scan(x: NDArray, dim: number, out: NDArray, product: boolean): void {
  const { count, bases, steps } = lanes(x.shape, dim, [x, out]);
  const n = x.shape[dim]!;
  const xd = x.typed();
  const od = out.typed();
  const [xb, ob] = bases as [Float64Array, Float64Array];
  const [xs, os] = steps as [number, number];
  const int64 = out.dtype === "int64";
  for (let l = 0; l < count; l++) {
    let i = xb[l]!;
    let o = ob[l]!;
    let acc = product ? 1 : 0;
    for (let k = 0; k < n; k++, i += xs, o += os) {
      acc = product ? acc * xd[i]! : acc + xd[i]!;
      od[o] = int64 ? Math.trunc(acc) : acc;
    }
  }
}

/** Softmax (or log-softmax) along `dim`, with the lane's max subtracted first. */
function softmaxLanes(x: NDArray, dim: number, out: NDArray, log: boolean): void {
  const { count, bases, steps } = lanes(x.shape, dim, [x, out]);
  const n = x.shape[dim]!;
  const xd = x.typed();
  const od = out.typed();
  const [xb, ob] = bases as [Float64Array, Float64Array];
  const [xs, os] = steps as [number, number];
  for (let l = 0; l < count; l++) {
    const x0 = xb[l]!;
    let m = Number.NEGATIVE_INFINITY;
    for (let k = 0, i = x0; k < n; k++, i += xs) {
      const v = xd[i]!;
      if (v > m || Number.isNaN(v)) m = v;
      if (Number.isNaN(v)) break;
    }
    let s = 0;
    for (let k = 0, i = x0; k < n; k++, i += xs) s += Math.exp(xd[i]! - m);
    const shift = log ? m + Math.log(s) : 0;
    for (let k = 0, i = x0, o = ob[l]!; k < n; k++, i += xs, o += os) {
      od[o] = log ? xd[i]! - shift : Math.exp(xd[i]! - m) / s;
    }
  }
}

/**
 * Softmax's (`log` false) or log-softmax's backward along `dim`, in float64 rounded once on the
 * store: `o·(g - Σ g·o)` or `g - exp(o)·Σ g`.
 */
function softmaxBackwardLanes(
  grad: NDArray,
  output: NDArray,
  dim: number,
  out: NDArray,
  log: boolean,
): void {
  const { count, bases, steps } = lanes(out.shape, dim, [grad, output, out]);
  const n = out.shape[dim]!;
  const gd = grad.typed();
  const yd = output.typed();
  const od = out.typed();
  const [gb, yb, ob] = bases as [Float64Array, Float64Array, Float64Array];
  const [gs, ys, os] = steps as [number, number, number];
  for (let l = 0; l < count; l++) {
    let s = 0;
    for (let k = 0, g = gb[l]!, y = yb[l]!; k < n; k++, g += gs, y += ys) {
      s += log ? gd[g]! : gd[g]! * yd[y]!;
    }
    for (let k = 0, g = gb[l]!, y = yb[l]!, o = ob[l]!; k < n; k++, g += gs, y += ys, o += os) {
      od[o] = log ? gd[g]! - Math.exp(yd[y]!) * s : yd[y]! * (gd[g]! - s);
    }
  }
}

export const referenceReduce: ReduceKernels = {
  reduce: {
    sum: (x, out) => reduceInto(x, out, FOLDS.sum),
    prod: (x, out) => reduceInto(x, out, FOLDS.prod),
    mean: (x, out) => reduceInto(x, out, FOLDS.mean),
    amax: (x, out) => reduceInto(x, out, FOLDS.amax),
    amin: (x, out) => reduceInto(x, out, FOLDS.amin),
    all: (x, out) => reduceInto(x, out, FOLDS.all),
    any: (x, out) => reduceInto(x, out, FOLDS.any),
    nansum: (x, out) => reduceInto(x, out, FOLDS.nansum),
  },
  variance(x, correction, takeSqrt, out) {
    reduceInto(x, out, varianceFold(correction, takeSqrt));
  },
  norm(x, p, out) {
    reduceInto(x, out, normFold(p));
  },
  logsumexp(x, out) {
    reduceInto(x, out, logsumexpFold);
  },
  argReduce(x, dim, largest, values, indices) {
    const arrays = values ? [x, indices, values] : [x, indices];
    const { count, bases, steps } = lanes(x.shape, dim, arrays);
    const n = x.shape[dim]!;
    const xd = x.typed();
    const id = indices.typed();
    const vd = values?.typed();
    const [xb, ib, vb] = bases as [Float64Array, Float64Array, Float64Array | undefined];
    const xs = steps[0]!;
    for (let l = 0; l < count; l++) {
      let i = xb[l]!;
      let best = xd[i]!;
      let at = 0;
      // The first NaN wins; otherwise the first strictly better value.
      for (let k = 1; k < n && !Number.isNaN(best); k++) {
        i += xs;
        const v = xd[i]!;
        if (Number.isNaN(v) || (largest ? v > best : v < best)) {
          best = v;
          at = k;
        }
      }
      id[ib[l]!] = at;
      if (vd && vb) vd[vb[l]!] = best;
    }
  },
  cumsum(x, dim, out) {
    scan(x, dim, out, false);
  },
  cumprod(x, dim, out) {
    scan(x, dim, out, true);
  },
  softmax(x, dim, out) {
    softmaxLanes(x, dim, out, false);
  },
  logSoftmax(x, dim, out) {
    softmaxLanes(x, dim, out, true);
  },
  softmaxBackward(grad, output, dim, out) {
    softmaxBackwardLanes(grad, output, dim, out, false);
  },
  logSoftmaxBackward(grad, output, dim, out) {
    softmaxBackwardLanes(grad, output, dim, out, true);
  },
};
