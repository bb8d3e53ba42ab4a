// The weight gradient of 3×3 stride-1 f32 convolutions by Winograd's F(m×m, 3×3) (Lavin & Gray;
// the transforms in kernels/winogradWeight.ts): gradW = Gᵀ S G with, for each of the α² = (m+2)²
// elements ξ of a transformed tile, S_ξ (O × C) = Σ over every tile of every image of
// Z_ξ[tile]ᵀ V_ξ[tile], Z the transformed output-gradient tiles, V the transformed input tiles:
// per ξ a GEMM whose shared dimension runs over the tiles, with m²·9/α² of the direct path's
// multiplies (F(2×2): 0.44, F(4×4): a quarter).
// The images go in chunks (their transformed tiles in L2, at most MAX_CHUNK_TILES tiles: one
// chain of each GEMM), the chunks in blocks: the threads take whole blocks, each summing its
// chunks in order into its own partial S, the partial sums then added in block order. Chunks and
// blocks are functions of the shapes alone, so every thread count gives the bits of one thread.
// Rounding: relative to the largest element of gradW, F(2×2)'s error measured 1.3-1.8 times the
// direct path's, but spread over all the elements (each is a combination of the same sums), so
// that small elements get 2-4 times the direct path's error relative to their size.

import type { Conv2dParams, NDArray } from "@x/storage";
import { CONV_MR, CONV_NR } from "../kernels/convGemm";
import type { WinogradTile } from "../kernels/winogradWeight";
import type { WasmKernels } from "../wasmKernels";
import type { WinogradChoice } from "./winograd";

const E = 4;
/** Most bytes of the transformed tiles (V and Z) of one chunk of images. */
const CHUNK_BYTES = 1 << 20;
/**
 * Most tiles of a chunk (whole images), one chain of each of its GEMMs: the columns of their B
 * operand and their A panels stay in L1 (measured: 42 GFLOP/s at 288 tiles, 33 at 1152), and the
 * chains stay as short as the direct path's.
 */
const MAX_CHUNK_TILES = 256;
/** Most blocks of chunks (partial sums of S), and most bytes of those partial sums. */
const MAX_BLOCKS = 16;
const PARTIAL_BYTES = 8 << 20;
/** Most elements of an image's channels-last copy (each thread's scratch holds one). */
const MAX_COPY_ELEMS = 1 << 18;
/** Least flops (2·N·O·P·K) of the direct weight gradient this path takes over. */
const MIN_FLOPS = 1.2e6;
/** Fewest tiles over all images (the shared dimension of the products S_ξ). */
const MIN_TILES = 32;
/** Most bytes of the transformed sums S (α² · O · C/groups floats) of one block of images. */
const MAX_SUMS_BYTES = 8 << 20;

const ceil4 = (n: number) => Math.ceil(n / 4) * 4;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
/**
 * A plane's stride: at least `bytes`, an odd number of 64-byte lines, so that the α² planes a
 * tile's transform writes (and a column of the GEMMs reads) fall in different cache sets (planes
 * a multiple of 4 KiB apart measured 3-4 times slower transforms).
 */
const planeBytes = (bytes: number) => 64 * (Math.ceil(bytes / 64) | 1);

/**
 * Relocation bits: the transforms' `buf` and `out` (arguments 16, 17), convGemm4's `ap`, `bBase`
 * and `tile` (0, 4, 12).
 */
const BUF = 1 << 16;
const OUT = 1 << 17;
const GEMM = (1 << 0) | (1 << 4) | (1 << 12);
/** Bytes of convGemm4's scratch tile. */
const TILE_BYTES = align16(CONV_MR * CONV_NR * E);

/** The first item of part `b` of `B` over `n` items. */
const partStart = (n: number, B: number, b: number) => Math.floor((b * n) / B);

/** The geometry of the tiles of a weight gradient (x [N, C, H, W], gradOut [N, O, oH, oW]). */
function tiling(
  tile: WinogradTile,
  [, C, H, W]: readonly number[],
  O: number,
  p: Conv2dParams,
  G: number,
) {
  const [pH, pW] = p.padding;
  const oH = H! + 2 * pH - 2;
  const oW = W! + 2 * pW - 2;
  const alpha = tile + 2;
  const tilesH = Math.ceil(oH / tile);
  const tilesW = Math.ceil(oW / tile);
  const Cg = C! / G;
  const Og = O / G;
  return {
    oH,
    oW,
    alpha,
    tilesH,
    tilesW,
    tiles: tilesH * tilesW,
    Cg,
    Og,
    Cp: ceil4(Cg),
    Op: ceil4(Og),
    // the input copy holds every tile's α × α patch; the gradient's, whole m × m tiles
    Hp: Math.max(pH + H!, (tilesH - 1) * tile + alpha),
    Wp: Math.max(pW + W!, (tilesW - 1) * tile + alpha),
    Hq: tilesH * tile,
    Wq: tilesW * tile,
  };
}

/**
 * The tile size of the Winograd weight gradient for a convolution of x [N, C, H, W] with weights
 * [O, C/groups, kH, kW] under `choice`, or undefined where it does not apply (or did not measure
 * faster). F(2×2) by default: F(4×4) (`choice` "F4") measured another 25-30% faster, but its
 * rounding error (2.3e-6 … 3.3e-6 of the largest element against 3e-7 … 6e-7, 5-8 times the
 * direct path's) fails the convolution tests' 1e-4 tolerance (relative, plus the same absolute)
 * on their data in ±3. Against float64, the CNN's second convolution (unit data, default-init
 * weights) measured 4.3e-7 of the largest element by F(2×2), 4.4e-7 by the direct path, 2.4e-6
 * by PyTorch 1.13's own float32.
 *
 * @example
 * winogradWeightTile([32, 16, 13, 13], [32, 16, 3, 3], valid); // 2
 */
export function winogradWeightTile(
  x: readonly number[],
  [O, Cg, kH, kW]: readonly number[],
  p: Conv2dParams,
  choice: WinogradChoice = "F2",
): WinogradTile | undefined {
  if (choice === "off") return undefined;
  const [N, C, H, W] = x as [number, number, number, number];
  const G = p.groups;
  if (kH !== 3 || kW !== 3 || p.stride[0] !== 1 || p.stride[1] !== 1) return undefined;
  if (p.dilation[0] !== 1 || p.dilation[1] !== 1) return undefined;
  if (p.padding[0] > 2 || p.padding[1] > 2) return undefined;
  const oH = H + 2 * p.padding[0] - 2;
  const oW = W + 2 * p.padding[1] - 2;
  // where it measured faster than the direct path (one thread, N = 8 to 32, 8×8 to 32×32), with
  // Cg · Og ≥ 128: 0.47-0.53 of its time from 32 → 64 channels on, 16 → 32 0.58-0.73, 8 → 16
  // and 16 → 8 0.72-0.85, 32 → 4 0.92; not with 8 → 8 (0.86-1.0) nor 4 input channels (1.07-1.11)
  const Og = O! / G;
  if (oH < 2 || oW < 2 || Cg! < 8 || Og < 4 || Cg! * Og < 128 || C !== Cg! * G) return undefined;
  if (2 * N * O! * oH * oW * Cg! * 9 < MIN_FLOPS) return undefined;
  const tile: WinogradTile = choice === "F4" ? 4 : 2;
  const t = tiling(tile, x, O!, p, G);
  if (Math.max(t.Hp * t.Wp * t.Cp, t.Hq * t.Wq * t.Op) > MAX_COPY_ELEMS) return undefined;
  // an image's tiles in one chain of the GEMMs at most (longer chains, from larger images, add
  // rounding error: 88×88 measured 4 times the direct path's), its transforms in a chunk
  if (t.tiles > MAX_CHUNK_TILES) return undefined;
  if (t.tiles * (t.Cp + t.Op) * (tile + 2) ** 2 * E > 4 * CHUNK_BYTES) return undefined;
  // enough tiles for the products' shared dimension, and sums S of a cacheable size: 3 images of
  // one tile, 512 → 512 channels (S 16 MB) measured 7.7 ms against the direct path's 3.2; 4
  // images of 4 tiles, 64 → 64, the same time; 8 of 16 tiles, 128 → 128, 1.9 ms against 3.6
  if (N * t.tiles < MIN_TILES || (tile + 2) ** 2 * O! * Cg! * E > MAX_SUMS_BYTES) return undefined;
  return tile;
}

/** The signature and address of the table of V's rows (`tableOf`), per WasmKernels. */
const tables = new WeakMap<WasmKernels, { sig: string; at: number }>();

/** A shared table of `K` byte offsets k·rowBytes (the rows of a plane of V). */
function tableOf(wasm: WasmKernels, K: number, rowBytes: number): number {
  const at = wasm.threads.scratch("winoWeightTbl", 0, K * 4);
  const sig = `${K} ${rowBytes}`;
  const last = tables.get(wasm);
  if (last?.sig !== sig || last.at !== at) {
    const t = wasm.heap.views.i32;
    for (let k = 0; k < K; k++) t[at / 4 + k] = k * rowBytes;
    tables.set(wasm, { sig, at });
  }
  return at;
}

/**
 * gradW (contiguous [O, C/groups, 3, 3]) of a 3×3 stride-1 convolution of x (f32, any strides)
 * whose output gradient is the contiguous f32 [N, O, oH, oW] at byte address `g`, by F(m×m, 3×3)
 * with m = `tile`. Per chunk of images (in the thread's arena): V_ξ the rows [tiles × Cp] of its
 * transformed input tiles, Z_ξ its transformed gradient tiles in 4-channel panels (the packed A
 * of `convGemm4_f32`, which reads V in place through a table of its rows), then per ξ
 * S_ξ (+)= Z_ξᵀ V_ξ.
 */
export function winogradWeight(
  wasm: WasmKernels,
  x: NDArray,
  g: number,
  p: Conv2dParams,
  gradW: NDArray,
  tile: WinogradTile,
): void {
  const raw = wasm.raw;
  const G = p.groups;
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O] = gradW.shape as [number];
  const t = tiling(tile, x.shape, O, p, G);
  const { oH, oW, tiles, Cg, Og, Cp, Op, Hp, Wp, Hq, Wq, tilesH, tilesW } = t;
  const A2 = t.alpha * t.alpha;
  const [pH, pW] = p.padding;
  const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
  const px = x.storage.ptr + x.offset * E;
  const gw = gradW.storage.ptr + gradW.offset * E;
  const P = oH * oW;
  // images per chunk, chunks, blocks: functions of the shapes alone
  const perImage = tiles * (Cp + Op) * A2 * E;
  const per = Math.max(
    1,
    Math.min(N, Math.floor(MAX_CHUNK_TILES / tiles), Math.floor(CHUNK_BYTES / perImage)),
  );
  // an even count past one (when the images allow), so that two threads share them evenly
  const fewest = Math.ceil(N / per);
  const chunks = fewest > 1 && fewest % 2 === 1 && fewest < N ? fewest + 1 : fewest;
  const sPlane = planeBytes(Og * Cp * E);
  const sBytes = A2 * sPlane;
  const B = Math.max(1, Math.min(chunks, MAX_BLOCKS, Math.floor(PARTIAL_BYTES / sBytes)));
  const K = Math.ceil(N / chunks) * tiles;
  const vPlane = planeBytes(K * Cp * E);
  const zPlane = planeBytes(K * Op * E);
  const copyBytes = align16(Math.max(Hp * Wp * Cp, Hq * Wq * Op) * E);
  const tileBuf = wasm.threads.arena(TILE_BYTES + copyBytes + A2 * (vPlane + zPlane));
  const buf = tileBuf + TILE_BYTES;
  const v = buf + copyBytes;
  const z = v + A2 * vPlane;
  const tbl = tableOf(wasm, K, Cp * E);
  const sums = Array.from({ length: B }, (_, b) => wasm.threads.scratch("winoWeightS", b, sBytes));
  const input = `winoInput${tile}_f32` as const;
  const grad = `winoGrad${tile}_f32` as const;
  for (let gi = 0; gi < G; gi++) {
    wasm.threads.runItems(B, (2 * Og * Cp * N * tiles * A2) / 30e3, (b, call) => {
      const c1 = partStart(chunks, B, b + 1);
      for (let c = partStart(chunks, B, b); c < c1; c++) {
        const n0 = partStart(N, chunks, c);
        const nb = partStart(N, chunks, c + 1) - n0;
        const Kc = nb * tiles;
        const xArgs = [px + (n0 * xs0 + gi * Cg * xs1) * E, xs0, xs1, xs2, xs3, nb, Cg, H, W];
        const vArgs = [pH, pW, Hp, Wp, Cp, tilesH, tilesW, buf, v, vPlane, Cp * E, 16];
        call(input, [...xArgs, ...vArgs], BUF | OUT);
        const gArgs = [g + (n0 * O + gi * Og) * P * E, O * P, P, oW, 1, nb, Og, oH, oW];
        const zArgs = [0, 0, Hq, Wq, Op, tilesH, tilesW, buf, z, zPlane, 16, Kc * 16];
        call(grad, [...gArgs, ...zArgs], BUF | OUT);
        const acc = c > partStart(chunks, B, b) ? 1 : 0;
        for (let xi = 0; xi < A2; xi++) {
          const a = z + xi * zPlane;
          const bb = v + xi * vPlane;
          const args = [a, Og, Kc, tbl, bb, 0, sums[b]! + xi * sPlane, 0, 1, Cg, Cp * E, acc];
          call("convGemm4_f32", [...args, tileBuf], GEMM);
        }
      }
    });
    const s = sums[0]!;
    for (let b = 1; b < B; b++) raw.binary_add_f32_vv(s, sums[b]!, s, sBytes / E);
    raw[`winoFinish${tile}_f32`](s, sPlane, Og, Cg, Cp, gw + gi * Og * Cg * 9 * E);
  }
}
