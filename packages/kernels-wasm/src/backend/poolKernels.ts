// Max pooling of the WASM backend on NDArrays: the 2×2 stride-2 case (most CNNs) has a SIMD
// kernel, every other window shape a general one; the backward pass scatters the output
// gradient at the recorded indices into a zeroed input gradient.

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
      wasm.heap.zero(ptr(gradIn, E), gradIn.numel() * E);
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
