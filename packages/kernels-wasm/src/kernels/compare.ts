// Comparison and selection kernels over contiguous streams as generated WASM: `compare_<op>`
// writes bytes 0/1 (a `bool` array) from f32/f64 operands, `where` picks between two f32/f64
// operands by a byte mask (any non-zero byte is true). 16 elements per iteration with SIMD masks
// narrowed to bytes (compare) or widened from bytes (where), then a scalar tail.
// `thresholdBackward` is relu's fused backward mask: out = self <= threshold ? 0 : grad.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { dtypes, type FloatDType, type FloatOps, floatOps } from "./dtype";
import { emitWalk, floatInputs } from "./strided";

/** Comparison ops, PyTorch's names. */
export const compareOps = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type CompareOp = (typeof compareOps)[number];
/** Layouts of `where`'s two value operands (the condition is always a contiguous byte stream). */
export const whereLayouts = ["vv", "vs", "sv", "ss"] as const;
export type WhereLayout = (typeof whereLayouts)[number];

type V = Val<"v128">;

/** The vector comparison of `op` (lanes all-ones where true). */
export function vecCompare(t: FloatOps, op: CompareOp): (x: V, y: V) => V {
  const v = t.vec;
  return (x, y) => v[op](x, y);
}

/** The scalar comparison of `op` (an i32 0/1). */
export function scalarCompare(
  t: FloatOps,
  op: CompareOp,
): (x: Val<"f32">, y: Val<"f32">) => Val<"i32"> {
  const s = t.scalar;
  return (x, y) => s[op](x, y);
}

/** One operand: a pointer walked along the data, or a scalar splatted once. */
interface Operand {
  vec(off: number): V;
  scalar(): Val<"f32">;
  step(bytes: number): void;
}

function operand(
  b: CodeBuilder,
  t: FloatOps,
  p: Local<"i32"> | Local<"f32">,
  isVec: boolean,
): Operand {
  if (isVec) {
    const ptr = p as Local<"i32">;
    return {
      vec: (off) => b.v128.load(ptr.get(), { offset: off }),
      scalar: () => t.load(ptr.get()),
      step: (bytes) => b.inc(ptr, bytes),
    };
  }
  const value = p as Local<"f32">;
  const splat = b.local("v128");
  splat.set(t.vec.splat(value.get()));
  return { vec: () => splat.get(), scalar: () => value.get(), step: () => {} };
}

/** Pushes an i32x4 of lane masks for 4 consecutive elements starting at element `e0`. */
function mask4(
  b: CodeBuilder,
  t: FloatOps,
  cmp: (x: V, y: V) => V,
  x: Operand,
  y: Operand,
  e0: number,
) {
  const E = t.info.bytes;
  if (t.info.lanes === 4) return cmp(x.vec(e0 * E), y.vec(e0 * E));
  // f64: two i64x2 masks, keep the low 32 bits of each lane
  const lo = (k: number) => cmp(x.vec((e0 + 2 * k) * E), y.vec((e0 + 2 * k) * E));
  return b.v128.shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27], lo(0), lo(1));
}

/**
 * Emits `compare_<op>_<dtype>_<layout>(x, y, out, n)`: out[i] = x[i] op y[i] as a byte 0/1; each
 * of x, y is a pointer (`v`) or a number (`s`).
 *
 * @example
 * emitCompare(m, "gt", "f32", "vs"); // compare_gt_f32_vs(x, s, out, n)
 */
export function emitCompare(
  m: ModuleBuilder,
  op: CompareOp,
  d: FloatDType,
  layout: "vv" | "vs" | "sv",
) {
  const params = {
    x: layout[0] === "v" ? "i32" : d,
    y: layout[1] === "v" ? "i32" : d,
    out: "i32",
    n: "i32",
  } as const;
  return m.func({ name: `compare_${op}_${d}_${layout}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const E = t.info.bytes;
    const x = operand(b, t, p.x as Local<"i32">, layout[0] === "v");
    const y = operand(b, t, p.y as Local<"i32">, layout[1] === "v");
    const cmp = vecCompare(t, op);
    const [i, end] = b.locals("i32", 2);
    const one = b.local("v128");
    one.set(b.i8x16.splat(b.i32.const(1)));
    end.set(b.i32.and(p.n.get(), b.i32.const(-16)));
    b.for(i, 0, end, 16, () => {
      const m8 = (k: number) =>
        b.i16x8.narrowI32x4S(mask4(b, t, cmp, x, y, 8 * k), mask4(b, t, cmp, x, y, 8 * k + 4));
      b.v128.store(p.out.get(), b.v128.and(b.i8x16.narrowI16x8S(m8(0), m8(1)), one.get()));
      x.step(16 * E);
      y.step(16 * E);
      b.inc(p.out, 16);
    });
    const sc = scalarCompare(t, op);
    b.for(i, i, p.n, 1, () => {
      b.i32.store8(p.out.get(), sc(x.scalar(), y.scalar()));
      x.step(E);
      y.step(E);
      b.inc(p.out, 1);
    });
  });
}

/**
 * Emits `where_<dtype>_<layout>(cond, x, y, out, n)`: out[i] = cond[i] ? x[i] : y[i], cond a
 * byte stream, x and y pointers (`v`) or numbers (`s`). Values are copied bit-exactly.
 *
 * @example
 * emitWhere(m, "f32", "vs"); // where_f32_vs(cond, x, 0, out, n): relu's backward mask
 */
export function emitWhere(m: ModuleBuilder, d: FloatDType, layout: WhereLayout) {
  const params = {
    c: "i32",
    x: layout[0] === "v" ? "i32" : d,
    y: layout[1] === "v" ? "i32" : d,
    out: "i32",
    n: "i32",
  } as const;
  return m.func({ name: `where_${d}_${layout}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, lanes: L } = t.info;
    const x = operand(b, t, p.x as Local<"i32">, layout[0] === "v");
    const y = operand(b, t, p.y as Local<"i32">, layout[1] === "v");
    const [i, end] = b.locals("i32", 2);
    const [mb, lo, hi] = b.locals("v128", 3);
    const m32 = b.locals("v128", 4);
    end.set(b.i32.and(p.n.get(), b.i32.const(-16)));
    b.for(i, 0, end, 16, () => {
      mb.set(b.i8x16.ne(b.v128.load(p.c.get()), b.v128.const(new Uint8Array(16))));
      lo.set(b.i16x8.extendLowI8x16S(mb.get()));
      hi.set(b.i16x8.extendHighI8x16S(mb.get()));
      m32[0]!.set(b.i32x4.extendLowI16x8S(lo.get()));
      m32[1]!.set(b.i32x4.extendHighI16x8S(lo.get()));
      m32[2]!.set(b.i32x4.extendLowI16x8S(hi.get()));
      m32[3]!.set(b.i32x4.extendHighI16x8S(hi.get()));
      const vectors = 16 / L;
      for (let u = 0; u < vectors; u++) {
        const mask = (): V => {
          if (L === 4) return m32[u]!.get();
          const q = m32[u >> 1]!.get();
          return u & 1 ? b.i64x2.extendHighI32x4S(q) : b.i64x2.extendLowI32x4S(q);
        };
        b.v128.store(p.out.get(), b.v128.bitselect(x.vec(u * 16), y.vec(u * 16), mask()), {
          offset: u * 16,
        });
      }
      x.step(16 * E);
      y.step(16 * E);
      b.inc(p.out, 16 * E);
      b.inc(p.c, 16);
    });
    b.for(i, i, p.n, 1, () => {
      t.store(p.out.get(), b.select(x.scalar(), y.scalar(), b.i32.load8U(p.c.get())));
      x.step(E);
      y.step(E);
      b.inc(p.out, E);
      b.inc(p.c, 1);
    });
  });
}

/**
 * Emits `thresholdBackward_<dtype>(grad, self, threshold, out, n)`: out[i] = self[i] <= threshold
 * ? +0 : grad[i] over contiguous streams (a NaN `self` passes `grad`, bit-exactly): the `le` lane
 * mask clears `grad` with `andnot`, four vectors per iteration, then a scalar tail.
 *
 * @example
 * emitThresholdBackward(m, "f32"); // thresholdBackward_f32(grad, self, 0, out, n): relu's backward
 */
export function emitThresholdBackward(m: ModuleBuilder, d: FloatDType) {
  const params = { g: "i32", x: "i32", th: d, out: "i32", n: "i32" } as const;
  return m.func({ name: `thresholdBackward_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, lanes: L } = t.info;
    const th = p.th as unknown as Local<"f32">;
    const [i, end] = b.locals("i32", 2);
    const thv = b.local("v128");
    thv.set(t.vec.splat(th.get()));
    const U = 4;
    end.set(b.i32.and(p.n.get(), b.i32.const(-(U * L))));
    b.for(i, 0, end, U * L, () => {
      for (let u = 0; u < U; u++) {
        const out = p.out.get();
        const g = b.v128.load(p.g.get(), { offset: u * 16 });
        const mask = t.vec.le(b.v128.load(p.x.get(), { offset: u * 16 }), thv.get());
        b.v128.store(out, b.v128.andnot(g, mask), { offset: u * 16 });
      }
      b.inc(p.g, U * 16);
      b.inc(p.x, U * 16);
      b.inc(p.out, U * 16);
    });
    b.for(i, i, p.n, 1, () => {
      const out = p.out.get();
      const zero = t.const(0);
      const g = t.load(p.g.get());
      t.store(out, b.select(zero, g, t.scalar.le(t.load(p.x.get()), th.get())));
      b.inc(p.g, E);
      b.inc(p.x, E);
      b.inc(p.out, E);
    });
  });
}

/** Emits every comparison, `where` and `thresholdBackward` kernel, and their strided 2-D walkers, for the dtypes given. */
export function emitCompareKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    const E = dtypes[d].bytes;
    for (const op of compareOps) {
      const fns = (["vv", "vs", "sv"] as const).map((l) => ({
        layout: l,
        fn: emitCompare(m, op, d, l),
      }));
      emitWalk(m, {
        name: `compare2d_${op}_${d}`,
        inputs: floatInputs(d, 2),
        outBytes: 1,
        fast: fns,
        element: (b, [x, y], o) => {
          const t = floatOps(b, d);
          b.i32.store8(o.get(), scalarCompare(t, op)(t.load(x!.get()), t.load(y!.get())));
        },
      });
    }
    const fast = whereLayouts.map((l) => ({ layout: `v${l}`, fn: emitWhere(m, d, l) }));
    emitWalk(m, {
      name: `where2d_${d}`,
      inputs: [{ bytes: 1 }, ...floatInputs(d, 2)],
      outBytes: E,
      fast,
      element: (b, [c, x, y], o) => {
        const t = floatOps(b, d);
        t.store(o.get(), b.select(t.load(x!.get()), t.load(y!.get()), b.i32.load8U(c!.get())));
      },
    });
    emitThresholdBackward(m, d);
  }
}
