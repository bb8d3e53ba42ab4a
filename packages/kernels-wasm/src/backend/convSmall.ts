// f32 convolutions of few input channels (K = C/groups·kH·kW ≤ SMALL_MAX_K) with unit stride and
// dilation, by the kernels of kernels/convSmall.ts: the forward convolution (one call per image,
// the weights packed once per call in blocks of SMALL_R output channels) and the weight gradient
// (one call per block of images, each block summed image by image, the blocks' partial sums
// then added in block order: the blocks are a function of the shapes alone, so every thread
// count gives the bits of one thread). Both read the image itself when no tap falls outside it,
// else a zero-padded copy in the calling thread's arena.

import type { Conv2dParams } from "@x/storage";
import { SMALL_R } from "../kernels/convSmall";
import { getNumThreads } from "../threads/threads";
import type { WasmKernels } from "../wasmKernels";
import { type ConvGeometry, imageRead } from "./convGeometry";

type Dims = [number, number, number, number];

/** Longest shared dimension C/groups·kH·kW the small-convolution path takes. */
export const SMALL_MAX_K = 27;
/**
 * Most elements of a (padded) image of the weight gradient's path: each lane sums the products
 * of a quarter of an image's positions in one chain, which must stay short.
 */
export const SMALL_MAX_IMAGE = 1 << 16;

const E = 4;

/** Single-thread speed assumed for the thread decision (flops per microsecond). */
const FLOPS_PER_MICRO = 30e3;

/** Queued items (blocks of images) of a forward convolution, unless more threads want more. */
const FORWARD_ITEMS = 16;

/** Relocation bit of the kernels' scratch argument `buf` (argument 11). */
const BUF = 1 << 11;

/**
 * Whether an f32 convolution of input `x` [N, C, H, W], weights `w` [O, C/groups, kH, kW] and
 * output [oH, oW] takes the small-convolution kernels (`weight`: its weight gradient, whose
 * padded image must be at most SMALL_MAX_IMAGE elements). 1×1 convolutions without padding
 * (the GEMM reads the image as it is) do not.
 *
 * @example
 * const p = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
 * smallConvPath([32, 1, 28, 28], [16, 1, 3, 3], p, [26, 26]); // true
 */
export function smallConvPath(
  [, , H, W]: readonly number[],
  [, Cg, kH, kW]: readonly number[],
  p: Conv2dParams,
  [oH, oW]: readonly number[],
  weight = false,
): boolean {
  const K = Cg! * kH! * kW!;
  const pointwise = kH === 1 && kW === 1 && p.padding[0] === 0 && p.padding[1] === 0;
  const image = Cg! * (oH! + kH! - 1) * (oW! + kW! - 1);
  return (
    K > 0 &&
    K <= SMALL_MAX_K &&
    !pointwise &&
    p.stride[0] === 1 &&
    p.stride[1] === 1 &&
    p.dilation[0] === 1 &&
    p.dilation[1] === 1 &&
    oH! >= 1 &&
    oW! >= 4 &&
    oH! + kH! - 1 >= H! + p.padding[0] &&
    oW! + kW! - 1 >= W! + p.padding[1] &&
    (!weight || image <= SMALL_MAX_IMAGE)
  );
}

/**
 * Fills t with the byte offsets (c·cs + kh·dH·hs + kw·dW)·4 of a kernel's taps in an f32 image
 * (channel and row strides cs, hs in elements; dilation dH, dW), in (c, kh, kw) order, or
 * (kh, kw, c) with `channelsInner`.
 *
 * @example
 * fillTaps(t, [1, 2, 2], [25, 5], [1, 1]); // t = [0, 4, 20, 24]
 */
export function fillTaps(
  t: Int32Array,
  [Cg, kH, kW]: readonly [number, number, number],
  [cs, hs]: readonly [number, number],
  [dH, dW]: readonly [number, number],
  channelsInner = false,
): void {
  const at = (c: number, kh: number, kw: number) => (c * cs + kh * dH * hs + kw * dW) * E;
  let i = 0;
  if (channelsInner) {
    for (let kh = 0; kh < kH; kh++)
      for (let kw = 0; kw < kW; kw++) for (let c = 0; c < Cg; c++) t[i++] = at(c, kh, kw);
  } else {
    for (let c = 0; c < Cg; c++)
      for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) t[i++] = at(c, kh, kw);
  }
}

/** An image operand: a byte pointer and its element strides [n, c, h, w]. */
export interface SmallImage {
  readonly ptr: number;
  readonly strides: readonly number[];
}

/** The small-convolution paths of a backend on `wasm`. */
export function convSmallKernels(wasm: WasmKernels) {
  const raw = wasm.raw;
  const f32 = () => wasm.heap.views.f32;

  /** The arguments the kernels share, for nImg images from image n0 (without the arena). */
  const imageArgs = (
    x: SmallImage,
    n0: number,
    nImg: number,
    { Cg, H, W }: ConvGeometry,
    p: Conv2dParams,
    buf: number,
    pad: boolean,
  ) => {
    const [xs0, xs1, xs2, xs3] = x.strides as Dims;
    return [x.ptr + n0 * xs0 * E, xs1, xs2, xs3, xs0, nImg, Cg, H, W, ...p.padding, buf, +pad];
  };

  /**
   * How the image is read (`imageRead`; on this path Hp × Wp = (oH + kH - 1) × (oW + kW - 1)),
   * and the scratch of its zero-padded copy.
   */
  const scratchOf = (x: SmallImage, p: Conv2dParams, geo: ConvGeometry) => {
    const read = imageRead(geo, p.padding, x.strides);
    const bytes = geo.Cg * geo.Hp * geo.Wp * E;
    return { ...read, buf: read.padded ? wasm.threads.arena(Math.ceil(bytes / 16) * 16) : 0 };
  };

  return {
    /**
     * conv2d: out (contiguous [N, O, oH, oW] at `out`) = x ⋆ w (w contiguous [O, Cg, kH, kW]),
     * image by image.
     */
    forward(x: SmallImage, p: Conv2dParams, out: number, w: number, geo: ConvGeometry): void {
      const { N, Cg, O, G, Og, kH, kW, oH, oW, K } = geo;
      const blocks = Math.ceil(Og / SMALL_R);
      // weights in blocks of SMALL_R output channels, (k, r) within a block, zeros past Og
      const packed = wasm.threads.scratch("convSmallW", 0, G * blocks * K * SMALL_R * E);
      const src = f32().subarray(w / E, w / E + O * K);
      const dst = f32().subarray(packed / E, packed / E + G * blocks * K * SMALL_R);
      for (let g = 0; g < G; g++) {
        for (let ob = 0; ob < blocks; ob++) {
          const at = (g * blocks + ob) * K * SMALL_R;
          for (let r = 0; r < SMALL_R; r++) {
            const o = ob * SMALL_R + r;
            const from = (g * Og + o) * K;
            for (let k = 0; k < K; k++) dst[at + k * SMALL_R + r] = o < Og ? src[from + k]! : 0;
          }
        }
      }
      const { padded: pad, cs, hs, buf } = scratchOf(x, p, geo);
      // the taps' byte offsets in the image read
      const taps = wasm.threads.scratch("convSmallTaps", 0, K * 4);
      const tapView = wasm.heap.views.i32.subarray(taps / 4, taps / 4 + K);
      fillTaps(tapView, [Cg, kH, kW], [cs, hs], [1, 1]);
      const image = O * oH * oW * E;
      const args = (n0: number, nImg: number) => [
        ...imageArgs(x, n0, nImg, geo, p, buf, pad),
        packed,
        taps,
        Og,
        G,
        kH,
        kW,
        oH,
        oW,
        out + n0 * image,
      ];
      // blocks of images (fewer queued items: each costs the calling thread a record and a
      // replay), at least 4 per thread
      const items = Math.min(N, Math.max(FORWARD_ITEMS, 4 * getNumThreads()));
      const start = (i: number) => Math.floor((i * N) / items);
      wasm.threads.runItems(
        items,
        (2 * N * O * oH * oW * K) / FLOPS_PER_MICRO,
        (i, call) => call("convSmall_f32", args(start(i), start(i + 1) - start(i)), pad ? BUF : 0),
        () => raw.convSmall_f32(...args(0, N)),
      );
    },

    /**
     * conv2dBackwardWeight: gradW (contiguous [O, Cg, kH, kW] at `gradW`) = Σ over images of
     * gradOut (contiguous [N, O, oH, oW] at `g`) correlated with x, the images summed in B
     * blocks (block b from image ⌊b·N/B⌋; block 0 into gradW, the others into scratch, added
     * in block order).
     */
    backwardWeight(
      x: SmallImage,
      g: number,
      p: Conv2dParams,
      gradW: number,
      geo: ConvGeometry,
      B: number,
    ): void {
      const { N, O, G, Og, kH, kW, oH, oW, K } = geo;
      const block = O * K * E;
      const rest = B > 1 ? wasm.threads.scratch("convSmallGW", 0, (B - 1) * block) : 0;
      const { padded: pad, buf } = scratchOf(x, p, geo);
      const image = O * oH * oW * E;
      const args = [...imageArgs(x, 0, N, geo, p, buf, pad), g, Og, G, kH, kW, oH, oW];
      const start = (b: number) => Math.floor((b * N) / B);
      let summed = false;
      wasm.threads.runItems(
        B,
        (2 * N * O * oH * oW * K) / FLOPS_PER_MICRO,
        (b, call) => {
          // block b alone, into its partial sum
          const n0 = start(b);
          const item = [...args, b === 0 ? gradW : rest + (b - 1) * block, 0, 1];
          item[0] = x.ptr + n0 * x.strides[0]! * E;
          item[5] = start(b + 1) - n0;
          item[13] = g + n0 * image;
          call("convSmallGradW_f32", item, pad ? BUF : 0);
        },
        () => {
          raw.convSmallGradW_f32(...args, gradW, rest, B);
          summed = true;
        },
      );
      if (!summed && B > 1) raw.convSmallSum_f32(gradW, rest, B - 1, O * K);
    },
  };
}
