// Softmax and log-softmax over the rows of a contiguous [R, C] f32 or f64 block as generated
// WASM: a max pass, an exp(x - max) pass that sums (and, for softmax, stores), and a scaling
// pass. log-softmax computes (x - max) - log(sum) with the runtime's Math.log, imported, once per
// row.

import type { FuncRef } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, floatOps } from "./dtype";
import { combiner, emitRowReduce, rowScratch } from "./reduce";
import { emitExpVec, emitHorizontal, expScratch } from "./vecMath";

/** Row-wise ops with WASM kernels. */
export const softmaxOps = ["softmax", "logSoftmax"] as const;
export type SoftmaxOp = (typeof softmaxOps)[number];

/**
 * Emits `<op>_<dtype>(x, out, rows, cols)` (x and out may be the same buffer). `log` is an
 * imported `(f64) => f64` natural logarithm.
 *
 * @example
 * const log = m.importFunc("env", "log", ["f64"], "f64");
 * emitSoftmax(m, "logSoftmax", log, "f32"); // logSoftmax_f32(x, out, rows, cols)
 */
export function emitSoftmax(
  m: ModuleBuilder,
  op: SoftmaxOp,
  log: FuncRef<"f64">,
  d: FloatDType = "f32",
) {
  const params = { x: "i32", out: "i32", rows: "i32", cols: "i32" } as const;
  return m.func({ name: `${op}_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, shift, lanes: L } = t.info;
    const f = t.vec;
    const sc = t.scalar;
    const s = rowScratch(b, t);
    const e = expScratch(b);
    const [row, src, dst, i, end, rowBytes] = b.locals("i32", 6);
    const [mx, sum] = [t.local(), t.local()];
    const [vmax, acc] = b.locals("v128", 2);
    rowBytes.set(b.i32.shl(p.cols.get(), b.i32.const(shift)));
    end.set(b.i32.and(p.cols.get(), b.i32.const(-L)));
    b.for(row, 0, p.rows, 1, () => {
      const rowOf = (base: typeof p.x) =>
        b.i32.add(base.get(), b.i32.mul(row.get(), rowBytes.get()));
      mx.set(emitRowReduce(b, t, s, combiner(t, "max"), () => rowOf(p.x), p.cols));
      vmax.set(f.splat(mx.get()));
      const shifted = (v: () => Val<"v128">) => emitExpVec(b, d, e, () => f.sub(v(), vmax.get()));
      if (op === "logSoftmax") {
        sum.set(emitRowReduce(b, t, s, combiner(t, "sum"), () => rowOf(p.x), p.cols, shifted));
        // out = (x - max) - log(sum): subtracting max first keeps precision for large x
        const lg = () =>
          b.call(log, d === "f32" ? b.f64.promoteF32(sum.get()) : (sum.get() as never));
        sum.set(d === "f32" ? b.f32.demoteF64(lg()) : (lg() as never));
        acc.set(f.splat(sum.get()));
        src.set(rowOf(p.x));
        dst.set(rowOf(p.out));
        b.for(i, 0, end, L, () => {
          b.v128.store(dst.get(), f.sub(f.sub(b.v128.load(src.get()), vmax.get()), acc.get()));
          b.inc(src, 16);
          b.inc(dst, 16);
        });
        b.for(i, end, p.cols, 1, () => {
          t.store(dst.get(), sc.sub(sc.sub(t.load(src.get()), mx.get()), sum.get()));
          b.inc(src, E);
          b.inc(dst, E);
        });
        return;
      }
      // out = exp(x - max), summed on the way
      src.set(rowOf(p.x));
      dst.set(rowOf(p.out));
      acc.set(f.splat(t.const(0)));
      b.for(i, 0, end, L, () => {
        b.v128.store(
          dst.get(),
          shifted(() => b.v128.load(src.get())),
        );
        acc.set(f.add(acc.get(), b.v128.load(dst.get())));
        b.inc(src, 16);
        b.inc(dst, 16);
      });
      sum.set(
        emitHorizontal(
          b,
          acc,
          L,
          (x, y) => f.add(x, y),
          (lane, v) => f.extractLane(lane, v),
        ),
      );
      b.for(i, end, p.cols, 1, () => {
        t.store(
          dst.get(),
          f.extractLane(
            0,
            shifted(() => t.loadSplat(src.get())),
          ),
        );
        sum.set(sc.add(sum.get(), t.load(dst.get())));
        b.inc(src, E);
        b.inc(dst, E);
      });
      // out *= 1 / sum
      vmax.set(f.splat(sc.div(t.const(1), sum.get())));
      dst.set(rowOf(p.out));
      b.for(i, 0, end, L, () => {
        b.v128.store(dst.get(), f.mul(b.v128.load(dst.get()), vmax.get()));
        b.inc(dst, 16);
      });
      b.for(i, end, p.cols, 1, () => {
        t.store(dst.get(), sc.mul(t.load(dst.get()), f.extractLane(0, vmax.get())));
        b.inc(dst, E);
      });
    });
  });
}
