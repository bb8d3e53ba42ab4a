/**
 * Reference convolution kernels: direct loops over NCHW arrays with a float64 accumulator per
 * output plane. For each kernel tap the range of output positions that read inside the input is
 * computed once, so the inner loops carry no bounds tests. Pooling and resampling kernels live in
 * `pool.ts` and `resample.ts`; `referenceConv` gathers the whole family.
 */
import type { Conv2dParams, ConvKernels } from "../kernels/conv.js";
import type { NDArray } from "../ndArray.js";
import { referencePool } from "./pool.js";
import { referenceResample } from "./resample.js";

/** First output index `o` with `o * s + base >= 0`. */
function firstInside(base: number, s: number): number {
  return base >= 0 ? 0 : Math.ceil(-base / s);
}

/** One past the last output index `o < outSize` with `o * s + base < inSize`. */
function endInside(base: number, s: number, inSize: number, outSize: number): number {
  const last = inSize - 1 - base;
  return last < 0 ? 0 : Math.min(outSize, Math.floor(last / s) + 1);
}

/** Per-tap output ranges along one axis: `lo[k] … hi[k]` read input `o * s + k * d - pad`. */
function tapRanges(
  k: number,
  s: number,
  d: number,
  pad: number,
  inSize: number,
  outSize: number,
): [Int32Array, Int32Array] {
  const lo = new Int32Array(k);
  const hi = new Int32Array(k);
  for (let t = 0; t < k; t++) {
    const base = t * d - pad;
    lo[t] = firstInside(base, s);
    hi[t] = Math.max(endInside(base, s, inSize, outSize), lo[t]!);
  }
  return [lo, hi];
}

/** Writes a contiguous float64 plane into `dst[n, c]`. */
function storePlane(acc: Float64Array, dst: NDArray, n: number, c: number, h: number, w: number) {
  const dd = dst.typed();
  const [s0, s1, s2, s3] = dst.strides as [number, number, number, number];
  const base = dst.offset + n * s0 + c * s1;
  for (let i = 0; i < h; i++) {
    let o = base + i * s2;
    const r = i * w;
    for (let j = 0; j < w; j++, o += s3) dd[o] = acc[r + j]!;
  }
}

function dims4(a: NDArray): [number, number, number, number] {
  return a.shape as [number, number, number, number];
}

function strides4(a: NDArray): [number, number, number, number] {
  return a.strides as [number, number, number, number];
}

const convKernels: Pick<ConvKernels, "conv2d" | "conv2dBackwardInput" | "conv2dBackwardWeight"> = {
  conv2d(x: NDArray, w: NDArray, p: Conv2dParams, out: NDArray) {
    const [N, , H, W] = dims4(x);
    const [O, Cg, kH, kW] = dims4(w);
    const [, , oH, oW] = dims4(out);
    const [sH, sW] = p.stride;
    const [pH, pW] = p.padding;
    const [dH, dW] = p.dilation;
    const Og = O / p.groups;
    const [ohLo, ohHi] = tapRanges(kH, sH, dH, pH, H, oH);
    const [owLo, owHi] = tapRanges(kW, sW, dW, pW, W, oW);
    const xd = x.typed();
    const wd = w.typed();
    const [xs0, xs1, xs2, xs3] = strides4(x);
    const [ws0, ws1, ws2, ws3] = strides4(w);
    const xStep = sW * xs3;
    const acc = new Float64Array(oH * oW);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const g = Math.floor(o / Og);
        acc.fill(0);
        for (let c = 0; c < Cg; c++) {
          const xBase = x.offset + n * xs0 + (g * Cg + c) * xs1;
          const wBase = w.offset + o * ws0 + c * ws1;
          for (let kh = 0; kh < kH; kh++) {
            const ihb = kh * dH - pH;
            for (let kw = 0; kw < kW; kw++) {
              const wv = wd[wBase + kh * ws2 + kw * ws3]!;
              const lo = owLo[kw]!;
              const hi = owHi[kw]!;
              const iwb = kw * dW - pW;
              for (let oh = ohLo[kh]!; oh < ohHi[kh]!; oh++) {
                let xi = xBase + (oh * sH + ihb) * xs2 + (lo * sW + iwb) * xs3;
                const ar = oh * oW;
                for (let ow = lo; ow < hi; ow++, xi += xStep) acc[ar + ow]! += wv * xd[xi]!;
              }
            }
          }
        }
        storePlane(acc, out, n, o, oH, oW);
      }
    }
  },

  conv2dBackwardInput(gradOut: NDArray, w: NDArray, p: Conv2dParams, gradIn: NDArray) {
    const [N, C, H, W] = dims4(gradIn);
    const [, Cg, kH, kW] = dims4(w);
    const [, , oH, oW] = dims4(gradOut);
    const [sH, sW] = p.stride;
    const [pH, pW] = p.padding;
    const [dH, dW] = p.dilation;
    const Og = w.shape[0]! / p.groups;
    const [ohLo, ohHi] = tapRanges(kH, sH, dH, pH, H, oH);
    const [owLo, owHi] = tapRanges(kW, sW, dW, pW, W, oW);
    const gd = gradOut.typed();
    const wd = w.typed();
    const [gs0, gs1, gs2, gs3] = strides4(gradOut);
    const [ws0, ws1, ws2, ws3] = strides4(w);
    const acc = new Float64Array(H * W);
    for (let n = 0; n < N; n++) {
      for (let ic = 0; ic < C; ic++) {
        const g = Math.floor(ic / Cg);
        const c = ic - g * Cg;
        acc.fill(0);
        for (let o = g * Og; o < (g + 1) * Og; o++) {
          const gBase = gradOut.offset + n * gs0 + o * gs1;
          const wBase = w.offset + o * ws0 + c * ws1;
          for (let kh = 0; kh < kH; kh++) {
            const ihb = kh * dH - pH;
            for (let kw = 0; kw < kW; kw++) {
              const wv = wd[wBase + kh * ws2 + kw * ws3]!;
              const lo = owLo[kw]!;
              const hi = owHi[kw]!;
              const iwb = kw * dW - pW;
              for (let oh = ohLo[kh]!; oh < ohHi[kh]!; oh++) {
                let gi = gBase + oh * gs2 + lo * gs3;
                let ai = (oh * sH + ihb) * W + lo * sW + iwb;
                for (let ow = lo; ow < hi; ow++, gi += gs3, ai += sW) acc[ai]! += wv * gd[gi]!;
              }
            }
          }
        }
        storePlane(acc, gradIn, n, ic, H, W);
      }
    }
  },

  conv2dBackwardWeight(x: NDArray, gradOut: NDArray, p: Conv2dParams, gradW: NDArray) {
    const [N, , H, W] = dims4(x);
    const [O, Cg, kH, kW] = dims4(gradW);
    const [, , oH, oW] = dims4(gradOut);
    const [sH, sW] = p.stride;
    const [pH, pW] = p.padding;
    const [dH, dW] = p.dilation;
    const Og = O / p.groups;
    const [ohLo, ohHi] = tapRanges(kH, sH, dH, pH, H, oH);
    const [owLo, owHi] = tapRanges(kW, sW, dW, pW, W, oW);
    const xd = x.typed();
    const gd = gradOut.typed();
    const od = gradW.typed();
    const [xs0, xs1, xs2, xs3] = strides4(x);
    const [gs0, gs1, gs2, gs3] = strides4(gradOut);
    const [os0, os1, os2, os3] = strides4(gradW);
    const xStep = sW * xs3;
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let c = 0; c < Cg; c++) {
        for (let kh = 0; kh < kH; kh++) {
          const ihb = kh * dH - pH;
          for (let kw = 0; kw < kW; kw++) {
            const iwb = kw * dW - pW;
            const lo = owLo[kw]!;
            const hi = owHi[kw]!;
            let acc = 0;
            for (let n = 0; n < N; n++) {
              const xBase = x.offset + n * xs0 + (g * Cg + c) * xs1;
              const gBase = gradOut.offset + n * gs0 + o * gs1;
              for (let oh = ohLo[kh]!; oh < ohHi[kh]!; oh++) {
                let xi = xBase + (oh * sH + ihb) * xs2 + (lo * sW + iwb) * xs3;
                let gi = gBase + oh * gs2 + lo * gs3;
                for (let ow = lo; ow < hi; ow++, xi += xStep, gi += gs3) acc += gd[gi]! * xd[xi]!;
              }
            }
            od[gradW.offset + o * os0 + c * os1 + kh * os2 + kw * os3] = acc;
          }
        }
      }
    }
  },
};

export const referenceConv: ConvKernels = {
  ...convKernels,
  ...referencePool,
  ...referenceResample,
};
