// Softmax and log-softmax over the rows of a contiguous [R, C] f32 block as generated WASM:
// a max pass, an exp(x - max) pass that sums (and, for softmax, stores), and a scaling pass.
// log-softmax computes (x - max) - log(sum) with the runtime's Math.log, imported, once per row.

import type { FuncRef } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { floatOps } from "./dtype";
import { combiner, emitRowReduce, rowScratch } from "./reduce";
import { emitExpF32x4, expScratch } from "./vecMath";

/** Row-wise ops with WASM kernels. */
export const softmaxOps = ["softmax", "logSoftmax"] as const;
export type SoftmaxOp = (typeof softmaxOps)[number];

/**
 * Emits `<op>_f32(x, out, rows, cols)` (x and out may be the same buffer). `log` is an imported
 * `(f64) => f64` natural logarithm.
 *
 * @example
 * const log = m.importFunc("env", "log", ["f64"], "f64");
 * emitSoftmax(m, "logSoftmax", log); // logSoftmax_f32(x, out, rows, cols)
 */
export function emitSoftmax(m: ModuleBuilder, op: SoftmaxOp, log: FuncRef<"f64">) {
  const params = { x: "i32", out: "i32", rows: "i32", cols: "i32" } as const;
  return m.func({ name: `${op}_f32`, params }, (b, p) => {
    const t = floatOps(b, "f32");
    const f = b.f32x4;
    const s = rowScratch(b, t);
    const e = expScratch(b);
    const [row, src, dst, i, end, rowBytes] = b.locals("i32", 6);
    const [mx, sum] = b.locals("f32", 2);
    const [vmax, acc] = b.locals("v128", 2);
    rowBytes.set(b.i32.shl(p.cols.get(), b.i32.const(2)));
    b.for(row, 0, p.rows, 1, () => {
      const rowOf = (base: typeof p.x) =>
        b.i32.add(base.get(), b.i32.mul(row.get(), rowBytes.get()));
      mx.set(emitRowReduce(b, t, s, combiner(t, "max"), () => rowOf(p.x), p.cols));
      vmax.set(f.splat(mx.get()));
      const shifted = (v: () => Val<"v128">) => emitExpF32x4(b, e, () => f.sub(v(), vmax.get()));
      if (op === "logSoftmax") {
        sum.set(emitRowReduce(b, t, s, combiner(t, "sum"), () => rowOf(p.x), p.cols, shifted));
        // out = (x - max) - log(sum): subtracting max first keeps precision for large x
        sum.set(b.f32.demoteF64(b.call(log, b.f64.promoteF32(sum.get()))));
        acc.set(f.splat(sum.get()));
        src.set(rowOf(p.x));
        dst.set(rowOf(p.out));
        end.set(b.i32.and(p.cols.get(), b.i32.const(-4)));
        b.for(i, 0, end, 4, () => {
          b.v128.store(dst.get(), f.sub(f.sub(b.v128.load(src.get()), vmax.get()), acc.get()));
          b.inc(src, 16);
          b.inc(dst, 16);
        });
        b.for(i, end, p.cols, 1, () => {
          b.f32.store(dst.get(), b.f32.sub(b.f32.sub(b.f32.load(src.get()), mx.get()), sum.get()));
          b.inc(src, 4);
          b.inc(dst, 4);
        });
        return;
      }
      // out = exp(x - max), summed on the way
      src.set(rowOf(p.x));
      dst.set(rowOf(p.out));
      acc.set(f.splat(b.f32.const(0)));
      end.set(b.i32.and(p.cols.get(), b.i32.const(-4)));
      b.for(i, 0, end, 4, () => {
        b.v128.store(
          dst.get(),
          shifted(() => b.v128.load(src.get())),
        );
        acc.set(f.add(acc.get(), b.v128.load(dst.get())));
        b.inc(src, 16);
        b.inc(dst, 16);
      });
      sum.set(
        b.f32.add(
          b.f32.add(f.extractLane(0, acc.get()), f.extractLane(1, acc.get())),
          b.f32.add(f.extractLane(2, acc.get()), f.extractLane(3, acc.get())),
        ),
      );
      b.for(i, end, p.cols, 1, () => {
        b.f32.store(
          dst.get(),
          f.extractLane(
            0,
            shifted(() => b.v128.load32Splat(src.get())),
          ),
        );
        sum.set(b.f32.add(sum.get(), b.f32.load(dst.get())));
        b.inc(src, 4);
        b.inc(dst, 4);
      });
      // out *= 1 / sum
      vmax.set(f.splat(b.f32.div(b.f32.const(1), sum.get())));
      dst.set(rowOf(p.out));
      b.for(i, 0, end, 4, () => {
        b.v128.store(dst.get(), f.mul(b.v128.load(dst.get()), vmax.get()));
        b.inc(dst, 16);
      });
      b.for(i, end, p.cols, 1, () => {
        b.f32.store(dst.get(), b.f32.mul(b.f32.load(dst.get()), f.extractLane(0, vmax.get())));
        b.inc(dst, 4);
      });
    });
  });
}
