// Convolution of the WASM backend on NDArrays. conv2d and its two backward
// kernels are im2col (or, for 1×1 stride-1 convolutions, the input itself) plus the GEMM, image
// by image and group by group:
//   forward          out[n,g]  (Og × P) = W[g] (Og × K) @ col[n,g] (K × P)
//   backward input   col       (K × P)  = W[g]ᵀ @ gradOut[n,g], then col2im into gradIn[n,g]
//   backward weight  gradW[g]  (Og × K) += gradOut[n,g] (Og × P) @ col[n,g]ᵀ
// with K = C/groups·kH·kW and P = oH·oW. The threads claim images from the dispatcher's queue,
// each with its own GEMM workspace and column matrix (its arena). The weight gradient sums over
// images in an order fixed by the shapes alone (blocks of images summed one by one, the blocks'
// partial sums added in block order), never by how many threads a call gets: every thread
// count, and every run, gives the bits of one thread.

import type { Conv2dParams, ConvKernels, NDArray } from "@x/storage";
import { referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import { gemmConfigs, gemmWorkspaceBytes } from "../kernels/gemm";
import type { ItemCall } from "../threads/dispatch";
import type { WasmKernels } from "../wasmKernels";
import { kernelDType } from "./layout";
import { walkRaw } from "./walk";

type Dims = [number, number, number, number];
const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };

/** Most blocks of images whose weight-gradient partial sums are added in a fixed order. */
const WEIGHT_BLOCKS = 16;
/** Most bytes those partial sums may take (beyond it, fewer blocks: less image parallelism). */
const WEIGHT_PARTIAL_BYTES = 8 << 20;

/**
 * How many blocks the N images of a weight gradient are summed in (each block image by image,
 * then the blocks' sums in block order), for partial sums of `bytes` each. A function of the
 * shapes alone, so that the result does not depend on the threads a call gets; 1 sums every
 * image straight into the gradient (its GEMMs then split over the output, which keeps it exact).
 *
 * @example
 * weightBlocks(32, 18432); // 16
 */
export function weightBlocks(N: number, bytes: number): number {
  const fit = Math.floor(WEIGHT_PARTIAL_BYTES / Math.max(1, bytes));
  return Math.max(1, Math.min(N, WEIGHT_BLOCKS, fit));
}

/** The first image of block `b` of `B` over `N` images. */
const blockStart = (N: number, B: number, b: number) => Math.floor((b * N) / B);

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

  /** Single-thread time of a convolution, for the thread decision. */
  const micros = (flops: number) => flops / 30e3;

  /**
   * The calling thread's scratch for queued items: its GEMM workspace, then `colBytes` for the
   * column matrix. Every worker has its own at the same offsets (pointers into it are relocated).
   */
  const arena = (d: FloatDType, colBytes: number) => {
    const workBytes = gemmWorkspaceBytes(gemmConfigs[d]);
    const work = wasm.threads.arena(workBytes + colBytes);
    return { work, col: work + workBytes };
  };

  /** Relocation mask of GEMM arguments: A (3), B (6), C (9); the workspace (12) always. */
  const GEMM_A = 1 << 3;
  const GEMM_B = 1 << 6;
  const GEMM_C = 1 << 9;
  const GEMM_WORK = 1 << 12;

  /** C (+)= A @ B with workspace `work`; strides in elements; `relocate` marks arena pointers. */
  const gemm = (
    d: FloatDType,
    call: ItemCall,
    [m, n, k]: [number, number, number],
    [a, rsa, csa]: [number, number, number],
    [b, rsb, csb]: [number, number, number],
    [c, rsc]: [number, number],
    accumulate: boolean,
    work: number,
    relocate: number,
  ) =>
    call(
      `gemm_${d}`,
      [m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, accumulate ? 1 : 0, work],
      relocate | GEMM_WORK,
    );

  /** A matmul layout: A's and B's (row, column) strides, C's row stride, accumulation. */
  const mm = (rsa: number, csa: number, rsb: number, csb: number, rsc: number, acc: boolean) => ({
    rsa,
    csa,
    rsb,
    csb,
    rsc,
    accumulate: acc,
  });

  /** Relocation mask of im2col's column pointer (its last argument). */
  const IM2COL_COL = 1 << 17;

  /** Calls an export of the module on the calling thread. */
  const direct: ItemCall = (name, args) =>
    (raw[name as keyof typeof raw] as (...a: number[]) => void)(...args);

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
      const { work, col } = arena(d, is1x1 ? 0 : K * P * E);
      wasm.threads.runItems(N, micros(2 * N * O * P * K), (n, call) => {
        for (let g = 0; g < G; g++) {
          const c = po + (n * O + g * Og) * P * E;
          const a = wc.p + g * Og * K * E;
          if (is1x1) {
            const b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            gemm(d, call, [Og, P, K], [a, K, 1], [b, xs1, 1], [c, P], false, work, 0);
          } else {
            call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, geo, col), IM2COL_COL);
            gemm(d, call, [Og, P, K], [a, K, 1], [col, P, 1], [c, P], false, work, GEMM_B);
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
      const gi = ptr(gradIn, E);
      const geo = geometry(p, gradIn.shape as Dims, w.shape as Dims, gradOut.shape as Dims);
      const { work, col } = arena(d, is1x1 ? 0 : K * P * E);
      wasm.threads.runItems(N, micros(2 * N * O * P * K), (n, call) => {
        for (let g = 0; g < G; g++) {
          const a = wc.p + g * Og * K * E;
          const b = gc.p + (n * O + g * Og) * P * E;
          const dst = gi + (n * C + g * Cg) * H * W * E;
          if (is1x1) {
            gemm(d, call, [K, P, Og], [a, 1, K], [b, P, 1], [dst, P], false, work, 0);
          } else {
            gemm(d, call, [K, P, Og], [a, 1, K], [b, P, 1], [col, P], false, work, GEMM_C);
            call(`col2im_${d}`, [col, Cg, ...geo, dst, 1], 1);
          }
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
      // fills the GEMM's 8-wide tiles better than K. The images are summed in B blocks, each
      // image by image into its own partial sum (block 0: gradW itself unless transposed); the
      // threads take whole blocks, and the partial sums are added in block order at the end.
      const waste = (v: number) => (Math.ceil(v / 8) * 8) / v;
      const transposed = waste(Og) + 0.05 < waste(K);
      const block = O * K * E;
      const B = weightBlocks(N, block);
      const target = (b: number) =>
        b === 0 && !transposed ? gw : wasm.threads.scratch(`gradW_${d}`, b, block);
      const { work, col } = arena(d, is1x1 ? 0 : K * P * E);
      /** Adds the images [n0, n1) into `out` in order (split: one block, its GEMMs split). */
      const images = (n0: number, n1: number, out: number, call: ItemCall, split: boolean) => {
        for (let n = n0; n < n1; n++) {
          for (let g = 0; g < G; g++) {
            const go = gc.p + (n * O + g * Og) * P * E;
            let b = col;
            let rs = P;
            let relocate = GEMM_A | GEMM_B;
            if (is1x1) {
              b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
              rs = xs1;
              relocate = 0;
            } else call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, geo, col), IM2COL_COL);
            const c = out + g * Og * K * E;
            const acc = n > n0;
            if (split) {
              // the GEMMs split over the output, each element summed by one thread
              if (transposed) wasm.matmul(d, K, Og, P, b, go, c, mm(rs, 1, 1, P, Og, acc));
              else wasm.matmul(d, Og, K, P, go, b, c, mm(P, 1, 1, rs, K, acc));
            } else if (transposed) {
              gemm(
                d,
                call,
                [K, Og, P],
                [b, rs, 1],
                [go, 1, P],
                [c, Og],
                acc,
                work,
                relocate & GEMM_A,
              );
            } else {
              gemm(
                d,
                call,
                [Og, K, P],
                [go, P, 1],
                [b, 1, rs],
                [c, K],
                acc,
                work,
                relocate & GEMM_B,
              );
            }
          }
        }
      };
      if (B === 1) images(0, N, target(0), direct, true);
      else {
        const targets = Array.from({ length: B }, (_, b) => target(b));
        wasm.threads.runItems(B, micros(2 * N * O * P * K), (b, call) =>
          images(blockStart(N, B, b), blockStart(N, B, b + 1), targets[b]!, call, false),
        );
      }
      const sum = target(0);
      for (let b = 1; b < B; b++) raw[`binary_add_${d}_vv`](sum, target(b), sum, O * K);
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
