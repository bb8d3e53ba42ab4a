// Softmax and log-softmax over the rows of a contiguous [R, C] f32 or f64 block as generated
// WASM: a max pass, an exp(x - max) pass that sums (and, for softmax, stores), and a scaling
// pass. log-softmax computes (x - max) - log(sum) with the runtime's Math.log, imported, once per
// row. The backward kernels (softmax's and log-softmax's, from the forward output) sum a row,
// then map it, in PyTorch's order: out = (g - Σg·y)·y and out = g - exp(y)·Σg.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, type FloatOps, floatOps } from "./dtype";
import { combiner, emitRowReduce, rowScratch } from "./reduce";
import { emitExpVec, emitHorizontal, expScratch } from "./vecMath";

/**
 * Loads the `count` (< lanes) elements at `ptr` into the low lanes of `v` (the other lanes keep
 * their value), so a row's tail takes one vector exp instead of one per element.
 */
function loadTail(
  b: CodeBuilder,
  t: FloatOps,
  v: Local<"v128">,
  ptr: () => Val<"i32">,
  count: Local<"i32">,
): void {
  const { lanes: L, bytes: E } = t.info;
  for (let j = 0; j < L - 1; j++) {
    b.if(b.i32.gtS(count.get(), b.i32.const(j)), () => {
      v.set(t.vec.replaceLane(j, v.get(), t.load(ptr(), { offset: j * E })));
    });
  }
}

/** Runs `each(j)` for the lanes j < `count` (< lanes), in order. */
function forTail(b: CodeBuilder, t: FloatOps, count: Local<"i32">, each: (j: number) => void) {
  for (let j = 0; j < t.info.lanes - 1; j++) {
    b.if(b.i32.gtS(count.get(), b.i32.const(j)), () => each(j));
  }
}

/** Row-wise ops with WASM kernels. */
export const softmaxOps = ["softmax", "logSoftmax"] as const;
export type SoftmaxOp = (typeof softmaxOps)[number];
/** Row-wise backward ops with WASM kernels. */
export const softmaxBackwardOps = ["softmaxBackward", "logSoftmaxBackward"] as const;
export type SoftmaxBackwardOp = (typeof softmaxBackwardOps)[number];

/**
 * Emits every softmax kernel: `<op>_<dtype>` of `softmaxOps` and `softmaxBackwardOps`, f32 and
 * f64. `log` is an imported `(f64) => f64` natural logarithm.
 */
export function emitSoftmaxKernels(m: ModuleBuilder, log: FuncRef<"f64">) {
  for (const d of ["f32", "f64"] as const) {
    for (const op of softmaxOps) emitSoftmax(m, op, log, d);
    for (const op of softmaxBackwardOps) emitSoftmaxBackward(m, op, d);
  }
}

/**
 * Emits `<op>_<dtype>(g, y, out, rows, cols)` over contiguous [rows, cols] blocks: the gradient
 * of softmax (`softmaxBackward`: out = (g - Σ g·y)·y) or log-softmax (`logSoftmaxBackward`:
 * out = g - exp(y)·Σ g) from its output `y` (out may be g or y).
 *
 * @example
 * emitSoftmaxBackward(m, "logSoftmaxBackward", "f32"); // logSoftmaxBackward_f32(g, y, out, rows, cols)
 */
export function emitSoftmaxBackward(m: ModuleBuilder, op: SoftmaxBackwardOp, d: FloatDType) {
  const params = { g: "i32", y: "i32", out: "i32", rows: "i32", cols: "i32" } as const;
  return m.func({ name: `${op}_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { shift, lanes: L, bytes: E } = t.info;
    const f = t.vec;
    const sc = t.scalar;
    const e = expScratch(b);
    const log = op === "logSoftmaxBackward";
    const [row, pg, py, po, i, end, cnt] = b.locals("i32", 7);
    const sum = t.local();
    const [acc, vsum, tg, ty] = b.locals("v128", 4);
    end.set(b.i32.and(p.cols.get(), b.i32.const(-L)));
    cnt.set(b.i32.sub(p.cols.get(), end.get()));
    // the row's term of the sum, and its output from the sum, on a v128 of loads
    const term = (g: () => Val<"v128">, y: () => Val<"v128">) => (log ? g() : f.mul(g(), y()));
    const value = (g: () => Val<"v128">, y: () => Val<"v128">, s: () => Val<"v128">) =>
      log ? f.sub(g(), f.mul(emitExpVec(b, d, e, y), s())) : f.mul(f.sub(g(), s()), y());
    const at = (base: Local<"i32">) =>
      b.i32.add(base.get(), b.i32.shl(i.get(), b.i32.const(shift)));
    pg.set(p.g.get());
    py.set(p.y.get());
    po.set(p.out.get());
    b.for(row, 0, p.rows, 1, () => {
      acc.set(f.splat(t.const(0)));
      b.for(i, 0, end, L, () => {
        acc.set(
          f.add(
            acc.get(),
            term(
              () => b.v128.load(at(pg)),
              () => b.v128.load(at(py)),
            ),
          ),
        );
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
        const gi = () => t.load(at(pg));
        sum.set(sc.add(sum.get(), log ? gi() : sc.mul(gi(), t.load(at(py)))));
      });
      vsum.set(f.splat(sum.get()));
      b.for(i, 0, end, L, () => {
        b.v128.store(
          at(po),
          value(
            () => b.v128.load(at(pg)),
            () => b.v128.load(at(py)),
            () => vsum.get(),
          ),
        );
      });
      // the tail (i = end): one vector of the remaining lanes
      b.if(b.i32.gtS(cnt.get(), b.i32.const(0)), () => {
        tg.set(f.splat(t.const(0)));
        ty.set(f.splat(t.const(0)));
        loadTail(b, t, tg, () => at(pg), cnt);
        loadTail(b, t, ty, () => at(py), cnt);
        tg.set(
          value(
            () => tg.get(),
            () => ty.get(),
            () => vsum.get(),
          ),
        );
        forTail(b, t, cnt, (j) => t.store(at(po), f.extractLane(j, tg.get()), { offset: j * E }));
      });
      const rowBytes = () => b.i32.shl(p.cols.get(), b.i32.const(shift));
      pg.set(b.i32.add(pg.get(), rowBytes()));
      py.set(b.i32.add(py.get(), rowBytes()));
      po.set(b.i32.add(po.get(), rowBytes()));
    });
  });
}

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
    const [row, src, dst, i, end, rowBytes, cnt] = b.locals("i32", 7);
    const [mx, sum] = [t.local(), t.local()];
    const [vmax, acc, tail] = b.locals("v128", 3);
    rowBytes.set(b.i32.shl(p.cols.get(), b.i32.const(shift)));
    end.set(b.i32.and(p.cols.get(), b.i32.const(-L)));
    cnt.set(b.i32.sub(p.cols.get(), end.get()));
    b.for(row, 0, p.rows, 1, () => {
      const rowOf = (base: typeof p.x) =>
        b.i32.add(base.get(), b.i32.mul(row.get(), rowBytes.get()));
      mx.set(emitRowReduce(b, t, s, combiner(t, "max"), () => rowOf(p.x), p.cols));
      vmax.set(f.splat(mx.get()));
      const shifted = (v: () => Val<"v128">) => emitExpVec(b, d, e, () => f.sub(v(), vmax.get()));
      if (op === "logSoftmax") {
        sum.set(emitRowReduce(b, t, s, combiner(t, "sum"), () => rowOf(p.x), end, shifted));
        // the tail's exps as one vector, summed in order
        b.if(b.i32.gtS(cnt.get(), b.i32.const(0)), () => {
          tail.set(f.splat(t.const(0)));
          loadTail(
            b,
            t,
            tail,
            () => b.i32.add(rowOf(p.x), b.i32.shl(end.get(), b.i32.const(shift))),
            cnt,
          );
          tail.set(shifted(() => tail.get()));
          forTail(b, t, cnt, (j) => sum.set(sc.add(sum.get(), f.extractLane(j, tail.get()))));
        });
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
      // the tail's exps as one vector, stored and summed in order
      b.if(b.i32.gtS(cnt.get(), b.i32.const(0)), () => {
        tail.set(f.splat(t.const(0)));
        loadTail(b, t, tail, () => src.get(), cnt);
        tail.set(shifted(() => tail.get()));
        forTail(b, t, cnt, (j) => {
          t.store(dst.get(), f.extractLane(j, tail.get()), { offset: j * E });
          sum.set(sc.add(sum.get(), f.extractLane(j, tail.get())));
        });
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
