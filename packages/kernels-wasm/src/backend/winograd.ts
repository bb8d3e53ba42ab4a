// Winograd convolution of the WASM backend (kernels/winograd.ts): f32 conv2d with 3×3 kernels,
// stride 1, dilation 1, one group, and the input gradient of such a convolution as the forward
// convolution of gradOut (zero padded by 2 - padding) with the flipped, transposed weights.
// Per call: the weights transformed (U_ξ = G g Gᵀ, in f64, rounded once) into the GEMM's packed
// 6-row panels, shared by the threads; then per item (a few images, a fixed function of the
// shapes): the images zero-padded into the thread's arena (`padCopy_f32`) and one
// `winoConv<m>_f32` call for all of their tiles (transforms, the α² products; F(2×2) writes the
// output directly, F(4×4) a padded scratch then cropped).

import type { Conv2dParams } from "@x/storage";
import { PAD_SLACK } from "../kernels/conv";
import {
  WINO_MR,
  WINO_NR,
  WINO_RELOCATE,
  WINO_RELOCATE_DIRECT,
  type WinogradVariant,
  winogradPositions,
  winogradVariants,
} from "../kernels/winograd";
import type { WasmKernels } from "../wasmKernels";

/**
 * Tiles of one item's images: ITEM_TILES … 2·ITEM_TILES (several GEMM panels, the weights' panels
 * reused; several items for the threads), the image count that wastes the fewest columns of the
 * last 8-tile panel.
 */
const ITEM_TILES = 32;

/**
 * Images per item for N images of `tiles` tiles each: a function of the shapes alone.
 *
 * @example
 * imagesPerItem(32, 9); // 8 (72 tiles: 9 whole panels)
 */
export function imagesPerItem(N: number, tiles: number): number {
  const lo = Math.max(1, Math.ceil(ITEM_TILES / tiles));
  const hi = Math.max(lo, Math.ceil((2 * ITEM_TILES) / tiles));
  let best = lo;
  let bestWaste = Number.POSITIVE_INFINITY;
  for (let nb = lo; nb <= hi; nb++) {
    const t = nb * tiles;
    const waste = (Math.ceil(t / WINO_NR) * WINO_NR - t) / t;
    if (waste < bestWaste - 1e-9) {
      best = nb;
      bestWaste = waste;
    }
  }
  return Math.min(N, best);
}

/**
 * Which Winograd convolutions the backend runs (`WasmBackendOptions.winograd`): "F2" F(2×2, 3×3)
 * (the default: its rounding measured like PyTorch's own float32 convolution), "F4" F(4×4, 3×3)
 * where it is faster (fewer products, about 10 times the rounding error of a direct convolution),
 * "off" none.
 */
export type WinogradChoice = "F2" | "F4" | "off";

/** Most elements of one padded image or its output tiles (the scratch of an item). */
const MAX_IMAGE_ELEMS = 1 << 20;
/**
 * Most channel pairs Cin·Cout of F(4×4) and of F(2×2): beyond, their transformed weights (36 or
 * 16 per pair, read once per panel of 8 tiles) leave the cache (Cin = Cout = 128, 8×8 images:
 * F(2×2) 1.06 ms, F(4×4) 1.69 ms).
 */
const MAX_PAIRS_4 = 8192;
const MAX_PAIRS_2 = 65536;

/** Fewest F(2×2) tiles over all images of a call. */
const MIN_TILES = 16;

/** Most input channels: each product sums them in one chain (the GEMM blocks longer sums). */
const MAX_CHAIN = 256;

/** Relocation bit of padCopy_f32's dst. */
const COPY_DST = 1 << 11;

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** A float32 source: pointer and element strides [n, c, h, w]. */
export interface WinogradSource {
  readonly ptr: number;
  readonly strides: readonly number[];
}

/**
 * Weights [Cout, Cin, 3, 3] of the convolution: w(co, ci, kh, kw) at ptr + ((co·sco + ci·sci)·9 +
 * tap)·4, tap = kh·3 + kw, or 8 - tap when `flip`.
 */
export interface WinogradWeights {
  readonly ptr: number;
  readonly sco: number;
  readonly sci: number;
  readonly flip: boolean;
}

/**
 * The f32 Winograd convolution over `wasm`: `conv(x, [N, Cin, H, W], w, Cout, [pH, pW], out,
 * m)` writes the contiguous out [N, Cout, H + 2pH - 2, W + 2pW - 2].
 */
export function winogradConv(wasm: WasmKernels) {
  const heap = wasm.heap;
  const raw = wasm.raw;
  /** U_ξ packed: element (co, ci) of ξ at ((ξ·RP + co/6)·Cin + ci)·6 + co % 6 (f32 elements). */
  const packWeights = (v: WinogradVariant, w: WinogradWeights, Cout: number, Cin: number) => {
    const P = winogradPositions(v.m);
    const RP = Math.ceil(Cout / WINO_MR);
    const at = wasm.threads.scratch("winoConvU", 0, P * RP * Cin * WINO_MR * 4);
    const [tap0, tapStep] = w.flip ? [32, -4] : [0, 4];
    raw[`winoWeights${v.m}_f32`](w.ptr, w.sco * 36, w.sci * 36, tap0, tapStep, Cout, Cin, at);
    return at;
  };

  return (
    x: WinogradSource,
    [N, Cin, H, W]: readonly [number, number, number, number],
    w: WinogradWeights,
    Cout: number,
    [pH, pW]: readonly [number, number],
    out: number,
    m: 2 | 4,
  ) => {
    const v = winogradVariants[m];
    const P = winogradPositions(m);
    const oH = H + 2 * pH - 2;
    const oW = W + 2 * pW - 2;
    const tH = Math.ceil(oH / m);
    const tW = Math.ceil(oW / m);
    const tiles = tH * tW;
    const Hp = tH * m + 2;
    const Wp = tW * m + 2;
    const oHp = tH * m;
    const oWp = tW * m;
    const nb = imagesPerItem(N, tiles);
    const items = Math.ceil(N / nb);
    const imgBytes = align16((Cin * Hp * Wp + PAD_SLACK) * 4);
    const ocs = oHp * oWp * 4;
    const vBytes = P * Cin * WINO_NR * 4;
    const mBytes = P * Cout * WINO_NR * 4;
    const oBytes = nb * Cout * ocs;
    const u = packWeights(v, w, Cout, Cin);
    // F(2×2) writes its tiles straight into the output (the output transform told which
    // tiles reach past its last row or column); F(4×4) into a padded scratch, then cropped
    const direct = m === 2;
    const ps = direct ? oH * oW * 4 : ocs;
    const prow = direct ? oW * 4 : oWp * 4;
    // the (patch, output) byte offsets of the tiles of nb images, and of the last item's images
    // when fewer
    const kLast = N - (items - 1) * nb;
    const tbl = wasm.threads.scratch("winoConvTbl", 0, nb * tiles * 8);
    const tblLast = kLast < nb ? wasm.threads.scratch("winoConvTbl", 1, kLast * tiles * 8) : tbl;
    /** Which of its second column (bit 0) and row (bit 1) of a tile F(2×2) leaves out. */
    const kind = (th: number, tw: number) =>
      direct ? +(tw * m + 1 >= oW) | (+(th * m + 1 >= oH) << 1) : 0;
    /**
     * The table of k images at `at`, the tiles of each kind together (the whole tiles first: the
     * output transform's groups of 4 tiles mostly all whole; a tile's result depends on no other
     * tile), the kind in the output offset's low bits.
     */
    const fill = (at: number, k: number) => {
      const t32 = heap.views.i32;
      const next = [0, 0, 0, 0, 0];
      for (let th = 0; th < tH; th++) for (let tw = 0; tw < tW; tw++) next[kind(th, tw) + 1]! += k;
      for (let f = 1; f < 4; f++) next[f]! += next[f - 1]!;
      for (let j = 0; j < k; j++) {
        for (let th = 0; th < tH; th++) {
          for (let tw = 0; tw < tW; tw++) {
            const fl = kind(th, tw);
            const i = at / 4 + 2 * next[fl]!++;
            t32[i] = j * imgBytes + (th * m * Wp + tw * m) * 4;
            t32[i + 1] = (j * Cout * ps + th * m * prow + tw * m * 4) | fl;
          }
        }
      }
    };
    fill(tbl, nb);
    if (tblLast !== tbl) fill(tblLast, kLast);
    const buf = wasm.threads.arena(nb * imgBytes + vBytes + mBytes + (direct ? 0 : oBytes));
    const vp = buf + nb * imgBytes;
    const mp = vp + vBytes;
    const op = mp + mBytes;
    const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
    const flops = 2 * N * tiles * P * Cout * Cin;
    const fn = `winoConv${m}_f32`;
    wasm.threads.runItems(items, flops / 30e3, (it, call) => {
      const n0 = it * nb;
      const k = Math.min(nb, N - n0);
      for (let j = 0; j < k; j++) {
        const src = x.ptr + (n0 + j) * xs0 * 4;
        const dst = buf + j * imgBytes;
        call("padCopy_f32", [src, xs1, xs2, xs3, Cin, H, W, pH, pW, Hp, Wp, dst], COPY_DST);
      }
      const dst = out + n0 * Cout * oH * oW * 4;
      const t = k < nb ? tblLast : tbl;
      const args = [buf, t, k * tiles, Cin, Cout, Hp * Wp * 4, Wp * 4, u, vp, mp];
      if (direct) call(fn, [...args, dst, ps, prow, 0, oH, oW, dst], WINO_RELOCATE_DIRECT);
      else call(fn, [...args, op, ocs, prow, k * Cout, oH, oW, dst], WINO_RELOCATE);
    });
  };
}

/**
 * The Winograd tile (F(m×m, 3×3)) an f32 convolution of x [N, Cin, H, W] with weights
 * [Cout, Cin/groups, kH, kW] into [oH, oW] takes under `choice`, or undefined for the other
 * paths: 3×3, stride
 * 1, dilation 1, one group, padding ≤ 2, the output of the symmetric size, at least 4 input and
 * output channels and 64 pairs of them, at most MAX_CHAIN input channels. Measured (one thread,
 * ms per call, the im2col-free forward / the input gradient's path before → F(4×4) / F(2×2)):
 *   N=32 16→32 13×13 valid:   forward 0.96 → 0.47 / 0.67, input gradient 1.30 → 0.91 / 0.97
 *   N=32 16→32 8×8 padding 1: forward 0.50 → 0.23 / 0.31, input gradient 0.54 → 0.26 / 0.32
 *   N=32 8→8 16×16 p1: 0.28 → 0.20 / 0.23, 0.33 → 0.20 / 0.27; N=32 8→8 8×8 p1: 0.087 → 0.064
 *   N=32 4→8 16×16 p1: 0.158 → 0.153 (not taken: under 64 pairs)
 *   N=16 32→32 16×16 p1: 1.79 → 0.71 / 1.01; N=8 64→64 16×16 p1: 3.5 → 1.25 / 1.78
 *   N=4 128→128 8×8 p1: F(4×4) 1.69, F(2×2) 1.06 (the transformed weights leave the cache)
 * F(4×4) rounds more: its largest error measured ~1.2e-6 of Σ|x·w| (F(2×2) ~2e-7, the direct
 * paths ~1e-7), within the conformance tolerance (rtol 1e-4, atol 1e-5) for data of unit size;
 * against float64, the CNN's second convolution (unit data, default-init weights) measured a
 * largest error of 2.8e-7 of the largest output by F(2×2), 7.2e-7 by the direct path, 5.4e-7
 * by PyTorch 1.13's own float32, 2.2e-6 by F(4×4): hence F(2×2) by default, F(4×4) on request.
 */
export function winogradTile(
  [N, Cin, H, W]: readonly number[],
  [Cout, Cg, kH, kW]: readonly number[],
  p: Conv2dParams,
  [oH, oW]: readonly number[],
  choice: WinogradChoice = "F2",
): 2 | 4 | undefined {
  if (choice === "off") return undefined;
  const [pH, pW] = p.padding;
  const ok =
    oH === H! + 2 * pH - 2 &&
    oW === W! + 2 * pW - 2 &&
    kH === 3 &&
    kW === 3 &&
    p.groups === 1 &&
    Cg === Cin &&
    p.stride[0] === 1 &&
    p.stride[1] === 1 &&
    p.dilation[0] === 1 &&
    p.dilation[1] === 1 &&
    pH <= 2 &&
    pW <= 2 &&
    H! + 2 * pH >= 3 &&
    W! + 2 * pW >= 3 &&
    N! > 0;
  if (!ok) return undefined;
  const fits = (m: number) =>
    Cin! * (Math.ceil(oH! / m) * m + 2) * (Math.ceil(oW! / m) * m + 2) <= MAX_IMAGE_ELEMS &&
    Cout! * Math.ceil(oH! / m) * m * Math.ceil(oW! / m) * m <= MAX_IMAGE_ELEMS;
  if (Cin! < 4 || Cout! < 4 || Cin! * Cout! < 64 || Cin! > MAX_CHAIN) return undefined;
  // enough tiles to pay the weights' transform: 4 tiles of 64 → 64 channels measured 1.4-1.6
  // times the direct paths' time, 3 of 256 → 256 1.9-2.4; 16 of 16 → 16 0.93, 18 of 64 → 64 0.62-0.76
  if (N! * Math.ceil(oH! / 2) * Math.ceil(oW! / 2) < MIN_TILES) return undefined;
  if (choice === "F4" && Cin! * Cout! <= MAX_PAIRS_4 && fits(4)) return 4;
  if (Cin! * Cout! <= MAX_PAIRS_2 && fits(2)) return 2;
  return undefined;
}
