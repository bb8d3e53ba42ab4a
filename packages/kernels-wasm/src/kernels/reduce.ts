// Reductions over one axis of a contiguous block viewed as [outer, R, inner]: sum and max (and
// min) as generated WASM. inner = 1 (the last axis) reduces each row horizontally with four v128
// accumulators; inner > 1 adds whole rows into the output, vectorised across the inner axis.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, type FloatOps, floatOps } from "./dtype";
import { emitHorizontal } from "./vecMath";

/** Reduction ops, PyTorch's names. */
export const reduceOps = ["sum", "max", "min"] as const;
export type ReduceOp = (typeof reduceOps)[number];

type V = Val<"v128">;

/** The vector combine, scalar combine and identity of a reduction. */
export interface Combiner {
  readonly vec: (x: V, y: V) => V;
  readonly scalar: (x: Val<"f32">, y: Val<"f32">) => Val<"f32">;
  readonly identity: number;
}

/** The combiner of `op` in dtype `t`. */
export function combiner(t: FloatOps, op: ReduceOp): Combiner {
  switch (op) {
    case "sum":
      return { vec: (x, y) => t.vec.add(x, y), scalar: (x, y) => t.scalar.add(x, y), identity: 0 };
    case "max":
      return {
        vec: (x, y) => t.vec.max(x, y),
        scalar: (x, y) => t.scalar.max(x, y),
        identity: Number.NEGATIVE_INFINITY,
      };
    case "min":
      return {
        vec: (x, y) => t.vec.min(x, y),
        scalar: (x, y) => t.scalar.min(x, y),
        identity: Number.POSITIVE_INFINITY,
      };
  }
}

/** Scratch locals for `emitRowReduce`. */
export interface RowScratch {
  readonly acc: readonly Local<"v128">[];
  readonly i: Local<"i32">;
  readonly end: Local<"i32">;
  readonly q: Local<"i32">;
  readonly r: Local<"f32">;
}

/** Declares the scratch locals of `emitRowReduce`. */
export function rowScratch(b: CodeBuilder, t: FloatOps): RowScratch {
  const [i, end, q] = b.locals("i32", 3);
  return { acc: b.locals("v128", 4), i, end, q, r: t.local() };
}

/**
 * Pushes op-reduce of `n` contiguous elements at `ptr` (`map` optionally transforms each v128 /
 * element first, e.g. exp(x - max)). Four accumulators, then one, then a scalar tail.
 */
export function emitRowReduce(
  b: CodeBuilder,
  t: FloatOps,
  s: RowScratch,
  c: Combiner,
  ptr: () => Val<"i32">,
  n: Local<"i32">,
  map: (v: () => V) => V = (v) => v(),
): Val<"f32"> {
  const { lanes: L, bytes: E } = t.info;
  const [a0, a1, a2, a3] = s.acc as [Local<"v128">, Local<"v128">, Local<"v128">, Local<"v128">];
  for (const a of s.acc) a.set(t.vec.splat(t.const(c.identity)));
  s.q.set(ptr());
  s.end.set(b.i32.and(n.get(), b.i32.const(-4 * L)));
  b.for(s.i, 0, s.end, 4 * L, () => {
    s.acc.forEach((a, u) => {
      a.set(
        c.vec(
          a.get(),
          map(() => b.v128.load(s.q.get(), { offset: u * 16 })),
        ),
      );
    });
    b.inc(s.q, 64);
  });
  s.end.set(b.i32.and(n.get(), b.i32.const(-L)));
  b.for(s.i, s.i, s.end, L, () => {
    a0.set(
      c.vec(
        a0.get(),
        map(() => b.v128.load(s.q.get())),
      ),
    );
    b.inc(s.q, 16);
  });
  a0.set(c.vec(c.vec(a0.get(), a1.get()), c.vec(a2.get(), a3.get())));
  const lane0 = (lane: number, v: V) => t.vec.extractLane(lane, v);
  s.r.set(emitHorizontal(b, a0, L, (x, y) => c.vec(x, y), lane0));
  b.for(s.i, s.i, n, 1, () => {
    s.r.set(
      c.scalar(
        s.r.get(),
        t.vec.extractLane(
          0,
          map(() => t.loadSplat(s.q.get())),
        ),
      ),
    );
    b.inc(s.q, E);
  });
  return s.r.get();
}

/**
 * Emits `reduce_<op>_<dtype>(x, out, outer, r, inner)`: for the contiguous block x viewed as
 * [outer, r, inner], out[o, j] = op over k of x[o, k, j] (out is [outer, inner]). r = 0 yields the
 * identity (0, -inf, +inf).
 *
 * @example
 * emitReduce(m, "sum", "f32"); // reduce_sum_f32(x, out, outer, r, inner)
 */
export function emitReduce(m: ModuleBuilder, op: ReduceOp, d: FloatDType) {
  const params = { x: "i32", out: "i32", outer: "i32", r: "i32", inner: "i32" } as const;
  return m.func({ name: `reduce_${op}_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { lanes: L, bytes: E, shift } = t.info;
    const c = combiner(t, op);
    const [o, k, j, src, dst, end, rowBytes] = b.locals("i32", 7);
    const s = rowScratch(b, t);
    b.if(
      b.i32.eq(p.inner.get(), b.i32.const(1)),
      () => {
        rowBytes.set(b.i32.shl(p.r.get(), b.i32.const(shift)));
        src.set(p.x.get());
        dst.set(p.out.get());
        b.for(o, 0, p.outer, 1, () => {
          t.store(
            dst.get(),
            emitRowReduce(b, t, s, c, () => src.get(), p.r),
          );
          b.inc(src, rowBytes);
          b.inc(dst, E);
        });
      },
      () => {
        // out[o, :] = identity, then combine each of the r rows of length inner into it
        rowBytes.set(b.i32.shl(p.inner.get(), b.i32.const(shift)));
        src.set(p.x.get());
        b.for(o, 0, p.outer, 1, () => {
          const row = () => b.i32.add(p.out.get(), b.i32.mul(o.get(), rowBytes.get()));
          dst.set(row());
          b.for(j, 0, p.inner, 1, () => {
            t.store(dst.get(), t.const(c.identity));
            b.inc(dst, E);
          });
          end.set(b.i32.and(p.inner.get(), b.i32.const(-L)));
          b.for(k, 0, p.r, 1, () => {
            dst.set(row());
            b.for(j, 0, end, L, () => {
              b.v128.store(dst.get(), c.vec(b.v128.load(dst.get()), b.v128.load(src.get())));
              b.inc(src, 16);
              b.inc(dst, 16);
            });
            b.for(j, end, p.inner, 1, () => {
              t.store(dst.get(), c.scalar(t.load(dst.get()), t.load(src.get())));
              b.inc(src, E);
              b.inc(dst, E);
            });
          });
        });
      },
    );
  });
}

/** Emits every reduction for the dtypes given. */
export function emitReductions(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) for (const op of reduceOps) emitReduce(m, op, d);
}
