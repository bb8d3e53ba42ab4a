/**
 * Reference resampling kernels (nearest, nearest-exact, bilinear) and their backward scatters.
 * Source indices and weights are computed once per axis as PyTorch's CPU kernels compute them:
 * nearest modes in float32 arithmetic for every dtype; bilinear with a float32 scale and weights
 * for float32 data and a fused multiply-add source index for float64, so the indices and
 * weights are bit-identical to PyTorch's.
 */
import type { ConvKernels, InterpolateParams } from "../kernels/conv.js";
import type { NDArray } from "../ndArray.js";

type Dims = [number, number, number, number];

/** Source indices and weights along one axis: `out[o] = l0[o] * in[i0[o]] + l1[o] * in[i1[o]]`. */
export interface AxisWeights {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly l0: Float64Array;
  readonly l1: Float64Array;
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/** `a * b + c` with a single rounding (error-free transforms; JavaScript has no `Math.fma`). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const bb = s - p;
  const se = p - (s - bb) + (c - bb);
  return s + (se + pe);
}

/** PyTorch's `nearest_idx` / `nearest_exact_idx` for every output position. */
function nearestAxis(inSize: number, outSize: number, scale: number, exact: boolean): AxisWeights {
  const i0 = new Int32Array(outSize);
  const s = Math.fround(scale > 0 ? 1 / scale : inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (!exact && outSize === inSize) i0[o] = o;
    else if (!exact && outSize === 2 * inSize) i0[o] = o >> 1;
    else {
      const src = exact ? Math.fround((o + 0.5) * s) : Math.fround(o * s);
      i0[o] = Math.min(Math.floor(src), inSize - 1);
    }
  }
  return { i0, i1: i0, l0: new Float64Array(outSize).fill(1), l1: new Float64Array(outSize) };
}

/** PyTorch's `compute_source_index_and_lambda` for every output position. */
function linearAxis(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  scale: number,
  f32: boolean,
): AxisWeights {
  const r = f32 ? Math.fround : (v: number) => v;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float64Array(outSize);
  const l1 = new Float64Array(outSize);
  let s: number;
  if (alignCorners) s = outSize > 1 ? r((inSize - 1) / (outSize - 1)) : 0;
  else s = r(scale > 0 ? 1 / scale : inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      i0[o] = o;
      i1[o] = o;
      l0[o] = 1;
      continue;
    }
    let src: number;
    if (alignCorners) src = s * o;
    else {
      src = f32 ? s * (o + 0.5) - 0.5 : fma(s, o + 0.5, -0.5);
      if (src < 0) src = 0;
    }
    const a = Math.min(Math.floor(src), inSize - 1);
    i0[o] = a;
    i1[o] = a + (a < inSize - 1 ? 1 : 0);
    const w1 = r(Math.min(Math.max(src - a, 0), 1));
    l1[o] = w1;
    l0[o] = r(1 - w1);
  }
  return { i0, i1, l0, l1 };
}

/** The weights of both spatial axes for resampling `inH×inW` to `outH×outW`. */
export function resampleWeights(
  p: InterpolateParams,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  f32: boolean,
): [AxisWeights, AxisWeights] {
  if (p.mode === "bilinear") {
    return [
      linearAxis(inH, outH, p.alignCorners, p.scales[0], f32),
      linearAxis(inW, outW, p.alignCorners, p.scales[1], f32),
    ];
  }
  const exact = p.mode === "nearest-exact";
  return [nearestAxis(inH, outH, p.scales[0], exact), nearestAxis(inW, outW, p.scales[1], exact)];
}

export const referenceResample: Pick<ConvKernels, "interpolate" | "interpolateBackward"> = {
  interpolate(x: NDArray, p: InterpolateParams, out: NDArray) {
    const [N, C, H, W] = x.shape as Dims;
    const [, , oH, oW] = out.shape as Dims;
    const [ah, aw] = resampleWeights(p, H, W, oH, oW, x.dtype === "float32");
    const nearest = p.mode !== "bilinear";
    const xd = x.typed();
    const od = out.typed();
    const [xs0, xs1, xs2, xs3] = x.strides as Dims;
    const [os0, os1, os2, os3] = out.strides as Dims;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const xb = x.offset + n * xs0 + c * xs1;
        const ob = out.offset + n * os0 + c * os1;
        for (let oh = 0; oh < oH; oh++) {
          const r0 = xb + ah.i0[oh]! * xs2;
          const r1 = xb + ah.i1[oh]! * xs2;
          const h0 = ah.l0[oh]!;
          const h1 = ah.l1[oh]!;
          if (nearest) {
            for (let ow = 0; ow < oW; ow++)
              od[ob + oh * os2 + ow * os3] = xd[r0 + aw.i0[ow]! * xs3]!;
            continue;
          }
          for (let ow = 0; ow < oW; ow++) {
            // Every term is computed, as PyTorch does: a zero weight on an inf gives NaN.
            const c0 = aw.i0[ow]! * xs3;
            const c1 = aw.i1[ow]! * xs3;
            const w0 = aw.l0[ow]!;
            const w1 = aw.l1[ow]!;
            od[ob + oh * os2 + ow * os3] =
              h0 * (w0 * xd[r0 + c0]! + w1 * xd[r0 + c1]!) +
              h1 * (w0 * xd[r1 + c0]! + w1 * xd[r1 + c1]!);
          }
        }
      }
    }
  },

  interpolateBackward(gradOut: NDArray, p: InterpolateParams, gradIn: NDArray) {
    const [N, C, H, W] = gradIn.shape as Dims;
    const [, , oH, oW] = gradOut.shape as Dims;
    const [ah, aw] = resampleWeights(p, H, W, oH, oW, gradOut.dtype === "float32");
    const gd = gradOut.typed();
    const od = gradIn.typed();
    const [gs0, gs1, gs2, gs3] = gradOut.strides as Dims;
    const [is0, is1, is2, is3] = gradIn.strides as Dims;
    const acc = new Float64Array(H * W);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        acc.fill(0);
        const gb = gradOut.offset + n * gs0 + c * gs1;
        for (let oh = 0; oh < oH; oh++) {
          const r0 = ah.i0[oh]! * W;
          const r1 = ah.i1[oh]! * W;
          const h0 = ah.l0[oh]!;
          const h1 = ah.l1[oh]!;
          for (let ow = 0; ow < oW; ow++) {
            const g = gd[gb + oh * gs2 + ow * gs3]!;
            const c0 = aw.i0[ow]!;
            const c1 = aw.i1[ow]!;
            const w0 = aw.l0[ow]!;
            const w1 = aw.l1[ow]!;
            acc[r0 + c0]! += h0 * w0 * g;
            acc[r0 + c1]! += h0 * w1 * g;
            acc[r1 + c0]! += h1 * w0 * g;
            acc[r1 + c1]! += h1 * w1 * g;
          }
        }
        const ib = gradIn.offset + n * is0 + c * is1;
        for (let h = 0; h < H; h++) {
          for (let w = 0; w < W; w++) od[ib + h * is2 + w * is3] = acc[h * W + w]!;
        }
      }
    }
  },
};
