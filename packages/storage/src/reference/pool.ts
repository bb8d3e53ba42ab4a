/**
 * Reference pooling kernels over NCHW planes: max (with PyTorch's flat `h * W + w` indices and
 * NaN propagation), average (PyTorch's window clipping and divisors), adaptive average (PyTorch's
 * `floor(o * I / O)` … `ceil((o + 1) * I / O)` windows) and their backward scatters, which
 * accumulate each input plane in float64 before the store.
 */
import type { ConvKernels, Pool2dParams } from "../kernels/conv.js";
import type { NDArray } from "../ndArray.js";

type Dims = [number, number, number, number];

/** Offset of plane `(n, c)` of a 4-d array. */
function planeBase(a: NDArray, n: number, c: number): number {
  return a.offset + n * a.strides[0]! + c * a.strides[1]!;
}

/** Stores `acc` (an H×W plane) into `dst[n, c]`, truncating toward zero for integer dtypes. */
function storePlane(acc: Float64Array, dst: NDArray, n: number, c: number) {
  const [, , H, W] = dst.shape as Dims;
  const dd = dst.typed();
  const s2 = dst.strides[2]!;
  const s3 = dst.strides[3]!;
  const base = planeBase(dst, n, c);
  for (let h = 0; h < H; h++) {
    let o = base + h * s2;
    for (let w = 0; w < W; w++, o += s3) dd[o] = acc[h * W + w]!;
  }
}

/** The window `[start, end)` of average pooling along one axis and its padded extent. */
interface AvgWindow {
  start: Int32Array;
  end: Int32Array;
  padded: Int32Array;
}

function avgWindows(outSize: number, inSize: number, k: number, s: number, pad: number): AvgWindow {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  const padded = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const a = o * s - pad;
    const b = Math.min(a + k, inSize + pad);
    padded[o] = b - a;
    start[o] = Math.max(a, 0);
    end[o] = Math.min(b, inSize);
  }
  return { start, end, padded };
}

/** PyTorch's divisor for one average-pooling window. */
function divisor(p: Pool2dParams, ph: number, pw: number, hLen: number, wLen: number): number {
  if (p.divisorOverride !== 0) return p.divisorOverride;
  return p.countIncludePad ? ph * pw : hLen * wLen;
}

/** Adaptive pooling window bounds: `floor(o * I / O)` and `ceil((o + 1) * I / O)`. */
function adaptiveStart(o: number, inSize: number, outSize: number): number {
  return Math.floor((o * inSize) / outSize);
}

function adaptiveEnd(o: number, inSize: number, outSize: number): number {
  return Math.ceil(((o + 1) * inSize) / outSize);
}

export const referencePool: Pick<
  ConvKernels,
  | "maxPool2d"
  | "maxPool2dBackward"
  | "avgPool2d"
  | "avgPool2dBackward"
  | "adaptiveAvgPool2d"
  | "adaptiveAvgPool2dBackward"
> = {
  maxPool2d(x, p, out, indices) {
    const [N, C, H, W] = x.shape as Dims;
    const [, , oH, oW] = out.shape as Dims;
    const [kH, kW] = p.kernel;
    const [sH, sW] = p.stride;
    const [pH, pW] = p.padding;
    const [dH, dW] = p.dilation;
    const xd = x.typed();
    const od = out.typed();
    const id = indices.typed();
    const xs2 = x.strides[2]!;
    const xs3 = x.strides[3]!;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const xb = planeBase(x, n, c);
        const ob = planeBase(out, n, c);
        const ib = planeBase(indices, n, c);
        for (let oh = 0; oh < oH; oh++) {
          let hs = oh * sH - pH;
          const he = Math.min(hs + (kH - 1) * dH + 1, H);
          while (hs < 0) hs += dH;
          for (let ow = 0; ow < oW; ow++) {
            let ws = ow * sW - pW;
            const we = Math.min(ws + (kW - 1) * dW + 1, W);
            while (ws < 0) ws += dW;
            let best = -Infinity;
            let bestAt = hs * W + ws;
            for (let h = hs; h < he; h += dH) {
              for (let w = ws; w < we; w += dW) {
                const v = xd[xb + h * xs2 + w * xs3]!;
                if (v > best || Number.isNaN(v)) {
                  best = v;
                  bestAt = h * W + w;
                }
              }
            }
            od[ob + oh * out.strides[2]! + ow * out.strides[3]!] = best;
            id[ib + oh * indices.strides[2]! + ow * indices.strides[3]!] = bestAt;
          }
        }
      }
    }
  },

  maxPool2dBackward(gradOut, indices, gradIn) {
    const [N, C, H, W] = gradIn.shape as Dims;
    const [, , oH, oW] = gradOut.shape as Dims;
    const gd = gradOut.typed();
    const id = indices.typed();
    const acc = new Float64Array(H * W);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        acc.fill(0);
        const gb = planeBase(gradOut, n, c);
        const ib = planeBase(indices, n, c);
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = 0; ow < oW; ow++) {
            const at = id[ib + oh * indices.strides[2]! + ow * indices.strides[3]!]!;
            if (at >= 0 && at < H * W) {
              acc[at]! += gd[gb + oh * gradOut.strides[2]! + ow * gradOut.strides[3]!]!;
            }
          }
        }
        storePlane(acc, gradIn, n, c);
      }
    }
  },

  avgPool2d(x, p, out) {
    const [N, C, H, W] = x.shape as Dims;
    const [, , oH, oW] = out.shape as Dims;
    const rowsW = avgWindows(oH, H, p.kernel[0], p.stride[0], p.padding[0]);
    const colsW = avgWindows(oW, W, p.kernel[1], p.stride[1], p.padding[1]);
    const integral = out.dtype !== "float32" && out.dtype !== "float64";
    const xd = x.typed();
    const od = out.typed();
    const xs2 = x.strides[2]!;
    const xs3 = x.strides[3]!;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const xb = planeBase(x, n, c);
        const ob = planeBase(out, n, c);
        for (let oh = 0; oh < oH; oh++) {
          const hs = rowsW.start[oh]!;
          const he = rowsW.end[oh]!;
          for (let ow = 0; ow < oW; ow++) {
            const ws = colsW.start[ow]!;
            const we = colsW.end[ow]!;
            let v = 0;
            if (hs < he && ws < we) {
              let sum = 0;
              for (let h = hs; h < he; h++) {
                for (let w = ws; w < we; w++) sum += xd[xb + h * xs2 + w * xs3]!;
              }
              const div = divisor(p, rowsW.padded[oh]!, colsW.padded[ow]!, he - hs, we - ws);
              v = integral ? Math.trunc(sum / div) : sum / div;
            }
            od[ob + oh * out.strides[2]! + ow * out.strides[3]!] = v;
          }
        }
      }
    }
  },

  avgPool2dBackward(gradOut, p, gradIn) {
    const [N, C, H, W] = gradIn.shape as Dims;
    const [, , oH, oW] = gradOut.shape as Dims;
    const rowsW = avgWindows(oH, H, p.kernel[0], p.stride[0], p.padding[0]);
    const colsW = avgWindows(oW, W, p.kernel[1], p.stride[1], p.padding[1]);
    const gd = gradOut.typed();
    const acc = new Float64Array(H * W);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        acc.fill(0);
        const gb = planeBase(gradOut, n, c);
        for (let oh = 0; oh < oH; oh++) {
          const hs = rowsW.start[oh]!;
          const he = rowsW.end[oh]!;
          for (let ow = 0; ow < oW; ow++) {
            const ws = colsW.start[ow]!;
            const we = colsW.end[ow]!;
            if (hs >= he || ws >= we) continue;
            const div = divisor(p, rowsW.padded[oh]!, colsW.padded[ow]!, he - hs, we - ws);
            const g = gd[gb + oh * gradOut.strides[2]! + ow * gradOut.strides[3]!]! / div;
            for (let h = hs; h < he; h++) {
              for (let w = ws; w < we; w++) acc[h * W + w]! += g;
            }
          }
        }
        storePlane(acc, gradIn, n, c);
      }
    }
  },

  adaptiveAvgPool2d(x, out) {
    const [N, C, H, W] = x.shape as Dims;
    const [, , oH, oW] = out.shape as Dims;
    const xd = x.typed();
    const od = out.typed();
    const xs2 = x.strides[2]!;
    const xs3 = x.strides[3]!;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const xb = planeBase(x, n, c);
        const ob = planeBase(out, n, c);
        for (let oh = 0; oh < oH; oh++) {
          const hs = adaptiveStart(oh, H, oH);
          const he = adaptiveEnd(oh, H, oH);
          for (let ow = 0; ow < oW; ow++) {
            const ws = adaptiveStart(ow, W, oW);
            const we = adaptiveEnd(ow, W, oW);
            let sum = 0;
            for (let h = hs; h < he; h++) {
              for (let w = ws; w < we; w++) sum += xd[xb + h * xs2 + w * xs3]!;
            }
            od[ob + oh * out.strides[2]! + ow * out.strides[3]!] = sum / ((he - hs) * (we - ws));
          }
        }
      }
    }
  },

  adaptiveAvgPool2dBackward(gradOut, gradIn) {
    const [N, C, H, W] = gradIn.shape as Dims;
    const [, , oH, oW] = gradOut.shape as Dims;
    const gd = gradOut.typed();
    const acc = new Float64Array(H * W);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        acc.fill(0);
        const gb = planeBase(gradOut, n, c);
        for (let oh = 0; oh < oH; oh++) {
          const hs = adaptiveStart(oh, H, oH);
          const he = adaptiveEnd(oh, H, oH);
          for (let ow = 0; ow < oW; ow++) {
            const ws = adaptiveStart(ow, W, oW);
            const we = adaptiveEnd(ow, W, oW);
            const g =
              gd[gb + oh * gradOut.strides[2]! + ow * gradOut.strides[3]!]! /
              ((he - hs) * (we - ws));
            for (let h = hs; h < he; h++) {
              for (let w = ws; w < we; w++) acc[h * W + w]! += g;
            }
          }
        }
        storePlane(acc, gradIn, n, c);
      }
    }
  },
};
