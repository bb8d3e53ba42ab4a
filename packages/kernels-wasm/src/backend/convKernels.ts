// Convolution and max pooling of the WASM backend on NDArrays. conv2d and its two backward
// kernels are im2col (or, for 1×1 stride-1 convolutions, the input itself) plus the GEMM, image
// by image and group by group:
//   forward          out[n,g]  (Og × P) = W[g] (Og × K) @ col[n,g] (K × P)
//   backward input   col       (K × P)  = W[g]ᵀ @ gradOut[n,g], then col2im into gradIn[n,g]
//   backward weight  gradW[g]  (Og × K) += gradOut[n,g] (Og × P) @ col[n,g]ᵀ
// with K = C/groups·kH·kW and P = oH·oW. Max pooling and its backward are direct kernels.

import type { Conv2dParams, ConvKernels, NDArray } from "@x/storage";
import { referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmKernels } from "../wasmKernels";
import { kernelDType } from "./layout";
import { walkRaw } from "./walk";

type Dims = [number, number, number, number];
const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };

/** The convolution and pooling kernels with a WASM path. */
export const wasmConvKernels = [
  "conv2d",
  "conv2dBackwardInput",
  "conv2dBackwardWeight",
  "maxPool2d",
  "maxPool2dBackward",
] as const;

/** The conv kernels of the backend whose storages are `owns`'s. */
export function convKernels(
  wasm: WasmKernels,
  owns: (x: NDArray) => boolean,
): Pick<ConvKernels, (typeof wasmConvKernels)[number]> {
  const heap = wasm.heap;
  const raw = wasm.raw;
  const ptr = (x: NDArray, E: number) => x.storage.ptr + x.offset * E;

  /** dtype of the kernel when every array is float, of one dtype, on this heap. */
  const floatAll = (...xs: NDArray[]): FloatDType | undefined => {
    const d = kernelDType(xs[0]!.dtype);
    return d && xs.every((x) => x.dtype === xs[0]!.dtype && owns(x)) ? d : undefined;
  };

  /** A contiguous copy of x in a scratch block (to free), or x's own pointer. */
  const contiguous = (x: NDArray, E: 4 | 8): { p: number; scratch: boolean } => {
    if (x.isContiguous()) return { p: ptr(x, E), scratch: false };
    const p = heap.alloc(x.numel() * E);
    const strides: number[] = [];
    let st = 1;
    for (let i = x.shape.length - 1; i >= 0; i--) {
      strides[i] = st;
      st *= x.shape[i]!;
    }
    walkRaw(
      raw[`copy2d_${E}`],
      x.shape,
      [
        { ptr: ptr(x, E), strides: x.strides },
        { ptr: p, strides },
      ],
      [E, E],
    );
    return { p, scratch: true };
  };

  const zero = (x: NDArray) => x.typed().fill(0, x.offset, x.offset + x.numel());

  /** Whether the convolution reads x itself as its column matrix (1×1, stride 1, no padding). */
  const pointwise = (w: NDArray, p: Conv2dParams, H: number, W: number, oH: number, oW: number) =>
    w.shape[2] === 1 &&
    w.shape[3] === 1 &&
    p.stride[0] === 1 &&
    p.stride[1] === 1 &&
    oH === H &&
    oW === W &&
    p.padding[0] === 0 &&
    p.padding[1] === 0;

  const im2col = (
    d: FloatDType,
    x: NDArray,
    n: number,
    c0: number,
    Cg: number,
    w: NDArray,
    p: Conv2dParams,
    oH: number,
    oW: number,
    col: number,
  ) => {
    const E = BYTES[d];
    const [, , H, W] = x.shape as Dims;
    const [xs0, xs1, xs2, xs3] = x.strides as Dims;
    const at = ptr(x, E) + (n * xs0 + c0 * xs1) * E;
    raw[`im2col_${d}`](
      at,
      xs1,
      xs2,
      xs3,
      Cg,
      H,
      W,
      w.shape[2]!,
      w.shape[3]!,
      p.stride[0],
      p.stride[1],
      p.padding[0],
      p.padding[1],
      p.dilation[0],
      p.dilation[1],
      oH,
      oW,
      col,
    );
  };

  return {
    conv2d(x, w, p, out) {
      const d = floatAll(x, w, out);
      if (!d || !out.isContiguous()) return referenceKernels.conv2d(x, w, p, out);
      const E = BYTES[d];
      const [N, , H, W] = x.shape as Dims;
      const [O, Cg, kH, kW] = w.shape as Dims;
      const [, , oH, oW] = out.shape as Dims;
      const G = p.groups;
      const Og = O / G;
      const K = Cg * kH * kW;
      const P = oH * oW;
      if (N * O * P === 0) return;
      const wc = contiguous(w, E);
      const direct = pointwise(w, p, H, W, oH, oW) && x.strides[3] === 1 && x.strides[2] === W;
      const col = direct ? 0 : heap.alloc(K * P * E);
      const [xs0, xs1] = x.strides as Dims;
      for (let n = 0; n < N; n++) {
        for (let g = 0; g < G; g++) {
          const c = ptr(out, E) + (n * O + g * Og) * P * E;
          const a = wc.p + g * Og * K * E;
          if (direct) {
            const b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            wasm.matmul(d, Og, P, K, a, b, c, { rsa: K, csa: 1, rsb: xs1, csb: 1, rsc: P });
          } else {
            im2col(d, x, n, g * Cg, Cg, w, p, oH, oW, col);
            wasm.matmul(d, Og, P, K, a, col, c, { rsa: K, csa: 1, rsb: P, csb: 1, rsc: P });
          }
        }
      }
      if (!direct) heap.free(col);
      if (wc.scratch) heap.free(wc.p);
    },

    conv2dBackwardInput(gradOut, w, p, gradIn) {
      const d = floatAll(gradOut, w, gradIn);
      if (!d || !gradIn.isContiguous())
        return referenceKernels.conv2dBackwardInput(gradOut, w, p, gradIn);
      const E = BYTES[d];
      const [N, C, H, W] = gradIn.shape as Dims;
      const [O, Cg, kH, kW] = w.shape as Dims;
      const [, , oH, oW] = gradOut.shape as Dims;
      const G = p.groups;
      const Og = O / G;
      const K = Cg * kH * kW;
      const P = oH * oW;
      if (N * C * H * W === 0) return;
      if (P === 0 || Og === 0) return zero(gradIn);
      const wc = contiguous(w, E);
      const gc = contiguous(gradOut, E);
      const direct = pointwise(w, p, H, W, oH, oW);
      const col = direct ? 0 : heap.alloc(K * P * E);
      if (!direct) zero(gradIn);
      const gi = ptr(gradIn, E);
      for (let n = 0; n < N; n++) {
        for (let g = 0; g < G; g++) {
          const a = wc.p + g * Og * K * E;
          const b = gc.p + (n * O + g * Og) * P * E;
          const dst = gi + (n * C + g * Cg) * H * W * E;
          if (direct) {
            wasm.matmul(d, K, P, Og, a, b, dst, { rsa: 1, csa: K, rsb: P, csb: 1, rsc: P });
            continue;
          }
          wasm.matmul(d, K, P, Og, a, b, col, { rsa: 1, csa: K, rsb: P, csb: 1, rsc: P });
          raw[`col2im_${d}`](
            col,
            Cg,
            H,
            W,
            kH,
            kW,
            p.stride[0],
            p.stride[1],
            p.padding[0],
            p.padding[1],
            p.dilation[0],
            p.dilation[1],
            oH,
            oW,
            dst,
          );
        }
      }
      if (!direct) heap.free(col);
      if (wc.scratch) heap.free(wc.p);
      if (gc.scratch) heap.free(gc.p);
    },

    conv2dBackwardWeight(x, gradOut, p, gradW) {
      const d = floatAll(x, gradOut, gradW);
      if (!d || !gradW.isContiguous())
        return referenceKernels.conv2dBackwardWeight(x, gradOut, p, gradW);
      const E = BYTES[d];
      const [N, , H, W] = x.shape as Dims;
      const [O, Cg, kH, kW] = gradW.shape as Dims;
      const [, , oH, oW] = gradOut.shape as Dims;
      const G = p.groups;
      const Og = O / G;
      const K = Cg * kH * kW;
      const P = oH * oW;
      if (O * K === 0) return;
      if (N === 0 || P === 0) return zero(gradW);
      const gc = contiguous(gradOut, E);
      const direct = pointwise(gradW, p, H, W, oH, oW) && x.strides[3] === 1 && x.strides[2] === W;
      const col = direct ? 0 : heap.alloc(K * P * E);
      const [xs0, xs1] = x.strides as Dims;
      const gw = ptr(gradW, E);
      // gradW[g]ᵀ (K × Og) = Σ col @ gradOutᵀ when Og fills the GEMM's 8-wide tiles better than K
      const waste = (v: number) => (Math.ceil(v / 8) * 8) / v;
      const transposed = waste(Og) + 0.05 < waste(K);
      const tmp = transposed ? heap.alloc(K * Og * E) : 0;
      for (let g = 0; g < G; g++) {
        const c = transposed ? tmp : gw + g * Og * K * E;
        for (let n = 0; n < N; n++) {
          const go = gc.p + (n * O + g * Og) * P * E;
          const accumulate = n > 0;
          let b = col;
          let rs = P;
          if (direct) {
            b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            rs = xs1;
          } else im2col(d, x, n, g * Cg, Cg, gradW, p, oH, oW, col);
          if (transposed)
            wasm.matmul(d, K, Og, P, b, go, c, {
              rsa: rs,
              csa: 1,
              rsb: 1,
              csb: P,
              rsc: Og,
              accumulate,
            });
          else
            wasm.matmul(d, Og, K, P, go, b, c, {
              rsa: P,
              csa: 1,
              rsb: 1,
              csb: rs,
              rsc: K,
              accumulate,
            });
        }
        if (transposed) {
          const dst = { ptr: gw + g * Og * K * E, strides: [K, 1] };
          walkRaw(raw[`copy2d_${E}`], [Og, K], [{ ptr: tmp, strides: [1, Og] }, dst], [E, E]);
        }
      }
      if (transposed) heap.free(tmp);
      if (!direct) heap.free(col);
      if (gc.scratch) heap.free(gc.p);
    },

    maxPool2d(x, p, out, indices) {
      const d = floatAll(x, out);
      if (
        !d ||
        indices.dtype !== "int64" ||
        !owns(indices) ||
        !out.isContiguous() ||
        !indices.isContiguous()
      ) {
        return referenceKernels.maxPool2d(x, p, out, indices);
      }
      const E = BYTES[d];
      const [N, C, H, W] = x.shape as Dims;
      const [, , oH, oW] = out.shape as Dims;
      const [xs0, xs1, xs2, xs3] = x.strides as Dims;
      const [kH, kW] = p.kernel;
      const plain =
        p.stride[0] === 2 && p.stride[1] === 2 && p.padding[0] === 0 && p.padding[1] === 0;
      if (
        d === "f32" &&
        kH === 2 &&
        kW === 2 &&
        plain &&
        p.dilation[0] === 1 &&
        p.dilation[1] === 1 &&
        xs3 === 1 &&
        oH * 2 <= H &&
        oW * 2 <= W
      ) {
        return raw.maxPool2d2x2_f32(
          ptr(x, E),
          xs0,
          xs1,
          xs2,
          N,
          C,
          W,
          ptr(out, E),
          ptr(indices, 8),
          oH,
          oW,
        );
      }
      raw[`maxPool2d_${d}`](
        ptr(x, E),
        xs0,
        xs1,
        xs2,
        xs3,
        N,
        C,
        H,
        W,
        p.kernel[0],
        p.kernel[1],
        p.stride[0],
        p.stride[1],
        p.padding[0],
        p.padding[1],
        p.dilation[0],
        p.dilation[1],
        ptr(out, E),
        ptr(indices, 8),
        oH,
        oW,
      );
    },

    maxPool2dBackward(gradOut, indices, gradIn) {
      const d = floatAll(gradOut, gradIn);
      if (!d || indices.dtype !== "int64" || !owns(indices) || !gradIn.isContiguous()) {
        return referenceKernels.maxPool2dBackward(gradOut, indices, gradIn);
      }
      const E = BYTES[d];
      const [N, C, H, W] = gradIn.shape as Dims;
      const [, , oH, oW] = gradOut.shape as Dims;
      const [gs0, gs1, gs2, gs3] = gradOut.strides as Dims;
      const [is0, is1, is2, is3] = indices.strides as Dims;
      zero(gradIn);
      raw[`maxPool2dBackward_${d}`](
        ptr(gradOut, E),
        gs0,
        gs1,
        gs2,
        gs3,
        ptr(indices, 8),
        is0,
        is1,
        is2,
        is3,
        N,
        C,
        oH,
        oW,
        ptr(gradIn, E),
        H * W,
      );
    },
  };
}
