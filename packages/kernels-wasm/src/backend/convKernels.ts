// Convolution of the WASM backend on NDArrays. conv2d and its two backward
// kernels are im2col (or, for 1×1 stride-1 convolutions, the input itself) plus the GEMM, image
// by image and group by group:
//   forward          out[n,g]  (Og × P) = W[g] (Og × K) @ col[n,g] (K × P)
//   backward input   col       (K × P)  = W[g]ᵀ @ gradOut[n,g], then col2im into gradIn[n,g]
//   backward weight  gradW[g]  (Og × K) += gradOut[n,g] (Og × P) @ col[n,g]ᵀ
// with K = C/groups·kH·kW and P = oH·oW. In f32, for operands that fit in cache and unit stride
// along W, the same products skip im2col (kernels/convGemm.ts): the GEMM reads the image (or a
// zero-padded copy) through a table of the taps' offsets, the weights packed once per call; the
// input gradient of a unit-stride convolution is the forward convolution of gradOut with the
// flipped weights where that measured faster (`backwardInputPath`: "same" convolutions, less
// padding with few output channels; others keep col2im: adding the column tiles straight into
// gradIn measured no faster within a training step); the weight gradient reads a channels-last
// copy of the images (or, for few channels and unit stride, register-blocked kernels
// (backend/convSmall.ts); other few-channel cases take dot products 4 positions wide). 3×3
// stride-1 convolutions of enough channels take Winograd's algorithm instead (backend/winograd.ts
// for the forward and the input gradient, backend/winogradWeight.ts for the weight gradient),
// F(2×2, 3×3) unless the backend was made with another `winograd` choice.
// The threads claim images from the dispatcher's queue, each with its own scratch (its arena).
// The weight gradient sums over images in an order fixed by the shapes alone (blocks of images
// summed one by one, the blocks' partial sums added in block order), never by how many threads
// a call gets: every thread count, and every run, gives the bits of one thread.

import type { Conv2dParams, ConvKernels, NDArray } from "@x/storage";
import { referenceKernels } from "@x/storage";
import { PAD_SLACK } from "../kernels/conv";
import { CONV_MR, CONV_MR_ADD, CONV_NR } from "../kernels/convGemm";
import type { FloatDType } from "../kernels/dtype";
import { gemmConfigs, gemmWorkspaceBytes } from "../kernels/gemm";
import type { ItemCall } from "../threads/dispatch";
import type { WasmKernels } from "../wasmKernels";
import { type ConvGeometry, convGeometry, imageRead } from "./convGeometry";
import { convSmallKernels, fillTaps, smallConvPath } from "./convSmall";
import { kernelDType } from "./layout";
import { walkRaw } from "./walk";
import { type WinogradChoice, winogradConv, winogradTile } from "./winograd";
import { winogradWeight, winogradWeightTile } from "./winogradWeight";

type Dims = [number, number, number, number];
/**
 * An f32 weight-gradient path: gradW of the convolution `geo` under `p` from the images x and
 * the contiguous gradOut at byte address gc.
 */
type WeightPath = (
  x: NDArray,
  gc: number,
  p: Conv2dParams,
  gradW: NDArray,
  geo: ConvGeometry,
) => void;
const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };

/** Most blocks of images whose weight-gradient partial sums are added in a fixed order. */
const WEIGHT_BLOCKS = 16;
/** Most bytes those partial sums may take (beyond it, fewer blocks: less image parallelism). */
const WEIGHT_PARTIAL_BYTES = 8 << 20;
/** Most steps of a dot product summed in one chain by the im2col-free paths (see `pieces`). */
const MAX_CHAIN = 256;
/** Most bytes of image copies and packed gradients one product of the weight gradient takes. */
const WEIGHT_CHUNK_BYTES = 1 << 19;

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

/**
 * Least flops (2·N·O·P·K) of a backward convolution for its im2col-free path: below (about 40 µs
 * on one thread), the setup (weights rearranged and packed, tables, partial sums) costs more
 * than it saves.
 */
export const MIN_IM2COL_FREE_FLOPS = 1.2e6;

/**
 * What the tables of the im2col-free paths' scratch blocks (`Dispatcher.scratch`, one set per
 * WasmKernels, which several backends may share) hold: a signature and the block's address.
 */
const tablesOf = new WeakMap<WasmKernels, Map<string, { sig: string; at: number }>>();

/** Most elements of an operand the im2col-free paths keep in cache (beyond: the GEMM path). */
const DIRECT_ELEMS = 1 << 16;

/**
 * The path of an f32 conv2dBackwardInput: "forward", the forward convolution of gradOut (zero
 * padded by dilation·(k - 1) - padding) with the flipped, transposed weights, or "gemm", the
 * GEMM into a column matrix and col2im. The forward path multiplies the zeros of gradOut's
 * padding too (H·W/(oH·oW) times the products) but saves the column matrix and its scatter:
 * "same" convolutions take it, and convolutions with less padding where, measured, it paid
 * (one thread, N = 32, 3×3): with few output channels (the GEMM's shared dimension Og short)
 * and images large enough that the padding adds little: Og ≤ 8 and H·W ≤ 1.35·P (0.72-0.84 of
 * the GEMM path's time for 16×16 and 24×24 images), Og ≤ 16 and H·W ≤ 1.2·P (0.91-0.98).
 * With Og ≥ 32 (the CNN's second convolution, 13×13 → 11×11: 1.3×), fewer than 4 input
 * channels (rows of the forward's tiles left empty: 1.4-1.7×), or more padding (3×3 on 10×10:
 * 1.1-1.9×) it was slower.
 *
 * @example
 * backwardInputPath([32, 16, 24, 24], [8, 16, 3, 3], valid, [22, 22]); // "forward"
 */
export function backwardInputPath(
  [N, C, H, W]: readonly number[],
  [O, Cg, kH, kW]: readonly number[],
  p: Conv2dParams,
  [oH, oW]: readonly number[],
): "forward" | "gemm" {
  const G = p.groups;
  const Og = O! / G;
  const P = oH! * oW!;
  const [dH, dW] = p.dilation;
  const pointwise =
    kH === 1 && kW === 1 && oH === H && oW === W && p.padding[0] === 0 && p.padding[1] === 0;
  const pays = (HW: number) =>
    HW <= 1.15 * P || (Og <= 8 && HW <= 1.35 * P) || (Og <= 16 && HW <= 1.2 * P);
  const forward =
    C! > 0 &&
    !pointwise &&
    Cg! >= 4 &&
    2 * N! * O! * P * Cg! * kH! * kW! >= MIN_IM2COL_FREE_FLOPS &&
    p.stride[0] === 1 &&
    p.stride[1] === 1 &&
    p.padding[0] <= dH * (kH! - 1) &&
    p.padding[1] <= dW * (kW! - 1) &&
    pays(H! * W!) &&
    O! * Cg! * kH! * kW! <= DIRECT_ELEMS &&
    Og * (oH! + 2 * dH * kH!) * (oW! + 2 * dW * kW!) <= DIRECT_ELEMS;
  return forward ? "forward" : "gemm";
}

/** The first image of block `b` of `B` over `N` images. */
const blockStart = (N: number, B: number, b: number) => Math.floor((b * N) / B);

/** The convolution kernels with a WASM path. */
export const wasmConvKernels = ["conv2d", "conv2dBackwardInput", "conv2dBackwardWeight"] as const;

/** The conv kernels of the backend whose storages are `owns`'s. */
export function convKernels(
  wasm: WasmKernels,
  owns: (x: NDArray) => boolean,
  winogradChoice: WinogradChoice = "F2",
): Pick<ConvKernels, (typeof wasmConvKernels)[number]> {
  const heap = wasm.heap;
  const small = convSmallKernels(wasm);
  const winograd = winogradConv(wasm);
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
  const pointwise = ({ H, W, kH, kW, oH, oW }: ConvGeometry, p: Conv2dParams) =>
    kH === 1 &&
    kW === 1 &&
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
  const colGeometry = ({ H, W, kH, kW, oH, oW }: ConvGeometry, p: Conv2dParams) => [
    H,
    W,
    kH,
    kW,
    ...p.stride,
    ...p.padding,
    ...p.dilation,
    oH,
    oW,
  ];

  /**
   * Arguments of padCopy_f32 / nhwcCopy_f32: the Cg channels at `src` of an image of element
   * strides `strides` [n, c, h, w] into a zero-padded Hp × Wp copy at `dst`.
   */
  const copyArgs = (
    src: number,
    strides: readonly number[],
    { Cg, H, W, Hp, Wp }: ConvGeometry,
    p: Conv2dParams,
    dst: number,
  ) => [src, strides[1]!, strides[2]!, strides[3]!, Cg, H, W, ...p.padding, Hp, Wp, dst];

  // ---- f32 paths without im2col (convGemm_f32, see kernels/convGemm.ts) ----

  const E4 = 4;
  /** Rows of A padded to whole MR-row panels. */
  const panelRows = (m: number, mr = CONV_MR) => Math.ceil(m / mr) * mr;
  const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const TILE_BYTES = align16(CONV_MR * CONV_NR * E4);
  /** Relocation bits of convGemm_f32's arguments: ap, bBase, tile. */
  const CG_A = 1 << 0;
  const CG_B = 1 << 4;
  const CG_TILE = 1 << 12;
  /** Relocation bit of padCopy/nhwcCopy's dst, convPack's dst. */
  const COPY_DST = 1 << 11;
  const PACK_DST = 1 << 5;

  /** The signature of the contents of each table's scratch block, to fill it only on change. */
  let tables = tablesOf.get(wasm);
  if (!tables) {
    tables = new Map();
    tablesOf.set(wasm, tables);
  }
  /**
   * An i32 table of `length` (byte offsets) in a scratch block shared by the threads (read
   * only), filled by `fill` unless it holds the table of signature `sig` already.
   */
  const table = (key: string, length: number, sig: string, fill: (t: Int32Array) => void) => {
    const at = wasm.threads.scratch(key, 0, Math.max(1, length) * 4);
    const last = tables.get(key);
    if (last?.sig !== sig || last.at !== at) {
      fill(heap.views.i32.subarray(at / 4, at / 4 + length));
      tables.set(key, { sig, at });
    }
    return at;
  };

  /**
   * The byte offsets of the taps (c, kh, kw) of an image with channel and row strides cs, hs
   * (elements, unit column stride), in (c, kh, kw) order or, `channelsInner`, (kh, kw, c).
   */
  const tapTable = (
    key: string,
    [Cg, kH, kW]: [number, number, number],
    [cs, hs]: [number, number],
    [dH, dW]: readonly [number, number],
    channelsInner = false,
  ) =>
    table(key, Cg * kH * kW, `${channelsInner} ${Cg} ${kH} ${kW} ${cs} ${hs} ${dH} ${dW}`, (t) =>
      fillTaps(t, [Cg, kH, kW], [cs, hs], [dH, dW], channelsInner),
    );

  /**
   * The pieces [k0, k1) of a shared dimension of kc steps summed in one chain each (the next
   * piece's sum then added to C): at most MAX_CHAIN steps, like the GEMM's KC blocks, so that
   * long dot products keep the rounding of blocked sums.
   */
  const pieces = (kc: number): [number, number][] => {
    const count = Math.max(1, Math.ceil(kc / MAX_CHAIN));
    return Array.from({ length: count }, (_, q) => [
      Math.floor((q * kc) / count),
      Math.floor(((q + 1) * kc) / count),
    ]);
  };

  /**
   * The G groups' [rows × kc] blocks (element (r, k) of group g at src + g·groupBytes +
   * (r·rs + k·ks)·4) packed in a shared scratch block, piece by piece (`pieces(kc)`) into
   * mr-row panels of the piece's steps; `at(g, k0)` is the panels of group g's piece from k0.
   */
  const packShared = (
    key: string,
    src: number,
    groupBytes: number,
    G: number,
    [rs, ks]: [number, number],
    rows: number,
    kc: number,
    mr = CONV_MR,
  ) => {
    const R = panelRows(rows, mr);
    const base = wasm.threads.scratch(key, 0, Math.max(16, G * R * kc * E4));
    const pack = mr === CONV_MR ? raw.convPack_f32 : raw.convPack4_f32;
    const at = (g: number, k0: number) => base + (g * kc + k0) * R * E4;
    const split = pieces(kc);
    for (let g = 0; g < G; g++) {
      for (const [k0, k1] of split) {
        pack(src + g * groupBytes + k0 * ks * E4, rs, ks, rows, k1 - k0, at(g, k0));
      }
    }
    return at;
  };

  /**
   * conv2d in f32 without im2col: per image and group, out (Og × P) = W (Og × K) @ B with B read
   * from the image (or its zero-padded copy) through the taps' offsets, one output row at a time.
   */
  const forwardDirect = (
    x: { ptr: number; strides: readonly number[] },
    p: Conv2dParams,
    po: number,
    wp: number,
    geo: ConvGeometry,
  ) => {
    const { N, Cg, O, G, Og, kH, kW, oH, oW, K, P, Hp, Wp } = geo;
    const [xs0, xs1] = x.strides as Dims;
    // read the image itself when no tap falls outside it and every tile fits a row
    const { padded, cs, hs } = imageRead(geo, p.padding, x.strides, oW < CONV_NR);
    const packed = packShared("convW", wp, Og * K * E4, G, [K, 1], Og, K);
    const tbl = tapTable("convTbl", [Cg, kH, kW], [cs, hs], p.dilation);
    const bufBytes = padded ? align16((Cg * Hp * Wp + PAD_SLACK) * E4) : 0;
    const tile = wasm.threads.arena(TILE_BYTES + bufBytes);
    const buf = tile + TILE_BYTES;
    const px = x.ptr;
    const rowStep = p.stride[0] * hs * E4;
    const split = pieces(K);
    wasm.threads.runItems(N, micros(2 * N * O * P * K), (n, call) => {
      for (let g = 0; g < G; g++) {
        const xg = px + (n * xs0 + g * Cg * xs1) * E4;
        let src = xg;
        let relocate = CG_TILE;
        if (padded) {
          call("padCopy_f32", copyArgs(xg, x.strides, geo, p, buf), COPY_DST);
          src = buf;
          relocate |= CG_B;
        }
        const c = po + (n * O + g * Og) * P * E4;
        for (const [k0, k1] of split) {
          const args = [packed(g, k0), Og, k1 - k0, tbl + k0 * 4, src, rowStep, c, oW * E4];
          call("convGemm_f32", [...args, oH, oW, P * E4, k0 > 0 ? 1 : 0, tile], relocate);
        }
      }
    });
  };

  /**
   * conv2dBackwardWeight in f32: per group, gradW (Og × K, K in (kh, kw, c) order) = Σ over
   * images of gradOut (Og × P) @ B, B read from a channels-last, zero-padded copy of the image
   * through the output positions' offsets, one kernel row of (kw, c) columns at a time. The
   * images are summed in `weightBlocks` blocks, each a few products over several images at once
   * (their copies side by side, one table of positions over all of them), the blocks' partial
   * sums then added in block order; the sum is put in (c, kh, kw) order at the end.
   */
  const backwardWeightDirect: WeightPath = (x, gc, p, gradW, geo) => {
    const { N, Cg, O, G, Og, kH, kW, oH, oW, K, P, Hp, Wp } = geo;
    const T = kH * kW;
    const [xs0, xs1] = x.strides as Dims;
    const [sH, sW] = p.stride;
    const block = O * K * E4;
    const B = weightBlocks(N, block);
    const image = align16(Hp * Wp * Cg * E4);
    // 4-row panels: the products add to C (one per chunk of a block) from registers
    const MR = CONV_MR_ADD;
    const panels = Math.ceil(Og / MR);
    // images per product: a block's, as many as keep the chain and the scratch short; an image
    // of more positions than a chain, a product per piece of its positions
    const perImage = image + panels * MR * P * E4;
    const chunk = Math.max(
      1,
      Math.min(
        Math.ceil(N / B),
        Math.floor(MAX_CHAIN / P),
        Math.floor(WEIGHT_CHUNK_BYTES / perImage),
      ),
    );
    const splits = chunk > 1 ? [[0, P] as [number, number]] : pieces(P);
    const tbl = table(
      "convTbl",
      chunk * P,
      `pos ${chunk} ${oH} ${oW} ${sH} ${sW} ${Wp} ${Cg}`,
      (t) => {
        let i = 0;
        for (let j = 0; j < chunk; j++)
          for (let oh = 0; oh < oH; oh++)
            for (let ow = 0; ow < oW; ow++) t[i++] = j * image + (oh * sH * Wp + ow * sW) * Cg * E4;
      },
    );
    const bufBytes = chunk * image + align16(PAD_SLACK * E4);
    const tile = wasm.threads.arena(TILE_BYTES + bufBytes + chunk * panels * MR * P * E4);
    const buf = tile + TILE_BYTES;
    const gp = buf + bufBytes;
    const px = ptr(x, E4);
    const targets = Array.from({ length: B }, (_, b) => wasm.threads.scratch("convGW", b, block));
    const rowStep = p.dilation[0] * Wp * Cg * E4;
    wasm.threads.runItems(B, micros(2 * N * O * P * K), (b, call) => {
      const end = blockStart(N, B, b + 1);
      for (let g = 0; g < G; g++) {
        let first = true;
        for (let n0 = blockStart(N, B, b); n0 < end; n0 += chunk) {
          // the chunk's images side by side, gradOut's rows packed panel by panel, each panel's
          // steps running over every image's positions (or a piece of one image's)
          const nb = Math.min(chunk, end - n0);
          for (let j = 0; j < nb; j++) {
            const xg = px + ((n0 + j) * xs0 + g * Cg * xs1) * E4;
            const dst = buf + j * image;
            call("nhwcCopy_f32", copyArgs(xg, x.strides, geo, p, dst), COPY_DST);
          }
          for (const [k0, k1] of splits) {
            for (let j = 0; j < nb; j++) {
              const go = gc + ((n0 + j) * O + g * Og) * P * E4 + k0 * E4;
              for (let i = 0; i < panels; i++) {
                const rows = Math.min(MR, Og - i * MR);
                const at = gp + (i * nb + j) * MR * (k1 - k0) * E4;
                const src = go + i * MR * P * E4;
                call("convPack4_f32", [src, P, 1, rows, k1 - k0, at], PACK_DST);
              }
            }
            const c = targets[b]! + g * Og * K * E4;
            const steps = nb * (k1 - k0);
            const args = [gp, Og, steps, tbl + k0 * 4, buf, rowStep, c, kW * Cg * E4, kH, kW * Cg];
            call("convGemm4_f32", [...args, K * E4, first ? 0 : 1, tile], CG_A | CG_B | CG_TILE);
            first = false;
          }
        }
      }
    });
    const sum = targets[0]!;
    for (let b = 1; b < B; b++) raw.binary_add_f32_vv(sum, targets[b]!, sum, O * K);
    // (o, kh, kw, c) → (o, c, kh, kw), tap by tap
    const gw = ptr(gradW, E4);
    for (let t = 0; t < T; t++) {
      raw.copy2d_4(sum + t * Cg * E4, K * E4, E4, gw + t * E4, K * E4, T * E4, O, Cg);
    }
  };

  /**
   * conv2dBackwardInput in f32 of a unit-stride convolution as the forward convolution of
   * gradOut (padded by dilation·(k - 1) - padding) with the flipped, transposed weights
   * W'[c, o, kH-1-kh, kW-1-kw] = W[o, c, kh, kw]: no column matrix, no scatter, but the taps of
   * gradOut's padding are multiplied too, so it is chosen where gradIn is not much larger than
   * gradOut (see `backwardInputPath`).
   */
  const backwardInputByForward = (
    gc: number,
    wp: number,
    p: Conv2dParams,
    gi: number,
    { N, Cg, H, W, O, G, Og, kH, kW, oH, oW }: ConvGeometry,
  ) => {
    const C = Cg * G;
    const T = kH * kW;
    // W' as the weights [C, Og, kH, kW] of a convolution with C outputs and O inputs
    const flipped = wasm.threads.scratch("convWflip", 0, O * Cg * T * E4);
    for (let g = 0; g < G; g++) {
      for (let t = 0; t < T; t++) {
        const src = wp + (g * Og * Cg * T + T - 1 - t) * E4;
        const dst = flipped + (g * Cg * Og * T + t) * E4;
        raw.copy2d_4(src, T * E4, Cg * T * E4, dst, Og * T * E4, T * E4, Cg, Og);
      }
    }
    const [dH, dW] = p.dilation;
    const q: Conv2dParams = {
      stride: [1, 1],
      padding: [dH * (kH - 1) - p.padding[0], dW * (kW - 1) - p.padding[1]],
      dilation: [dH, dW],
      groups: G,
    };
    // gradOut [N, O, oH, oW] the images, W' the weights [C, Og, kH, kW], gradIn the output
    const geoQ = convGeometry([N, O, oH, oW], [C, Og, kH, kW], [N, C, H, W], q);
    const src = { ptr: gc, strides: [O * oH * oW, oH * oW, oW, 1] };
    forwardDirect(src, q, gi, flipped, geoQ);
  };

  /**
   * conv2dBackwardWeight in f32 for few input channels (a row of (kw, c) shorter than a GEMM
   * tile) that the small-convolution path (backend/convSmall.ts: unit stride and dilation, K ≤
   * 27) does not take: per image and group, gradW[o][t] += Σ_p gradOut[o][p] · x[p + tap t], 4
   * positions at a time (convDot_f32), neither operand packed. Images summed in `weightBlocks`
   * blocks as in `backwardWeightDirect`.
   */
  const backwardWeightDot: WeightPath = (x, gc, p, gradW, geo) => {
    const { N, Cg, O, G, Og, kH, kW, oH, oW, K, P, Hp, Wp } = geo;
    const [xs0, xs1] = x.strides as Dims;
    const { padded, cs, hs } = imageRead(geo, p.padding, x.strides);
    const taps = tapTable("convTap", [Cg, kH, kW], [cs, hs], p.dilation);
    const bufBytes = padded ? align16((Cg * Hp * Wp + PAD_SLACK) * E4) : 16;
    const buf = wasm.threads.arena(bufBytes);
    const px = ptr(x, E4);
    const block = O * K * E4;
    const B = weightBlocks(N, block);
    const targets = Array.from({ length: B }, (_, b) =>
      b === 0 ? ptr(gradW, E4) : wasm.threads.scratch("convGW", b, block),
    );
    const rowStep = p.stride[0] * hs * E4;
    wasm.threads.runItems(B, micros(2 * N * O * P * K), (b, call) => {
      const n0 = blockStart(N, B, b);
      for (let n = n0; n < blockStart(N, B, b + 1); n++) {
        for (let g = 0; g < G; g++) {
          const xg = px + (n * xs0 + g * Cg * xs1) * E4;
          let src = xg;
          let relocate = 0;
          if (padded) {
            call("padCopy_f32", copyArgs(xg, x.strides, geo, p, buf), COPY_DST);
            src = buf;
            relocate = 1 << 3;
          }
          const go = gc + (n * O + g * Og) * P * E4;
          const c = targets[b]! + g * Og * K * E4;
          const args = [go, P * E4, Og, src, taps, K, oH, oW, rowStep, c, K * E4, n > n0 ? 1 : 0];
          call("convDot_f32", args, relocate);
        }
      }
    });
    const sum = targets[0]!;
    for (let b = 1; b < B; b++) raw.binary_add_f32_vv(sum, targets[b]!, sum, O * K);
  };

  return {
    conv2d(x, w, p, out) {
      const d = floatAll(x, w, out);
      if (!d || !out.isContiguous()) return referenceKernels.conv2d(x, w, p, out);
      const E = BYTES[d];
      const geo = convGeometry(x.shape, w.shape, out.shape, p);
      const { N, Cg, H, W, O, G, Og, oH, oW, K, P } = geo;
      if (N * O * P === 0) return;
      if (K === 0) return zero(out);
      const wc = contiguous(w, E);
      // few input channels, unit stride: register-blocked kernels (backend/convSmall.ts)
      if (d === "f32" && smallConvPath(x.shape, w.shape, p, [oH, oW])) {
        const src = { ptr: ptr(x, E4), strides: x.strides };
        small.forward(src, p, ptr(out, E4), wc.p, geo);
        if (wc.scratch) heap.free(wc.p);
        return;
      }
      // 3×3, stride 1, enough channels: Winograd (backend/winograd.ts; measured 0.45-0.5× the
      // time of the im2col-free path below for the CNN's and the digits model's second
      // convolutions, one thread)
      const tile =
        d === "f32" ? winogradTile(x.shape, w.shape, p, [oH, oW], winogradChoice) : undefined;
      if (tile) {
        const src = { ptr: ptr(x, E4), strides: x.strides };
        const wts = { ptr: wc.p, sco: Cg, sci: 1, flip: false };
        winograd(src, [N, Cg, H, W], wts, O, p.padding, ptr(out, E4), tile);
        // an Inf or NaN spoils a whole Winograd tile: such calls are redone below
        if (raw.allFinite_f32(ptr(out, E4), out.numel())) {
          if (wc.scratch) heap.free(wc.p);
          return;
        }
      }
      const byTaps =
        d === "f32" && p.stride[1] === 1 && Og * K <= DIRECT_ELEMS && !pointwise(geo, p);
      if (byTaps && Cg * geo.Hp * geo.Wp <= DIRECT_ELEMS) {
        const src = { ptr: ptr(x, E4), strides: x.strides };
        forwardDirect(src, p, ptr(out, E4), wc.p, geo);
        if (wc.scratch) heap.free(wc.p);
        return;
      }
      const is1x1 = pointwise(geo, p) && x.strides[3] === 1 && x.strides[2] === W;
      const [xs0, xs1] = x.strides as Dims;
      const po = ptr(out, E);
      const cols = colGeometry(geo, p);
      const { work, col } = arena(d, is1x1 ? 0 : K * P * E);
      wasm.threads.runItems(N, micros(2 * N * O * P * K), (n, call) => {
        for (let g = 0; g < G; g++) {
          const c = po + (n * O + g * Og) * P * E;
          const a = wc.p + g * Og * K * E;
          if (is1x1) {
            const b = ptr(x, E) + (n * xs0 + g * Cg * xs1) * E;
            gemm(d, call, [Og, P, K], [a, K, 1], [b, xs1, 1], [c, P], false, work, 0);
          } else {
            call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, cols, col), IM2COL_COL);
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
      const C = gradIn.shape[1]!;
      const geo = convGeometry(gradIn.shape, w.shape, gradOut.shape, p);
      const { N, Cg, H, W, O, G, Og, kH, kW, oH, oW, K, P } = geo;
      if (N * C * H * W === 0) return;
      if (P === 0 || Og === 0) return zero(gradIn);
      const wc = contiguous(w, E);
      const gc = contiguous(gradOut, E);
      const is1x1 = pointwise(geo, p);
      const gi = ptr(gradIn, E);
      const cols = colGeometry(geo, p);
      // 3×3, stride 1: the forward convolution of gradOut (padded by 2 - padding) with the
      // flipped, transposed weights by Winograd (backend/winograd.ts; measured 0.5-0.7× the time
      // of the GEMM path for the CNN's and the digits model's second convolutions, one thread)
      const q = { ...p, padding: [2 - p.padding[0], 2 - p.padding[1]] as [number, number] };
      const tile =
        d === "f32" && q.padding[0] >= 0 && q.padding[1] >= 0
          ? winogradTile([N, O, oH, oW], [C, O / G, kH, kW], q, [H, W], winogradChoice)
          : undefined;
      if (tile) {
        const src = { ptr: gc.p, strides: [O * P, P, oW, 1] };
        const wts = { ptr: wc.p, sco: 1, sci: C, flip: true };
        winograd(src, [N, O, oH, oW], wts, C, q.padding, gi, tile);
        // an Inf or NaN spoils a whole Winograd tile: such calls are redone below
        if (raw.allFinite_f32(gi, gradIn.numel())) {
          if (wc.scratch) heap.free(wc.p);
          if (gc.scratch) heap.free(gc.p);
          return;
        }
      }
      if (
        d === "f32" &&
        backwardInputPath([N, C, H, W], [O, Cg, kH, kW], p, [oH, oW]) === "forward"
      ) {
        backwardInputByForward(gc.p, wc.p, p, gi, geo);
        if (wc.scratch) heap.free(wc.p);
        if (gc.scratch) heap.free(gc.p);
        return;
      }
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
            call(`col2im_${d}`, [col, Cg, ...cols, dst, 1], 1);
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
      const geo = convGeometry(x.shape, gradW.shape, gradOut.shape, p);
      const { N, Cg, W, O, G, Og, kW, oH, oW, K, P, Hp, Wp } = geo;
      if (O * K === 0) return;
      if (N === 0 || P === 0) return zero(gradW);
      const gc = contiguous(gradOut, E);
      const is1x1 = pointwise(geo, p) && x.strides[3] === 1 && x.strides[2] === W;
      // 3×3 stride 1, enough channels: Winograd's F(2×2, 3×3) (backend/winogradWeight.ts; one
      // thread, N = 32: the CNN's second convolution, 16 → 32 on 13×13, 880 → 650 µs, the
      // digits model's, 16 → 32 on 8×8 padded, 480 → 285 µs)
      const wino =
        d === "f32" ? winogradWeightTile(x.shape, gradW.shape, p, winogradChoice) : undefined;
      if (wino) {
        winogradWeight(wasm, x, gc.p, p, gradW, wino);
        // an Inf or NaN spoils a whole Winograd tile: such calls are redone below
        if (raw.allFinite_f32(ptr(gradW, E4), gradW.numel())) {
          if (gc.scratch) heap.free(gc.p);
          return;
        }
      }
      // the paths without im2col for f32 (unless too small to pay their setup)
      // by dot products (little setup) for few channels, else from channels-last copies (unless
      // too small to pay their setup)
      // few input channels, unit stride: register-blocked kernels (backend/convSmall.ts)
      if (d === "f32" && smallConvPath(x.shape, gradW.shape, p, [oH, oW], true)) {
        const src = { ptr: ptr(x, E4), strides: x.strides };
        const B = weightBlocks(N, O * K * E4);
        small.backwardWeight(src, gc.p, p, ptr(gradW, E4), geo, B);
        if (gc.scratch) heap.free(gc.p);
        return;
      }
      const dot = d === "f32" && !is1x1 && kW * Cg < CONV_NR && p.stride[1] === 1 && oW >= 4;
      if (dot && O * K <= DIRECT_ELEMS && Hp * Wp * Cg <= DIRECT_ELEMS) {
        backwardWeightDot(x, gc.p, p, gradW, geo);
        if (gc.scratch) heap.free(gc.p);
        return;
      }
      const im2colFree = d === "f32" && !is1x1 && 2 * N * O * P * K >= MIN_IM2COL_FREE_FLOPS;
      if (
        im2colFree &&
        p.dilation[1] === 1 &&
        kW * Cg >= CONV_NR &&
        O * K <= DIRECT_ELEMS &&
        Hp * Wp * Cg <= DIRECT_ELEMS &&
        panelRows(Og) * P <= DIRECT_ELEMS
      ) {
        backwardWeightDirect(x, gc.p, p, gradW, geo);
        if (gc.scratch) heap.free(gc.p);
        return;
      }
      const [xs0, xs1] = x.strides as Dims;
      const gw = ptr(gradW, E);
      const cols = colGeometry(geo, p);
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
            } else call(`im2col_${d}`, im2colArgs(d, x, n, g * Cg, Cg, cols, col), IM2COL_COL);
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
