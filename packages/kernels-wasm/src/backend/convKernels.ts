// Convolution and max pooling of the WASM backend on NDArrays. conv2d and its two backward
// kernels are im2col (or, for 1×1 stride-1 convolutions, the input itself) plus the GEMM, image
// by image and group by group:
//   forward          out[n,g]  (Og × P) = W[g] (Og × K) @ col[n,g] (K × P)
//   backward input   col       (K × P)  = W[g]ᵀ @ gradOut[n,g], then col2im into gradIn[n,g]
//   backward weight  gradW[g]  (Og × K) += gradOut[n,g] (Og × P) @ col[n,g]ᵀ
// with K = C/groups·kH·kW and P = oH·oW. Batches are split by images over the threads.

import type { Conv2dParams, ConvKernels, NDArray } from "@x/storage";
import { referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmKernels } from "../wasmKernels";
import { kernelDType } from "./layout";
import { walkRaw } from "./walk";

type Dims = [number, number, number, number];
const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };

/** The convolution kernels with a WASM path. */
export const wasmConvKernels = ["conv2d", "conv2dBackwardInput", "conv2dBackwardWeight"] as const;

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

  const zero = (x: NDArray) => {
    const E = x.dtype === "float32" ? 4 : 8;
    heap.zero(ptr(x, E), x.numel() * E);
  };

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

  /** A kernel call: run now (the calling thread) or recorded for a worker. */
  type Call = (name: string, args: number[]) => void;
  const direct: Call = (name, args) =>
    (raw[name as keyof typeof raw] as (...a: number[]) => void)(...args);

  /**
   * Runs `body(n, t, first, call)` for every image n, split into contiguous ranges over the
   * threads when the convolution (about `micros` on one thread) is worth it; `first` marks the
   * first image of a range. Returns the number of ranges (threads) used.
   */
  const overImages = (
    N: number,
    micros: number,
    body: (n: number, t: number, first: boolean, call: Call) => void,
  ): number => {
    const T = Math.max(1, Math.min(N, wasm.threads.plan(micros)));
    const chunk = Math.ceil(N / T);
    for (let t = 1; t < T; t++) {
      const calls: [string, number[]][] = [];
      const record: Call = (name, args) => calls.push([name, args]);
      const end = Math.min(N, (t + 1) * chunk);
      for (let n = t * chunk; n < end; n++) body(n, t, n === t * chunk, record);
      if (calls.length > 0) wasm.threads.postCalls(t, calls);
    }
    for (let n = 0; n < Math.min(N, chunk); n++) body(n, 0, n === 0, direct);
    if (T > 1) wasm.threads.join(T);
    return T;
  };

  /** A scratch block of thread t, kept by the dispatcher for reuse. */
  const scratch = (key: string, t: number, bytes: number) => wasm.threads.scratch(key, t, bytes);

  /** C (+)= A @ B on thread t's workspace; strides in elements. */
  const gemm = (
    d: FloatDType,
    t: number,
    call: Call,
    [m, n, k]: [number, number, number],
    [a, rsa, csa]: [number, number, number],
    [b, rsb, csb]: [number, number, number],
    [c, rsc]: [number, number],
    accumulate: boolean,
  ) =>
    call(`gemm_${d}`, [
      m,
      n,
      k,
      a,
      rsa,
      csa,
      b,
      rsb,
      csb,
      c,
      rsc,
      accumulate ? 1 : 0,
      wasm.workspace(d, t),
    ]);

  /** Arguments of im2col for channels [c0, c0 + Cg) of image n. */
  const im2colArgs = (
    d: FloatDType,
    x: NDArray,
    n: number,
    c0: number,
    Cg: number,
    geo: readonly number[],
    col: number,
  ) => {
    const E = BYTES[d];
    const [xs0, xs1, xs2, xs3] = x.strides as Dims;
    const at = ptr(x, E) + (n * xs0 + c0 * xs1) * E;
    return [at, xs1, xs2, xs3, Cg, ...geo, col];
  };

  /** H, W, kH, kW, strides, paddings, dilations, oH, oW: im2col's and col2im's geometry. */
  const geometry = (p: Conv2dParams, x: Dims, w: Dims, o: Dims) => [
    x[2],
    x[3],
    w[2],
    w[3],
    p.stride[0],
    p.stride[1],
    p.padding[0],
    p.padding[1],
    p.dilation[0],
    p.dilation[1],
    o[2],
    o[3],
  ];

  /** Single-thread time of a convolution, for the thread decision. */
  const micros = (flops: number) => flops / 30e3;

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
      if (K === 0) return zero(out);
      const wc = contiguous(w, E);
      const is1x1 = pointwise(w, p, H, W, oH, oW) && x.strides[3] === 1 && x.strides[2] === W;
      const [xs0, xs1] = x.strides as Dims;
      const po = ptr(out, E);
      const geo = geometry(p, x.shape as Dims, w.shape as Dims, out.shape as Dims);
      overImages(N, micros(2 * N * O * P * K), (n, t, _first, call) => {
        const col = is1x1 ? 0 : scratch(`col_${d}`, t, K * P * E);
        for (let g = 0; g < G; g++) {
          const c = po + (n * O + g * Og) * P * E;
          const a = wc.p + g * Og * K * E;
          if (is1x1) {
            const b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            gemm(d, t, call, [Og, P, K], [a, K, 1], [b, xs1, 1], [c, P], false);
          } else {
            call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, geo, col));
            gemm(d, t, call, [Og, P, K], [a, K, 1], [col, P, 1], [c, P], false);
          }
        }
      });
      if (wc.scratch) heap.free(wc.p);
    },

    conv2dBackwardInput(gradOut, w, p, gradIn) {
      const d = floatAll(gradOut, w, gradIn);
      if (!d || !gradIn.isContiguous()) {
        return referenceKernels.conv2dBackwardInput(gradOut, w, p, gradIn);
      }
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
      const is1x1 = pointwise(w, p, H, W, oH, oW);
      if (!is1x1) zero(gradIn);
      const gi = ptr(gradIn, E);
      const geo = geometry(p, gradIn.shape as Dims, w.shape as Dims, gradOut.shape as Dims);
      overImages(N, micros(2 * N * O * P * K), (n, t, _first, call) => {
        const col = is1x1 ? 0 : scratch(`col_${d}`, t, K * P * E);
        for (let g = 0; g < G; g++) {
          const a = wc.p + g * Og * K * E;
          const b = gc.p + (n * O + g * Og) * P * E;
          const dst = gi + (n * C + g * Cg) * H * W * E;
          const c = is1x1 ? dst : col;
          gemm(d, t, call, [K, P, Og], [a, 1, K], [b, P, 1], [c, P], false);
          if (!is1x1) call(`col2im_${d}`, [col, Cg, ...geo, dst]);
        }
      });
      if (wc.scratch) heap.free(wc.p);
      if (gc.scratch) heap.free(gc.p);
    },

    conv2dBackwardWeight(x, gradOut, p, gradW) {
      const d = floatAll(x, gradOut, gradW);
      if (!d || !gradW.isContiguous()) {
        return referenceKernels.conv2dBackwardWeight(x, gradOut, p, gradW);
      }
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
      const is1x1 = pointwise(gradW, p, H, W, oH, oW) && x.strides[3] === 1 && x.strides[2] === W;
      const [xs0, xs1] = x.strides as Dims;
      const gw = ptr(gradW, E);
      const geo = geometry(p, x.shape as Dims, gradW.shape as Dims, gradOut.shape as Dims);
      // Σ gradOut @ colᵀ into gradW[g], or Σ col @ gradOutᵀ into its transpose (K × Og) when Og
      // fills the GEMM's 8-wide tiles better than K. Each thread sums its images into its own
      // block (thread 0: gradW itself unless transposed); the blocks are added at the end.
      const waste = (v: number) => (Math.ceil(v / 8) * 8) / v;
      const transposed = waste(Og) + 0.05 < waste(K);
      const block = O * K * E;
      const target = (t: number) => (t === 0 && !transposed ? gw : scratch(`gradW_${d}`, t, block));
      const T = overImages(N, micros(2 * N * O * P * K), (n, t, first, call) => {
        const col = is1x1 ? 0 : scratch(`col_${d}`, t, K * P * E);
        const out = target(t);
        for (let g = 0; g < G; g++) {
          const go = gc.p + (n * O + g * Og) * P * E;
          let b = col;
          let rs = P;
          if (is1x1) {
            b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            rs = xs1;
          } else call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, geo, col));
          const c = out + g * Og * K * E;
          if (transposed) gemm(d, t, call, [K, Og, P], [b, rs, 1], [go, 1, P], [c, Og], !first);
          else gemm(d, t, call, [Og, K, P], [go, P, 1], [b, 1, rs], [c, K], !first);
        }
      });
      const sum = target(0);
      for (let t = 1; t < T; t++) raw[`binary_add_${d}_vv`](sum, target(t), sum, O * K);
      if (transposed) {
        for (let g = 0; g < G; g++) {
          const src = { ptr: sum + g * Og * K * E, strides: [1, Og] };
          const dst = { ptr: gw + g * Og * K * E, strides: [K, 1] };
          walkRaw(raw[`copy2d_${E}`], [Og, K], [src, dst], [E, E]);
        }
      }
      if (gc.scratch) heap.free(gc.p);
    },
  };
}
