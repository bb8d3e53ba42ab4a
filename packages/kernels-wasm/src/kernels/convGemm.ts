// Convolution GEMMs that read their B operand straight from an image (no im2col, no B packing):
// C[M × cols] (+)= A @ B, where A is packed in the GEMM's MR-row panels (the weights, packed once
// per call, or the output gradient of some images) and element (k, j) of B is read at
// `bBase + tbl[k] + j·4`: a table of byte offsets, one per step of the shared dimension, and
// unit stride along the columns. With a table of the taps' offsets (c·cs + kh·dH·hs + kw·dW) and
// the columns the output positions of one output row, that is the forward convolution of a
// unit-stride-wide image; with a table of the output positions' offsets into channels-last
// images and the columns (kw, c), the weight gradient.
//
// The columns come in rows (an output row, a kernel row): `rows` rows of `rowLen` columns, row r
// at `bBase + r·bRowStep` in B and `cBase + r·cRowStep` in C. Every tile of NR columns is
// computed for all of C's rows (MR at a time) while its B columns sit in L1. A row's last,
// partial tile is computed over the row's last NR (or 4) columns, so no column of B is read past
// a row's end: stored whole when C is overwritten (its first columns get the bits they already
// had), else added with those columns masked off; tails of at most 4 columns of two rows share
// one NR-wide tile. Only a row narrower than that is computed from its partial tile's first
// column on, through a scratch tile, reading up to NR - 1 columns past the row's end (the caller
// provides them).
//
// Also the dot kernels of the weight gradient for few input channels (`convDot_f32`): per output
// channel and tap, Σ over positions of gradOut · the tap's input, 4 positions per vector.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatOps, floatOps } from "./dtype";
import { emitEdge, gemmConfigs } from "./gemm";
import { emitPack } from "./pack";

/**
 * Rows of A per micro-tile (the panel width of the packed A) and columns of B: the GEMM's 6×8
 * f32 tile (12 accumulators, 2 B vectors and a broadcast A in V8's 15 XMM registers).
 */
export const CONV_MR = 6;
export const CONV_NR = 8;
/**
 * Rows of A per micro-tile of `convGemm4_f32`, for products added to C: 4×8 tiles keep 8
 * accumulators, which leaves the registers to add them to C (6×8 tiles go through a scratch
 * tile, which costs more than their wider rows save when K is short).
 */
export const CONV_MR_ADD = 4;

const E = 4;

/** Most accumulators of a micro-kernel that adds its product to C straight from registers. */
const IN_REGISTER = 8;

/** Parameters of the micro-kernels (see `emitTableKernel`). */
const kernelParams = {
  ap: "i32",
  bb: "i32",
  tbl: "i32",
  kc: "i32",
  c: "i32",
  rowOff: "i32",
  accumulate: "i32",
  bStep: "i32",
  cStep: "i32",
  first0: "i32",
  first1: "i32",
  tile: "i32",
} as const;

/**
 * Emits `name(ap, bb, tbl, kc, c, rowOff, accumulate, bStep, cStep, first0, first1, tile)`, a
 * micro-kernel over `rows` rows of an MR-wide A panel and nrv vectors of 4 columns: C = Σ_k
 * A-panel[k][i] · B(k, ·), B's vector j of step k at `bb + tbl[k] + j·bStep` (tbl: i32 byte
 * offsets), C's vector j of row i at `c + i·rowOff + j·cStep`. C is overwritten with the
 * product, or (accumulate) added to, lanes below first_j of vector j left out. Both vectors
 * usually lie side by side (bStep = cStep = 16); apart, they are the last 4 columns of two rows.
 * A product of more than IN_REGISTER accumulators goes through the MR×NR scratch `tile` before it
 * is added: with 12 accumulators live while C is read, the register allocator spilled them in the
 * k loop (about 40% slower with K = 32).
 */
function emitTableKernel(
  m: ModuleBuilder,
  name: string,
  rows: number,
  nrv: number,
  relaxed: boolean,
  panel: number,
): FuncRef {
  return m.func({ name, params: kernelParams, export: false }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const acc = Array.from({ length: rows }, () => b.locals("v128", nrv));
    const bv = b.locals("v128", nrv);
    const av = b.local("v128");
    const masks = b.locals("v128", nrv);
    const [n, bp, row] = b.locals("i32", 3);
    for (const r of acc) for (const a of r) a.set(b.v128.const(new Uint8Array(16)));
    n.set(p.kc.get());
    b.block((done) => {
      b.brIf(done, i32.eqz(n.get()));
      b.loop((top) => {
        bp.set(i32.add(p.bb.get(), i32.load(p.tbl.get())));
        bv[0]!.set(b.v128.load(bp.get()));
        if (nrv > 1) bv[1]!.set(b.v128.load(i32.add(bp.get(), p.bStep.get())));
        for (let i = 0; i < rows; i++) {
          av.set(t.loadSplat(p.ap.get(), { offset: i * E }));
          for (let j = 0; j < nrv; j++) {
            const a = acc[i]![j]!;
            if (relaxed) a.set(t.vec.relaxedMadd(av.get(), bv[j]!.get(), a.get()));
            else a.set(t.vec.add(a.get(), t.vec.mul(av.get(), bv[j]!.get())));
          }
        }
        b.inc(p.ap, panel * E);
        b.inc(p.tbl, 4);
        n.set(i32.sub(n.get(), i32.const(1)));
        b.brIf(top, n.get());
      });
    });
    /** row i's address into `row`. */
    const rowAt = (i: number) => {
      if (i === 0) row.set(p.c.get());
      else b.inc(row, p.rowOff);
    };
    /** vector j's address in row `row`. */
    const at = (j: number) => (j === 0 ? row.get() : i32.add(row.get(), p.cStep.get()));
    const overwrite = () => {
      for (let i = 0; i < rows; i++) {
        rowAt(i);
        for (let j = 0; j < nrv; j++) b.v128.store(at(j), acc[i]![j]!.get());
      }
    };
    const add = () => {
      const firsts = [p.first0, p.first1];
      for (let j = 0; j < nrv; j++) {
        masks[j]!.set(b.i32x4.geS(b.i32x4.const([0, 1, 2, 3]), b.i32x4.splat(firsts[j]!.get())));
      }
      if (rows * nrv <= IN_REGISTER) {
        for (let i = 0; i < rows; i++) {
          rowAt(i);
          for (let j = 0; j < nrv; j++) {
            const part = () => b.v128.and(acc[i]![j]!.get(), masks[j]!.get());
            b.v128.store(at(j), t.vec.add(b.v128.load(at(j)), part()));
          }
        }
        return;
      }
      const tileAt = (i: number, j: number) => ({ offset: (i * CONV_NR + j * 4) * E });
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < nrv; j++) b.v128.store(p.tile.get(), acc[i]![j]!.get(), tileAt(i, j));
      }
      for (let i = 0; i < rows; i++) {
        rowAt(i);
        for (let j = 0; j < nrv; j++) {
          const part = () => b.v128.and(b.v128.load(p.tile.get(), tileAt(i, j)), masks[j]!.get());
          b.v128.store(at(j), t.vec.add(b.v128.load(at(j)), part()));
        }
      }
    };
    b.if(p.accumulate.get(), add, overwrite);
  });
}

const driverParams = {
  ap: "i32",
  M: "i32",
  K: "i32",
  tbl: "i32",
  bBase: "i32",
  bRowStep: "i32",
  cBase: "i32",
  cRowStep: "i32",
  rows: "i32",
  rowLen: "i32",
  ldc: "i32",
  accumulate: "i32",
  tile: "i32",
} as const;

/** Micro-kernels of 1 … MR rows (`rows[r - 1]`) and `pick(r, …kernel arguments)`. */
interface KernelSet {
  readonly rows: readonly FuncRef[];
  readonly pick: FuncRef;
}

/**
 * Emits the micro-kernels of 1 … MR rows (A panels MR wide, nrv vectors of columns) and
 * `name(r, …kernel arguments)`, which calls the one of r rows.
 */
function emitKernelSet(
  m: ModuleBuilder,
  name: string,
  MR: number,
  nrv: number,
  relaxed: boolean,
): KernelSet {
  const fns = Array.from({ length: MR }, (_, r) =>
    emitTableKernel(m, `${name}${r + 1}`, r + 1, nrv, relaxed, MR),
  );
  const pick = m.func({ name, params: { r: "i32", ...kernelParams }, export: false }, (b, p) => {
    const args = () =>
      Object.keys(kernelParams).map((k) => (p as Record<string, Local<"i32">>)[k]!.get());
    const go = (rr: number): void => {
      if (rr === 1) {
        b.call(fns[0]!, ...args());
        return;
      }
      b.if(
        b.i32.eq(p.r.get(), b.i32.const(rr)),
        () => b.call(fns[rr - 1]!, ...args()),
        () => go(rr - 1),
      );
    };
    go(MR);
  });
  return { rows: fns, pick };
}

/** The kernel sets a driver calls: NR and 4 columns wide. */
interface KernelSets {
  readonly full: KernelSet;
  readonly narrow: KernelSet;
}

/**
 * Emits the driver `name(ap, M, K, tbl, bBase, bRowStep, cBase, cRowStep, rows, rowLen, ldc,
 * accumulate, tile)` (see the file comment; `ap` holds ⌈M/MR⌉ panels of K steps, `tile` is
 * MR·NR·4 scratch bytes). Rows whose last partial tile is at most 4 wide pair those tiles up:
 * one NR-wide tile over the last 4 columns of rows r and r + 1 (r even).
 */
function emitDriver(m: ModuleBuilder, name: string, sets: KernelSets, MR: number): void {
  const NR = CONV_NR;
  const edge = emitEdge(m, `${name}_edge`, { ...gemmConfigs.f32, nrv: CONV_NR / 4 });
  m.func({ name, params: driverParams }, (b, p) => {
    const i32 = b.i32;
    const c = (x: number) => i32.const(x);
    const [row, j0, n, i0, r, bRow, cRow, a, panelBytes, first, width] = b.locals("i32", 11);
    panelBytes.set(i32.mul(p.K.get(), c(MR * E)));
    /** C's address of row i0, column `col` of the current row. */
    const cAt = (col: () => Val<"i32">) =>
      i32.add(i32.add(cRow.get(), i32.mul(i0.get(), p.ldc.get())), i32.shl(col(), c(2)));
    /** Loops over the MR-row blocks of C (r rows each, A panel at a). */
    const blocks = (body: () => void) => {
      a.set(p.ap.get());
      b.for(i0, 0, p.M, MR, () => {
        const left = () => i32.sub(p.M.get(), i0.get());
        r.set(b.select(c(MR), left(), i32.leS(c(MR), left())));
        body();
        b.inc(a, panelBytes);
      });
    };
    /**
     * A tile from B column `col` straight into C (vector 1 at bStep/cStep from vector 0), the
     * kernel of r rows picked inline (`inline`: the full tiles of every row, where the call
     * through `pick` costs most with short K) or by `pick`.
     */
    const tiles = (
      set: KernelSet,
      col: () => Val<"i32">,
      steps: () => [Val<"i32">, Val<"i32">] | undefined,
      first0: () => Val<"i32">,
      first1: () => Val<"i32">,
      inline = false,
    ) =>
      blocks(() => {
        const args = () => {
          const head = [
            a.get(),
            i32.add(bRow.get(), i32.shl(col(), c(2))),
            p.tbl.get(),
            p.K.get(),
            cAt(col),
            p.ldc.get(),
            p.accumulate.get(),
          ];
          const st = steps();
          return [...head, ...(st ?? [c(16), c(16)]), first0(), first1(), p.tile.get()];
        };
        if (!inline) {
          b.call(set.pick, r.get(), ...args());
          return;
        }
        const go = (rr: number): void => {
          if (rr === 1) {
            b.call(set.rows[0]!, ...args());
            return;
          }
          b.if(
            i32.eq(r.get(), c(rr)),
            () => b.call(set.rows[rr - 1]!, ...args()),
            () => go(rr - 1),
          );
        };
        go(MR);
      });
    /** The tile from B column j0 through the scratch tile, its first n columns into C. */
    const viaTile = (set: KernelSet) =>
      blocks(() => {
        b.call(
          set.pick,
          r.get(),
          a.get(),
          i32.add(bRow.get(), i32.shl(j0.get(), c(2))),
          p.tbl.get(),
          p.K.get(),
          p.tile.get(),
          c(NR * E),
          c(0),
          c(16),
          c(16),
          c(0),
          c(0),
          p.tile.get(),
        );
        b.call(
          edge,
          p.tile.get(),
          cAt(() => j0.get()),
          p.ldc.get(),
          r.get(),
          n.get(),
          p.accumulate.get(),
        );
      });
    const zero = () => c(0);
    b.for(row, 0, p.rows, 1, () => {
      bRow.set(i32.add(p.bBase.get(), i32.mul(row.get(), p.bRowStep.get())));
      cRow.set(i32.add(p.cBase.get(), i32.mul(row.get(), p.cRowStep.get())));
      j0.set(c(0));
      b.block((rowDone) => {
        b.loop((next) => {
          n.set(i32.sub(p.rowLen.get(), j0.get()));
          b.brIf(rowDone, i32.leS(n.get(), c(0)));
          b.if(i32.geS(n.get(), c(NR)), () => {
            tiles(
              sets.full,
              () => j0.get(),
              () => undefined,
              zero,
              zero,
              true,
            );
            j0.set(i32.add(j0.get(), c(NR)));
            b.br(next);
          });
          // the row's last, partial tile: over the row's last `width` columns when it has them
          // (overwriting C, its first columns get the bits they have; adding, they are masked)
          width.set(b.select(c(4), c(NR), i32.leS(n.get(), c(4))));
          b.if(
            i32.geS(p.rowLen.get(), width.get()),
            () => {
              first.set(i32.sub(width.get(), n.get()));
              const last = () => i32.sub(p.rowLen.get(), width.get());
              const f = () => first.get();
              b.if(
                i32.eq(width.get(), c(4)),
                () =>
                  // rows r and r + 1 (r even) in one tile; a last, even row alone
                  b.if(i32.eqz(i32.and(row.get(), c(1))), () =>
                    b.if(
                      i32.ltS(i32.add(row.get(), c(1)), p.rows.get()),
                      () =>
                        tiles(sets.full, last, () => [p.bRowStep.get(), p.cRowStep.get()], f, f),
                      () => tiles(sets.narrow, last, () => undefined, f, zero),
                    ),
                  ),
                () => tiles(sets.full, last, () => undefined, f, zero),
              );
            },
            () =>
              b.if(
                i32.eq(width.get(), c(4)),
                () => viaTile(sets.narrow),
                () => viaTile(sets.full),
              ),
          );
        });
      });
    });
  });
}

/**
 * Emits the drivers `convGemm_f32` (6-row tiles) and `convGemm4_f32` (4-row tiles, for products
 * added to C; see `emitDriver`), `convPack_f32(src, rs, ks, rows, kc, dst)` and `convPack4_f32`,
 * the packing of A for each (element (r, k) at src + (r·rs + k·ks)·4 into 6- or 4-row panels),
 * and `convDot_f32` (`emitDot`).
 *
 * @example
 * emitConvGemm(m, false);
 */
export function emitConvGemm(m: ModuleBuilder, relaxed = false): void {
  emitPack(m, "convPack_f32", "f32", CONV_MR, true);
  emitPack(m, "convPack4_f32", "f32", CONV_MR_ADD, true);
  const sets = (name: string, MR: number) => ({
    full: emitKernelSet(m, `${name}x${CONV_NR}_`, MR, CONV_NR / 4, relaxed),
    narrow: emitKernelSet(m, `${name}x4_`, MR, 1, relaxed),
  });
  emitDriver(m, "convGemm_f32", sets("convK6", CONV_MR), CONV_MR);
  emitDriver(m, "convGemm4_f32", sets("convK4", CONV_MR_ADD), CONV_MR_ADD);
  emitDot(m, relaxed);
}

/** Most output channels and taps of one block of the weight gradient's dot kernels. */
export const DOT_ROWS = 3;
export const DOT_TAPS = 3;

/**
 * Emits `name(g, gs, x, taps, oH, oW, xRowStep, c, ldc, accumulate)`: for `rows` output channels
 * and `tapCount` taps, C[o][t] = (accumulate ? C[o][t] : 0) + Σ_{oh, ow} g(o, oh·oW + ow) ·
 * x(oh·xRowStep + ow·4 + taps[t]), where g(o, p) is at g + o·gs + 4p and C[o][t] at c + o·ldc +
 * 4t (bytes throughout). The positions of an output row go 4 at a time (4 lanes of partial sums
 * per output, added up at the end); a row's last, partial vector is the row's last 4 positions
 * with the lanes already counted masked off, so nothing is read past a row (oW ≥ 4).
 */
function emitDotKernel(
  m: ModuleBuilder,
  name: string,
  rows: number,
  tapCount: number,
  relaxed: boolean,
): FuncRef {
  const params = {
    g: "i32",
    gs: "i32",
    x: "i32",
    taps: "i32",
    oH: "i32",
    oW: "i32",
    xRowStep: "i32",
    c: "i32",
    ldc: "i32",
    accumulate: "i32",
  } as const;
  return m.func({ name, params, export: false }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const acc = Array.from({ length: rows }, () => b.locals("v128", tapCount));
    const xv = b.locals("v128", tapCount);
    const [gv, mask] = b.locals("v128", 2);
    const [oh, ow, owEnd, gp, xp, gRow, xRow, out] = b.locals("i32", 8);
    const tapOff = b.locals("i32", tapCount);
    const go = b.locals("i32", rows);
    for (let j = 0; j < tapCount; j++) tapOff[j]!.set(i32.load(p.taps.get(), { offset: j * 4 }));
    for (let i = 0; i < rows; i++) {
      go[i]!.set(i === 0 ? i32.const(0) : i32.mul(p.gs.get(), i32.const(i)));
    }
    for (const r of acc) for (const a of r) a.set(b.v128.const(new Uint8Array(16)));
    // lanes of the last vector of a row already counted by the one before
    mask.set(
      b.i32x4.geS(
        b.i32x4.const([0, 1, 2, 3]),
        b.i32x4.splat(i32.sub(i32.const(4), i32.and(p.oW.get(), i32.const(3)))),
      ),
    );
    owEnd.set(i32.shl(i32.and(p.oW.get(), i32.const(-4)), i32.const(2)));
    const step = (masked: boolean) => {
      for (let j = 0; j < tapCount; j++) {
        xv[j]!.set(b.v128.load(i32.add(xp.get(), tapOff[j]!.get())));
      }
      for (let i = 0; i < rows; i++) {
        gv.set(b.v128.load(i === 0 ? gp.get() : i32.add(gp.get(), go[i]!.get())));
        for (let j = 0; j < tapCount; j++) {
          const a = acc[i]![j]!;
          if (masked) {
            // the product masked (not g), so that an inf or NaN of x in a masked lane is dropped
            const prod = () => b.v128.and(t.vec.mul(gv.get(), xv[j]!.get()), mask.get());
            a.set(t.vec.add(a.get(), prod()));
          } else if (relaxed) a.set(t.vec.relaxedMadd(gv.get(), xv[j]!.get(), a.get()));
          else a.set(t.vec.add(a.get(), t.vec.mul(gv.get(), xv[j]!.get())));
        }
      }
    };
    gRow.set(p.g.get());
    xRow.set(p.x.get());
    b.for(oh, 0, p.oH, 1, () => {
      gp.set(gRow.get());
      xp.set(xRow.get());
      b.for(ow, 0, owEnd, 16, () => {
        step(false);
        b.inc(gp, 16);
        b.inc(xp, 16);
      });
      b.if(i32.and(p.oW.get(), i32.const(3)), () => {
        // back to the row's last 4 positions
        const back = () => i32.sub(i32.shl(p.oW.get(), i32.const(2)), i32.const(16));
        gp.set(i32.add(gRow.get(), back()));
        xp.set(i32.add(xRow.get(), back()));
        step(true);
      });
      gRow.set(i32.add(gRow.get(), i32.shl(p.oW.get(), i32.const(2))));
      b.inc(xRow, p.xRowStep);
    });
    // horizontal sums into C
    const h = b.local("v128");
    for (let i = 0; i < rows; i++) {
      out.set(i32.add(p.c.get(), i32.mul(p.ldc.get(), i32.const(i))));
      for (let j = 0; j < tapCount; j++)
        storeLaneSum(b, t, h, acc[i]![j]!, out, j * 4, p.accumulate);
    }
  });
}

/** Byte indices of an i8x16.shuffle selecting 32-bit lanes. */
const laneIdx = (lanes: number[]) => lanes.flatMap((l) => [0, 1, 2, 3].map((k) => l * 4 + k));

/**
 * Stores at out + offset (bytes) the sum of a's 4 lanes, added (0+2, 1+3), then those two: a
 * fixed order; plus the value there when `accumulate` (h: a scratch vector).
 */
export function storeLaneSum(
  b: CodeBuilder,
  t: FloatOps,
  h: Local<"v128">,
  a: Local<"v128">,
  out: Local<"i32">,
  offset: number,
  accumulate: Local<"i32">,
): void {
  h.set(t.vec.add(a.get(), b.v128.shuffle(laneIdx([2, 3, 0, 1]), a.get(), a.get())));
  h.set(t.vec.add(h.get(), b.v128.shuffle(laneIdx([1, 0, 3, 2]), h.get(), h.get())));
  const sum = () => t.vec.extractLane(0, h.get());
  t.store(
    out.get(),
    b.select(t.scalar.add(t.load(out.get(), { offset }), sum()), sum(), accumulate.get()),
    { offset },
  );
}

/** Sets local = min(n - at, most): what is left of n from `at`, in steps of at most `most`. */
export function setLeast(
  b: CodeBuilder,
  local: Local<"i32">,
  n: Local<"i32">,
  at: Local<"i32">,
  most: number,
): void {
  const i32 = b.i32;
  local.set(i32.sub(n.get(), at.get()));
  local.set(b.select(local.get(), i32.const(most), i32.ltS(local.get(), i32.const(most))));
}

/**
 * Emits body(k) for the value k (1 … n) of `local`: ifs from n down, body(1) when none of
 * n … 2 matched.
 */
export function emitPick(
  b: CodeBuilder,
  local: Local<"i32">,
  n: number,
  body: (k: number) => void,
): void {
  const go = (k: number): void => {
    if (k === 1) {
      body(1);
      return;
    }
    b.if(
      b.i32.eq(local.get(), b.i32.const(k)),
      () => body(k),
      () => go(k - 1),
    );
  };
  go(n);
}

/**
 * Emits `convDot_f32(g, gs, O, x, taps, T, oH, oW, xRowStep, c, ldc, accumulate)`: the dot kernels
 * (`emitDotKernel`) over blocks of DOT_ROWS output channels × DOT_TAPS taps: C[o][t] (O × T at c,
 * row stride ldc bytes) (+)= Σ_p g(o, p) · x(p, taps[t]). The weight gradient of a convolution
 * with few input channels, without packing the output gradient.
 */
function emitDot(m: ModuleBuilder, relaxed: boolean): void {
  const fns = Array.from({ length: DOT_ROWS }, (_, r) =>
    Array.from({ length: DOT_TAPS }, (_, tc) =>
      emitDotKernel(m, `convDot_f32_${r + 1}x${tc + 1}`, r + 1, tc + 1, relaxed),
    ),
  );
  const params = {
    g: "i32",
    gs: "i32",
    O: "i32",
    x: "i32",
    taps: "i32",
    T: "i32",
    oH: "i32",
    oW: "i32",
    xRowStep: "i32",
    c: "i32",
    ldc: "i32",
    accumulate: "i32",
  } as const;
  m.func({ name: "convDot_f32", params }, (b, p) => {
    const i32 = b.i32;
    const [o, t, r, tc] = b.locals("i32", 4);
    const call = (rr: number, tt: number) =>
      b.call(
        fns[rr - 1]![tt - 1]!,
        i32.add(p.g.get(), i32.mul(o.get(), p.gs.get())),
        p.gs.get(),
        p.x.get(),
        i32.add(p.taps.get(), i32.shl(t.get(), i32.const(2))),
        p.oH.get(),
        p.oW.get(),
        p.xRowStep.get(),
        i32.add(p.c.get(), i32.add(i32.mul(o.get(), p.ldc.get()), i32.shl(t.get(), i32.const(2)))),
        p.ldc.get(),
        p.accumulate.get(),
      );
    b.for(o, 0, p.O, DOT_ROWS, () => {
      setLeast(b, r, p.O, o, DOT_ROWS);
      b.for(t, 0, p.T, DOT_TAPS, () => {
        setLeast(b, tc, p.T, t, DOT_TAPS);
        emitPick(b, r, DOT_ROWS, (rr) => emitPick(b, tc, DOT_TAPS, (tt) => call(rr, tt)));
      });
    });
  });
}
