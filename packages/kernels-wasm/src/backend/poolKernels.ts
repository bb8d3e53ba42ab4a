// Max pooling of the WASM backend on NDArrays: the 2×2 stride-2 case (most CNNs) has a SIMD
// kernel, every other window shape a general one; the backward pass writes each input-gradient
// element once where the output is half the input (the indices are checked to tile it in 2×2
// windows), else zeroes the input gradient and scatters the output gradient at the recorded
// indices, plane by plane. All run image by image on the threads (each image's outputs are
// written by one thread, so the bits do not depend on the thread count).

import type { ConvKernels, NDArray } from "@x/storage";
import { referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmKernels } from "../wasmKernels";
import { kernelDType } from "./layout";

type Dims = [number, number, number, number];
const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };

/** The pooling kernels with a WASM path. */
export const wasmPoolKernels = ["maxPool2d", "maxPool2dBackward"] as const;

/** The pooling kernels of the backend whose storages are `owns`'s. */
export function poolKernels(
  wasm: WasmKernels,
  owns: (x: NDArray) => boolean,
): Pick<ConvKernels, (typeof wasmPoolKernels)[number]> {
  const raw = wasm.raw;
  const ptr = (x: NDArray, E: number) => x.storage.ptr + x.offset * E;
  /**
   * Runs kernel `name` over images [0, N): `args(n, count)` are its arguments for `count`
   * images from image n. Images are claimed by the threads when the pass is worth it: the
   * estimate, 2 ns per input element (the general kernels, cold), overstates the 2×2 kernels'
   * ~0.3 ns, so that sleeping workers wake for a large pool (the calling thread does not wait
   * for one that starts late). On one thread, one call does them all.
   */
  const byImage = (
    name: keyof typeof raw,
    N: number,
    elements: number,
    args: (n: number, count: number) => number[],
  ) =>
    wasm.threads.runItems(
      N,
      elements / 500,
      (n, call) => call(name, args(n, 1)),
      () => (raw[name] as (...a: number[]) => void)(...args(0, N)),
    );
  const floatAll = (...xs: NDArray[]): FloatDType | undefined => {
    const d = kernelDType(xs[0]!.dtype);
    return d && xs.every((x) => x.dtype === xs[0]!.dtype && owns(x)) ? d : undefined;
  };
  return {
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
      const plane = C * oH * oW;
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
        const args = (n: number, count: number) => [
          ptr(x, E) + n * xs0 * E,
          xs0,
          xs1,
          xs2,
          count,
          C,
          W,
          ptr(out, E) + n * plane * E,
          ptr(indices, 8) + n * plane * 8,
          oH,
          oW,
        ];
        return byImage("maxPool2d2x2_f32", N, x.numel(), args);
      }
      const args = (n: number, count: number) => [
        ptr(x, E) + n * xs0 * E,
        xs0,
        xs1,
        xs2,
        xs3,
        count,
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
        ptr(out, E) + n * plane * E,
        ptr(indices, 8) + n * plane * 8,
        oH,
        oW,
      ];
      byImage(`maxPool2d_${d}`, N, x.numel(), args);
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
      const tiles = oH === H >> 1 && oW === W >> 1 && H * W <= 2 ** 24;
      if (d === "f32" && gs3 === 1 && is3 === 1 && tiles) {
        // 2×2 windows that tile the input (the kernel checks the indices, plane by plane, and
        // scatters a plane where they point elsewhere): each element written once
        const tiled = (n: number, count: number) => [
          ptr(gradOut, E) + n * gs0 * E,
          gs0,
          gs1,
          gs2,
          ptr(indices, 8) + n * is0 * 8,
          is0,
          is1,
          is2,
          count,
          C,
          oH,
          oW,
          ptr(gradIn, E) + n * C * H * W * E,
          H,
          W,
        ];
        return byImage("maxPool2dBackward2x2_f32", N, gradIn.numel(), tiled);
      }
      const args = (n: number, count: number) => [
        ptr(gradOut, E) + n * gs0 * E,
        gs0,
        gs1,
        gs2,
        gs3,
        ptr(indices, 8) + n * is0 * 8,
        is0,
        is1,
        is2,
        is3,
        count,
        C,
        oH,
        oW,
        ptr(gradIn, E) + n * C * H * W * E,
        H * W,
      ];
      byImage(`maxPool2dBackward_${d}`, N, gradIn.numel(), args);
    },
  };
}
