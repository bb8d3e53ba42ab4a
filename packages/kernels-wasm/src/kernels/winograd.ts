// Winograd convolution F(m×m, 3×3) for f32, stride 1, dilation 1 (Lavin & Gray's minimal
// filtering): an output tile Y (m×m) of one channel pair is Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, where d
// is the (m+2)×(m+2) input patch and g the 3×3 kernel. Summed over input channels, the α² = (m+2)²
// positions ξ of the transformed domain are α² independent GEMMs M_ξ (Cout × tiles) = U_ξ (Cout ×
// Cin) @ V_ξ (Cin × tiles): α²/(9m²) of the direct convolution's multiplies (F(4×4): 36/144,
// F(2×2): 16/36), plus the transforms. The price is rounding: the transformed values are larger
// than the result and cancel in Aᵀ · A; measured, the largest error is ~1.2e-6 of Σ|x·w| for
// F(4×4) and ~2e-7 for F(2×2) (a direct sum: ~1e-7).
//
// The transforms are generated from the matrices (Bᵀ, G, Aᵀ) by `linearProgram`: a fixed
// sequence of vector adds, subtracts and constant multiplies (pairs of columns that differ only
// in sign combined first, pairs of rows that are E ± O of disjoint parts computed once, terms of
// equal |coefficient| summed before the multiply, identical steps shared), so one generator emits
// F(4×4) and F(2×2): the input and output transforms in f32x4, the weights' (G g Gᵀ,
// `winoWeights<m>_f32`) in f64x2, rounded once.
//
// `winoConv<m>_f32` works on the tiles of a few zero-padded images (a table of each tile's patch and
// output offsets), 8 tiles at a time (one GEMM panel): the input transform of 4 tiles at once
// (lanes = tiles; the patch rows of 4 tiles loaded and transposed in registers), channel after
// channel in one call, written straight as the GEMM's B panel of each ξ (V as [ci][ξ][8 tiles]:
// the ξ at constant offsets, B's rows α²·32 bytes apart), the α² products with the GEMM's 6×8
// micro-kernel (`emitMicroKernel`, its arithmetic unchanged; A = U_ξ in the packed 6-row panels
// `winoWeights<m>_f32` writes; M as [co][ξ][8 tiles]), the output transform of 4 tiles at once,
// transposed back into rows of each tile: F(2×2) straight into the output (the tiles past its
// last row or column writing only their part inside), F(4×4) into a padded scratch then cropped
// into the output. A tile's result never depends on the other tiles of its panel, nor on which
// call computes it.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import { floatOps } from "./dtype";
import { emitMicroKernel, gemmConfigs } from "./gemm";
import { laneShuffle } from "./pack";

/** The matrices of one Winograd variant F(m×m, 3×3). */
export interface WinogradVariant {
  /** Output tile size m; the input patch is α = m + 2. */
  readonly m: 2 | 4;
  /** Bᵀ (α × α): V = Bᵀ d B. */
  readonly bt: readonly (readonly number[])[];
  /** G (α × 3): U = G g Gᵀ. */
  readonly g: readonly (readonly number[])[];
  /** Aᵀ (m × α): Y = Aᵀ M A. */
  readonly at: readonly (readonly number[])[];
}

/** The variants by output tile size (interpolation points 0, ±1, ±2 and ∞; 0, ±1 and ∞). */
export const winogradVariants: { readonly [M in 2 | 4]: WinogradVariant } = {
  4: {
    m: 4,
    bt: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    g: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    at: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
  2: {
    m: 2,
    bt: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    g: [
      [1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    at: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
};

/** One step of a linear program: value = a + b, a - b, or a · c (c a constant). */
export type LinearOp =
  | { readonly op: "add" | "sub"; readonly a: number; readonly b: number }
  | { readonly op: "mul"; readonly a: number; readonly c: number };

/**
 * y = M x as a fixed sequence of operations: values 0 … n-1 are x, value n + k is op k's result,
 * `outputs[i]` the value of y_i.
 */
export interface LinearProgram {
  readonly inputs: number;
  readonly ops: readonly LinearOp[];
  readonly outputs: readonly number[];
}

/**
 * The operations of y = M x (M rows × n, no zero row): columns j, j' with M[i][j'] = ±M[i][j] in
 * every row are replaced by x_j + x_j' and x_j - x_j'; rows a, b that are E + O and E - O with E
 * and O of disjoint terms are computed from E and O; each row sums its terms of equal |c| before
 * multiplying by c.
 *
 * @example
 * linearProgram([[1, 1], [1, -1]]); // ops: x0 + x1, x0 - x1
 */
export function linearProgram(M: readonly (readonly number[])[]): LinearProgram {
  const n = M[0]!.length;
  const ops: LinearOp[] = [];
  const seen = new Map<string, number>();
  /** The value of `o`: a new step, or the one of an identical step before. */
  const emit = (o: LinearOp) => {
    const key = o.op === "mul" ? `mul ${o.a} ${o.c}` : `${o.op} ${o.a} ${o.b}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    ops.push(o);
    seen.set(key, n + ops.length - 1);
    return n + ops.length - 1;
  };
  // rows as maps value → coefficient
  const rows: Map<number, number>[] = M.map((r) => {
    const m = new Map<number, number>();
    r.forEach((c, j) => {
      if (c !== 0) m.set(j, c);
    });
    return m;
  });
  const paired = new Set<number>();
  for (let j = 0; j < n; j++) {
    for (let k = j + 1; k < n && !paired.has(j); k++) {
      if (paired.has(k)) continue;
      let same = 0;
      let opposite = 0;
      let ok = true;
      for (const r of M) {
        const a = r[j]!;
        const b = r[k]!;
        if (a === 0 && b === 0) continue;
        if (a !== 0 && b === a) same++;
        else if (a !== 0 && b === -a) opposite++;
        else ok = false;
      }
      if (!ok || same + opposite < 2) continue;
      paired.add(j).add(k);
      const s = same ? emit({ op: "add", a: j, b: k }) : -1;
      const d = opposite ? emit({ op: "sub", a: j, b: k }) : -1;
      for (const r of rows) {
        const a = r.get(j);
        if (a === undefined) continue;
        const b = r.get(k)!;
        r.delete(j);
        r.delete(k);
        r.set(b === a ? s : d, a);
      }
    }
  }
  /** Σ c·v over the terms of `row`, terms of equal |c| summed first (a positive group first). */
  const sum = (row: Map<number, number>): number => {
    const groups = new Map<number, { pos: number[]; neg: number[] }>();
    for (const [v, c] of [...row].sort((x, y) => x[0] - y[0])) {
      const g = groups.get(Math.abs(c)) ?? { pos: [], neg: [] };
      (c > 0 ? g.pos : g.neg).push(v);
      groups.set(Math.abs(c), g);
    }
    const parts: { v: number; sign: number }[] = [];
    const sorted = [...groups].sort((x, y) => x[0] - y[0]);
    // no positive group: the sign goes into the first multiply (else a multiply by -1)
    const negOnly = sorted.every(([, g]) => g.pos.length === 0);
    for (const [c, g] of sorted) {
      let sign = g.pos.length ? 1 : -1;
      const [first, ...rest] = sign > 0 ? [...g.pos, ...g.neg] : g.neg;
      let v = first!;
      for (const u of rest) {
        v = emit({ op: g.pos.includes(u) || sign < 0 ? "add" : "sub", a: v, b: u });
      }
      if (negOnly && parts.length === 0) {
        v = emit({ op: "mul", a: v, c: -c });
        sign = 1;
      } else if (c !== 1) v = emit({ op: "mul", a: v, c });
      parts.push({ v, sign });
    }
    const start = parts.findIndex((p) => p.sign > 0);
    let v: number;
    if (start < 0) v = emit({ op: "mul", a: parts.shift()!.v, c: -1 });
    else v = parts.splice(start, 1)[0]!.v;
    for (const p of parts) v = emit({ op: p.sign > 0 ? "add" : "sub", a: v, b: p.v });
    return v;
  };
  const outputs: number[] = new Array<number>(M.length);
  const done = new Set<number>();
  for (let a = 0; a < rows.length; a++) {
    if (done.has(a)) continue;
    for (let b = a + 1; b < rows.length; b++) {
      if (done.has(b)) continue;
      const E = new Map<number, number>();
      const O = new Map<number, number>();
      const keys = new Set([...rows[a]!.keys(), ...rows[b]!.keys()]);
      for (const k of keys) {
        const x = rows[a]!.get(k) ?? 0;
        const y = rows[b]!.get(k) ?? 0;
        if ((x + y) / 2 !== 0) E.set(k, (x + y) / 2);
        if ((x - y) / 2 !== 0) O.set(k, (x - y) / 2);
      }
      if (!E.size || !O.size || [...E.keys()].some((k) => O.has(k))) continue;
      const e = sum(E);
      const o = sum(O);
      outputs[a] = emit({ op: "add", a: e, b: o });
      outputs[b] = emit({ op: "sub", a: e, b: o });
      done.add(a).add(b);
      break;
    }
    if (!done.has(a)) {
      outputs[a] = sum(rows[a]!);
      done.add(a);
    }
  }
  return { inputs: n, ops, outputs };
}

/** Evaluates a program on numbers (tests; the f64 reference of the generated code). */
export function runLinearProgram(p: LinearProgram, x: readonly number[], f = (v: number) => v) {
  const v = [...x];
  for (const o of p.ops) {
    if (o.op === "mul") v.push(f(v[o.a]! * o.c));
    else v.push(f(o.op === "add" ? v[o.a]! + v[o.b]! : v[o.a]! - v[o.b]!));
  }
  return p.outputs.map((i) => v[i]!);
}

/** Emits a program on v128 values (f32x4 or f64x2); returns the outputs (locals). */
function emitProgram(
  b: CodeBuilder,
  p: LinearProgram,
  x: readonly Local<"v128">[],
  shape: "f32" | "f64" = "f32",
) {
  const v: Local<"v128">[] = [...x];
  const ns = shape === "f32" ? b.f32x4 : (b.f64x2 as unknown as typeof b.f32x4);
  const k = (c: number) => (shape === "f32" ? b.f32x4.const([c, c, c, c]) : b.f64x2.const([c, c]));
  for (const o of p.ops) {
    const r = b.local("v128");
    if (o.op === "mul") r.set(ns.mul(v[o.a]!.get(), k(o.c)));
    else r.set(ns[o.op](v[o.a]!.get(), v[o.b]!.get()));
    v.push(r);
  }
  return p.outputs.map((i) => v[i]!);
}

/** Byte indices of an i8x16.shuffle selecting 32-bit lanes of a‖b. */
const lanes4 = (l: number[]) => laneShuffle(l, 4);

/** y[i][l] = x[l][i] for 4 vectors (from `from` on: the last rows only). */
function transpose4(b: CodeBuilder, x: readonly Local<"v128">[], from = 0): Local<"v128">[] {
  const sh = (idx: number[], p: Local<"v128">, q: Local<"v128">) =>
    b.v128.shuffle(lanes4(idx), p.get(), q.get());
  const [x0, x1, x2, x3] = x as [Local<"v128">, Local<"v128">, Local<"v128">, Local<"v128">];
  const [t0, t1, t2, t3] = b.locals("v128", 4);
  // t0 = (x0₀ x1₀ x0₁ x1₁), t1 = (x0₂ x1₂ x0₃ x1₃), t2 and t3 likewise of x2, x3
  if (from < 2) {
    t0.set(sh([0, 4, 1, 5], x0, x1));
    t2.set(sh([0, 4, 1, 5], x2, x3));
  }
  t1.set(sh([2, 6, 3, 7], x0, x1));
  t3.set(sh([2, 6, 3, 7], x2, x3));
  const out: Local<"v128">[] = [];
  for (let i = from; i < 4; i++) {
    const [p, q] = i < 2 ? [t0, t2] : [t1, t3];
    const y = b.local("v128");
    y.set(sh(i % 2 === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7], p, q));
    out.push(y);
  }
  return out;
}

/** Elements per tile of the output (m²) and of the transformed domain (α²). */
export const winogradPositions = (m: 2 | 4) => (m + 2) * (m + 2);

/** Columns of B (tiles) per GEMM panel. */
export const WINO_NR = 8;
/** Rows of A (output channels) per GEMM panel. */
export const WINO_MR = 6;
/**
 * Emits `winoConv<m>_f32(buf, tbl, T, Cin, Cout, cs, rowBytes, u, v, mb, ob, ocs, orow, planes, oH,
 * oW, out)` (pointers and strides in bytes):
 * - the T tiles: tile t's patch (channel 0) at buf + tbl[2t], its output (channel 0) at ob +
 *   (tbl[2t + 1] & ~3); channel c of either + c·cs / c·ocs, patch and output rows rowBytes / orow
 *   apart; F(2×2) only: bit 0 of tbl[2t + 1] set when the tile's second column is outside the
 *   output, bit 1 its second row (not written);
 * - u: U_ξ in 6-row panels of the output channels over Cin steps, ξ after ξ
 *   (element (co, ci) of ξ at u + ((ξ·⌈Cout/6⌉ + co/6)·Cin + ci)·24 + (co % 6)·4);
 * - v (α²·Cin·32 bytes) and mb (α²·Cout·32 bytes): scratch of one panel of 8 tiles;
 * - then the scratch `ob` cropped: `planes` planes of oH × oW (ocs apart, rows orow apart) into
 *   the contiguous out (none: the tiles written straight into the output).
 * A panel's tiles past T repeat tile T - 1 (same patch, same output: the same bits written twice).
 */
export function emitWinograd(mod: ModuleBuilder, variant: WinogradVariant, relaxed: boolean) {
  const { m } = variant;
  const A = m + 2;
  const P = A * A;
  const btProg = linearProgram(variant.bt);
  const atProg = linearProgram(variant.at);
  const cfg = { ...gemmConfigs.f32, relaxed };
  if (cfg.mr !== WINO_MR || cfg.nrv * 4 !== WINO_NR) throw new Error("winograd: 6×8 GEMM tiles");
  const kernels: FuncRef[] = Array.from({ length: WINO_MR }, (_, r) =>
    emitMicroKernel(mod, `winoConv${m}_kernel${r + 1}`, cfg, false, r + 1, P * WINO_NR),
  );
  const params = {
    buf: "i32",
    tbl: "i32",
    T: "i32",
    Cin: "i32",
    Cout: "i32",
    cs: "i32",
    rowBytes: "i32",
    u: "i32",
    v: "i32",
    mb: "i32",
    ob: "i32",
    ocs: "i32",
    orow: "i32",
    planes: "i32",
    oH: "i32",
    oW: "i32",
    out: "i32",
  } as const;

  /**
   * Input transform of 4 tiles (patch pointers p0…p3), `count` channels (cs bytes apart), into V
   * (at vp, a channel's α² panel rows one after another).
   */
  const inputTransform = mod.func(
    {
      name: `winoConv${m}_in`,
      params: {
        p0: "i32",
        p1: "i32",
        p2: "i32",
        p3: "i32",
        rowBytes: "i32",
        vp: "i32",
        cs: "i32",
        count: "i32",
      },
      export: false,
    },
    (b, p) => {
      const base = [p.p0, p.p1, p.p2, p.p3];
      const pl = b.locals("i32", 4);
      const k = b.local("i32");
      b.for(k, 0, p.count, 1, () => {
        for (let l = 0; l < 4; l++) pl[l]!.set(base[l]!.get());
        oneChannel(b, p, pl);
        for (const q of base) b.inc(q, p.cs);
        b.inc(p.vp, P * WINO_NR * 4);
      });
    },
  );
  /** The input transform of one channel. */
  function oneChannel(
    b: CodeBuilder,
    p: { rowBytes: Local<"i32">; vp: Local<"i32"> },
    pl: readonly Local<"i32">[],
  ) {
    const e: Local<"v128">[][] = [];
    const x = b.locals("v128", 4);
    for (let r = 0; r < A; r++) {
      // d[r][0..α-1] over the 4 tiles: columns 0-3 by a transpose, 4-5 from columns 2-5
      for (let l = 0; l < 4; l++) x[l]!.set(b.v128.load(pl[l]!.get()));
      const d = transpose4(b, x);
      if (A === 6) {
        for (let l = 0; l < 4; l++) x[l]!.set(b.v128.load(pl[l]!.get(), { offset: 8 }));
        d.push(...transpose4(b, x, 2));
      }
      if (r < A - 1) for (const q of pl) b.inc(q, p.rowBytes);
      e.push(emitProgram(b, btProg, d));
    }
    // columns: V[i][j] = Σ_r Bᵀ[i][r] e[r][j]
    for (let j = 0; j < A; j++) {
      const col = emitProgram(
        b,
        btProg,
        e.map((row) => row[j]!),
      );
      for (let i = 0; i < A; i++) {
        b.v128.store(p.vp.get(), col[i]!.get(), { offset: (i * A + j) * WINO_NR * 4 });
      }
    }
  }

  /**
   * Output transform of 4 tiles (output pointers q0…q3), `count` channels (ocs bytes apart), from
   * M (at mp, a channel's α² panel rows one after another).
   * With `edges` (F(2×2) only): a further parameter, 2 bits per tile (tile l at bits 2l, 2l + 1):
   * bit 0 its second column, bit 1 its second row outside the output, not written.
   */
  const emitOutputTransform = (edges: boolean) =>
    mod.func(
      {
        name: `winoConv${m}_out${edges ? "Edge" : ""}`,
        params: {
          q0: "i32",
          q1: "i32",
          q2: "i32",
          q3: "i32",
          orow: "i32",
          mp: "i32",
          fl: "i32",
          ocs: "i32",
          count: "i32",
        },
        export: false,
      },
      (b, p) => {
        const base = [p.q0, p.q1, p.q2, p.q3];
        const ql = b.locals("i32", 4);
        const k = b.local("i32");
        b.for(k, 0, p.count, 1, () => {
          for (let l = 0; l < 4; l++) ql[l]!.set(base[l]!.get());
          outChannel(b, p, ql, edges);
          for (const q of base) b.inc(q, p.ocs);
          b.inc(p.mp, P * WINO_NR * 4);
        });
      },
    );
  /** The output transform of one channel. */
  function outChannel(
    b: CodeBuilder,
    p: { orow: Local<"i32">; mp: Local<"i32">; fl: Local<"i32"> },
    ql: readonly Local<"i32">[],
    edges: boolean,
  ) {
    // columns first: t[i][c] = Σ_r Aᵀ[i][r] M[r][c]
    const t: Local<"v128">[][] = Array.from({ length: m }, () => []);
    for (let c = 0; c < A; c++) {
      const col = Array.from({ length: A }, (_, r) => {
        const y = b.local("v128");
        y.set(b.v128.load(p.mp.get(), { offset: (r * A + c) * WINO_NR * 4 }));
        return y;
      });
      emitProgram(b, atProg, col).forEach((y, i) => {
        t[i]!.push(y);
      });
    }
    // rows: Y[i][k] = Σ_c Aᵀ[k][c] t[i][c], then tile by tile
    for (let i = 0; i < m; i++) {
      const y = emitProgram(b, atProg, t[i]!);
      if (m === 4) {
        const rows = transpose4(b, y);
        for (let l = 0; l < 4; l++) b.v128.store(ql[l]!.get(), rows[l]!.get());
      } else {
        // 2 columns: lanes (tile l, column k) zipped, 8 bytes per tile
        const lo = b.local("v128");
        const hi = b.local("v128");
        lo.set(b.v128.shuffle(lanes4([0, 4, 1, 5]), y[0]!.get(), y[1]!.get()));
        hi.set(b.v128.shuffle(lanes4([2, 6, 3, 7]), y[0]!.get(), y[1]!.get()));
        // (as i64: the bits of two f32 moved, never read as a float)
        const pair = (l: number) => b.i64x2.extractLane(l % 2, (l < 2 ? lo : hi).get());
        for (let l = 0; l < 4; l++) {
          const wide = () => b.i64.store(ql[l]!.get(), pair(l));
          if (!edges) {
            wide();
            continue;
          }
          const bit = (k: number) => b.i32.and(p.fl.get(), b.i32.const(k << (2 * l)));
          // column 0 alone: lane l of y[0] (the same bits as the pair's first half)
          const store = () =>
            b.if(
              bit(1),
              () => b.i32.store(ql[l]!.get(), b.i32x4.extractLane(l, y[0]!.get())),
              wide,
            );
          if (i === 0) store();
          else b.if(b.i32.eqz(bit(2)), store);
        }
      }
      if (i < m - 1) for (const q of ql) b.inc(q, p.orow);
    }
  }
  const outputTransform = emitOutputTransform(false);
  const outputEdge = m === 2 ? emitOutputTransform(true) : outputTransform;

  mod.func({ name: `winoConv${m}_f32`, params }, (b, p) => {
    const i32 = b.i32;
    const c = (x: number) => i32.const(x);
    const [t0, h, co, r, ux, last] = b.locals("i32", 6);
    const [full, q, row, src, dst, j, vend] = b.locals("i32", 7);
    const [ap, bp, cp, a2, c2, xi, rp, ak] = b.locals("i32", 8);
    const ptrs = b.locals("i32", 4);
    const outs = b.locals("i32", 4);
    const fl = b.local("i32");
    // ⌈Cout/6⌉ panels of Cin steps of 6 rows
    ux.set(
      i32.mul(
        i32.mul(i32.divU(i32.add(p.Cout.get(), c(WINO_MR - 1)), c(WINO_MR)), p.Cin.get()),
        c(WINO_MR * 4),
      ),
    );
    last.set(i32.sub(p.T.get(), c(1)));
    full.set(i32.divU(p.Cout.get(), c(WINO_MR)));
    r.set(i32.sub(p.Cout.get(), i32.mul(full.get(), c(WINO_MR))));
    ak.set(i32.mul(p.Cin.get(), c(WINO_MR * 4)));
    /** The table entries (patch, output) of the 4 tiles from t0 + 4h, past T clamped to T - 1. */
    const lanesOf = () => {
      for (let l = 0; l < 4; l++) {
        const idx = () => i32.add(i32.add(t0.get(), i32.shl(h.get(), c(2))), c(l));
        q.set(b.select(idx(), last.get(), i32.ltS(idx(), last.get())));
        q.set(i32.add(p.tbl.get(), i32.shl(q.get(), c(3))));
        ptrs[l]!.set(i32.add(p.buf.get(), i32.load(q.get())));
        // the output offset's low 2 bits: the edge flags of F(2×2)'s tiles
        q.set(i32.load(q.get(), { offset: 4 }));
        outs[l]!.set(i32.add(p.ob.get(), i32.and(q.get(), c(-4))));
        const f = () => i32.and(q.get(), c(3));
        fl.set(l === 0 ? f() : i32.or(fl.get(), i32.shl(f(), c(2 * l))));
      }
    };
    b.for(t0, 0, p.T, WINO_NR, () => {
      // input transform: V as [ci][ξ][8 tiles] (the B panel of ξ: rows α²·32 bytes apart)
      b.for(h, 0, 2, 1, () => {
        lanesOf();
        const vp = () => i32.add(p.v.get(), i32.shl(h.get(), c(4)));
        const [p0, p1, p2, p3] = ptrs.map((x) => () => x.get());
        b.call(
          inputTransform,
          p0!(),
          p1!(),
          p2!(),
          p3!(),
          p.rowBytes.get(),
          vp(),
          p.cs.get(),
          p.Cin.get(),
        );
      });
      // M_ξ (Cout × 8) = U_ξ @ V_ξ: the whole 6-row panels, then the last rows
      ap.set(p.u.get());
      bp.set(p.v.get());
      cp.set(p.mb.get());
      b.for(xi, 0, P, 1, () => {
        a2.set(ap.get());
        c2.set(cp.get());
        const call = (rr: number) => () =>
          b.call(
            kernels[rr - 1]!,
            a2.get(),
            bp.get(),
            p.Cin.get(),
            c2.get(),
            c(P * WINO_NR * 4),
            c(0),
          );
        b.for(rp, 0, full, 1, () => {
          call(WINO_MR)();
          b.inc(a2, ak);
          b.inc(c2, WINO_MR * P * WINO_NR * 4);
        });
        const edge = (rr: number): void =>
          b.if(i32.eq(r.get(), c(rr)), call(rr), rr > 1 ? () => edge(rr - 1) : undefined);
        b.if(r.get(), () => edge(WINO_MR - 1));
        b.inc(ap, ux);
        b.inc(bp, WINO_NR * 4);
        b.inc(cp, WINO_NR * 4);
      });
      // output transform: F(2×2) into the output (the edge tiles by `outputEdge`), F(4×4) into
      // the padded output scratch
      b.for(h, 0, 2, 1, () => {
        lanesOf();
        const mp = () => i32.add(p.mb.get(), i32.shl(h.get(), c(4)));
        const [q0, q1, q2, q3] = outs.map((x) => () => x.get());
        const out = (f: FuncRef) => () =>
          b.call(
            f,
            q0!(),
            q1!(),
            q2!(),
            q3!(),
            p.orow.get(),
            mp(),
            fl.get(),
            p.ocs.get(),
            p.Cout.get(),
          );
        if (m === 2) b.if(fl.get(), out(outputEdge), out(outputTransform));
        else out(outputTransform)();
      });
    });
    // crop: plane by plane, row by row
    const t = floatOps(b, "f32");
    dst.set(p.out.get());
    vend.set(i32.shl(i32.sub(p.oW.get(), c(4)), c(2)));
    b.for(co, 0, p.planes, 1, () => {
      row.set(i32.add(p.ob.get(), i32.mul(co.get(), p.ocs.get())));
      b.for(h, 0, p.oH, 1, () => {
        src.set(row.get());
        b.if(
          i32.geS(p.oW.get(), c(4)),
          () => {
            b.for(j, 0, vend, 16, () =>
              b.v128.store(i32.add(dst.get(), j.get()), b.v128.load(i32.add(src.get(), j.get()))),
            );
            b.v128.store(
              i32.add(dst.get(), vend.get()),
              b.v128.load(i32.add(src.get(), vend.get())),
            );
            dst.set(i32.add(dst.get(), i32.shl(p.oW.get(), c(2))));
          },
          () =>
            b.for(j, 0, p.oW, 1, () => {
              t.store(dst.get(), t.load(i32.add(src.get(), i32.shl(j.get(), c(2)))));
              b.inc(dst, 4);
            }),
        );
        b.inc(row, p.orow);
      });
    });
  });
}

/**
 * Emits `winoWeights<m>_f32(w, coBytes, ciBytes, tap0, tapStep, Cout, Cin, u)`: U_ξ = G g Gᵀ of
 * every kernel g (co, ci) (tap t = kh·3 + kw at w + co·coBytes + ci·ciBytes + tap0 + t·tapStep:
 * tap0 = 32, tapStep = -4 reads the kernels flipped), computed in f64 (2 input channels per
 * f64x2) and rounded once, into the packed panels `winoConv<m>_f32` reads (see there).
 */
export function emitWinogradWeights(mod: ModuleBuilder, variant: WinogradVariant): void {
  const { m } = variant;
  const A = m + 2;
  const gProg = linearProgram(variant.g);
  const params = {
    w: "i32",
    coBytes: "i32",
    ciBytes: "i32",
    tap0: "i32",
    tapStep: "i32",
    Cout: "i32",
    Cin: "i32",
    u: "i32",
  } as const;
  mod.func({ name: `winoWeights${m}_f32`, params }, (b, p) => {
    const i32 = b.i32;
    const c = (x: number) => i32.const(x);
    const [co, ci, ci1, g0, g1, o0, o1, ux, tap] = b.locals("i32", 9);
    const gv = b.locals("v128", 9);
    ux.set(
      i32.mul(
        i32.mul(i32.divU(i32.add(p.Cout.get(), c(WINO_MR - 1)), c(WINO_MR)), p.Cin.get()),
        c(WINO_MR * 4),
      ),
    );
    b.for(co, 0, p.Cout, 1, () => {
      b.for(ci, 0, p.Cin, 2, () => {
        // channels ci and ci + 1 (clamped: an odd last channel is computed twice, stored once)
        ci1.set(i32.add(ci.get(), c(1)));
        ci1.set(b.select(ci1.get(), ci.get(), i32.ltS(ci1.get(), p.Cin.get())));
        const base = (x: Local<"i32">) =>
          i32.add(
            i32.add(p.w.get(), i32.mul(co.get(), p.coBytes.get())),
            i32.add(i32.mul(x.get(), p.ciBytes.get()), p.tap0.get()),
          );
        g0.set(base(ci));
        g1.set(base(ci1));
        tap.set(c(0));
        for (let t = 0; t < 9; t++) {
          const one = (g: Local<"i32">) =>
            b.f64.promoteF32(b.f32.load(i32.add(g.get(), tap.get())));
          gv[t]!.set(b.f64x2.replaceLane(1, b.f64x2.splat(one(g0)), one(g1)));
          if (t < 8) b.inc(tap, p.tapStep);
        }
        // G g (α × 3), column by column, then (G g) Gᵀ row by row
        const cols = [0, 1, 2].map((k) =>
          emitProgram(b, gProg, [gv[k]!, gv[3 + k]!, gv[6 + k]!], "f64"),
        );
        const panel = (x: Local<"i32">) =>
          i32.add(
            i32.add(
              p.u.get(),
              i32.mul(i32.divU(co.get(), c(WINO_MR)), i32.mul(p.Cin.get(), c(WINO_MR * 4))),
            ),
            i32.add(
              i32.mul(x.get(), c(WINO_MR * 4)),
              i32.shl(i32.remU(co.get(), c(WINO_MR)), c(2)),
            ),
          );
        o0.set(panel(ci));
        o1.set(panel(ci1));
        const f = b.local("v128");
        for (let i = 0; i < A; i++) {
          const row = emitProgram(b, gProg, [cols[0]![i]!, cols[1]![i]!, cols[2]![i]!], "f64");
          for (let j = 0; j < A; j++) {
            f.set(b.f32x4.demoteF64x2Zero(row[j]!.get()));
            // lane 1 first: for a clamped pair, lane 0 (the same value) lands last
            b.f32.store(o1.get(), b.f32x4.extractLane(1, f.get()));
            b.f32.store(o0.get(), b.f32x4.extractLane(0, f.get()));
            if (i < A - 1 || j < A - 1) {
              b.inc(o0, ux);
              b.inc(o1, ux);
            }
          }
        }
      });
    });
  });
}

/** Relocation bits of `winoConv<m>_f32`'s arena pointers: buf, v, mb, ob. */
export const WINO_RELOCATE = (1 << 0) | (1 << 8) | (1 << 9) | (1 << 10);
/** The same when the tiles are written straight into the output (ob not in the arena). */
export const WINO_RELOCATE_DIRECT = (1 << 0) | (1 << 8) | (1 << 9);
