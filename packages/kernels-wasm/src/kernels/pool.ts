// Max pooling as generated WASM: the forward pass over strided NCHW input writes each window's
// maximum and its flat `h * W + w` index (as a float64, the storage of int64), with PyTorch's
// NaN rule (a NaN is the maximum; a later NaN moves the index); the backward pass zeroes each
// plane of the contiguous input gradient and adds each output gradient at its index.

import type { ModuleBuilder } from "../asm/moduleBuilder";
import { type FloatDType, floatOps } from "./dtype";

/**
 * Emits `maxPool2d_<dtype>(x, xs0, xs1, xs2, xs3, N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW,
 * out, ind, oH, oW)`: x's strides in elements; out (dtype) and ind (f64) contiguous
 * [N, C, oH, oW].
 *
 * @example
 * emitMaxPool2d(m, "f32"); // exports maxPool2d_f32
 */
export function emitMaxPool2d(m: ModuleBuilder, d: FloatDType) {
  const params = {
    x: "i32",
    xs0: "i32",
    xs1: "i32",
    xs2: "i32",
    xs3: "i32",
    N: "i32",
    C: "i32",
    H: "i32",
    W: "i32",
    kH: "i32",
    kW: "i32",
    sH: "i32",
    sW: "i32",
    pH: "i32",
    pW: "i32",
    dH: "i32",
    dW: "i32",
    out: "i32",
    ind: "i32",
    oH: "i32",
    oW: "i32",
  } as const;
  return m.func({ name: `maxPool2d_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, shift } = t.info;
    const i32 = b.i32;
    const [n, c, oh, ow, h, w, hs, he, ws, we, xb, at] = b.locals("i32", 12);
    const [best, v] = [t.local(), t.local()];
    const sh = (x: ReturnType<typeof i32.const>) => i32.shl(x, i32.const(shift));
    /** First index ≥ 0 of `start + k·step`. */
    const clampUp = (s: typeof hs, step: typeof p.dH) =>
      s.set(
        b.select(
          i32.add(
            s.get(),
            i32.mul(
              i32.divS(i32.sub(i32.sub(step.get(), i32.const(1)), s.get()), step.get()),
              step.get(),
            ),
          ),
          s.get(),
          i32.ltS(s.get(), i32.const(0)),
        ),
      );
    b.for(n, 0, p.N, 1, () => {
      b.for(c, 0, p.C, 1, () => {
        xb.set(
          i32.add(
            p.x.get(),
            sh(i32.add(i32.mul(n.get(), p.xs0.get()), i32.mul(c.get(), p.xs1.get()))),
          ),
        );
        b.for(oh, 0, p.oH, 1, () => {
          hs.set(i32.sub(i32.mul(oh.get(), p.sH.get()), p.pH.get()));
          he.set(
            i32.add(
              hs.get(),
              i32.add(i32.mul(i32.sub(p.kH.get(), i32.const(1)), p.dH.get()), i32.const(1)),
            ),
          );
          he.set(b.select(he.get(), p.H.get(), i32.ltS(he.get(), p.H.get())));
          clampUp(hs, p.dH);
          b.for(ow, 0, p.oW, 1, () => {
            ws.set(i32.sub(i32.mul(ow.get(), p.sW.get()), p.pW.get()));
            we.set(
              i32.add(
                ws.get(),
                i32.add(i32.mul(i32.sub(p.kW.get(), i32.const(1)), p.dW.get()), i32.const(1)),
              ),
            );
            we.set(b.select(we.get(), p.W.get(), i32.ltS(we.get(), p.W.get())));
            clampUp(ws, p.dW);
            best.set(t.const(Number.NEGATIVE_INFINITY));
            at.set(i32.add(i32.mul(hs.get(), p.W.get()), ws.get()));
            b.for(h, hs, he, p.dH, () => {
              b.for(w, ws, we, p.dW, () => {
                v.set(
                  t.load(
                    i32.add(
                      xb.get(),
                      sh(i32.add(i32.mul(h.get(), p.xs2.get()), i32.mul(w.get(), p.xs3.get()))),
                    ),
                  ),
                );
                b.if(
                  i32.or(t.scalar.gt(v.get(), best.get()), t.scalar.ne(v.get(), v.get())),
                  () => {
                    best.set(v.get());
                    at.set(i32.add(i32.mul(h.get(), p.W.get()), w.get()));
                  },
                );
              });
            });
            t.store(p.out.get(), best.get());
            b.f64.store(p.ind.get(), b.f64.convertI32S(at.get()));
            b.inc(p.out, E);
            b.inc(p.ind, 8);
          });
        });
      });
    });
  });
}

/**
 * Emits `maxPool2d2x2_f32(x, xs0, xs1, xs2, N, C, W, out, ind, oH, oW)`: the 2×2, stride-2,
 * unpadded case over rows with unit column stride, four outputs per step (even and odd columns
 * of two input rows split by shuffles, the window scanned in the general kernel's order so
 * values, indices and NaN handling are identical); the last oW % 4 outputs run scalar code.
 *
 * @example
 * emitMaxPool2d2x2(m); // exports maxPool2d2x2_f32
 */
export function emitMaxPool2d2x2(m: ModuleBuilder) {
  const params = {
    x: "i32",
    xs0: "i32",
    xs1: "i32",
    xs2: "i32",
    N: "i32",
    C: "i32",
    W: "i32",
    out: "i32",
    ind: "i32",
    oH: "i32",
    oW: "i32",
  } as const;
  return m.func({ name: "maxPool2d2x2_f32", params }, (b, p) => {
    const i32 = b.i32;
    const f = b.f32x4;
    const [n, c, oh, j, vend, r0, r1, pb] = b.locals("i32", 8);
    const [best, idx, v, msk, a0, a1, base, step] = b.locals("v128", 8);
    const [sb, sv] = b.locals("f32", 2);
    const [wv, baseW] = b.locals("v128", 2);
    wv.set(b.i32x4.splat(p.W.get()));
    const [si, k] = b.locals("i32", 2);
    const even = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
    const odd = even.map((x) => x + 4);
    vend.set(i32.and(p.oW.get(), i32.const(-4)));
    // column offsets 2j of four consecutive outputs
    step.set(b.i32x4.const([0, 2, 4, 6]));
    b.for(n, 0, p.N, 1, () => {
      b.for(c, 0, p.C, 1, () => {
        pb.set(
          i32.add(
            p.x.get(),
            i32.shl(
              i32.add(i32.mul(n.get(), p.xs0.get()), i32.mul(c.get(), p.xs1.get())),
              i32.const(2),
            ),
          ),
        );
        b.for(oh, 0, p.oH, 1, () => {
          r0.set(
            i32.add(
              pb.get(),
              i32.shl(i32.mul(i32.shl(oh.get(), i32.const(1)), p.xs2.get()), i32.const(2)),
            ),
          );
          r1.set(i32.add(r0.get(), i32.shl(p.xs2.get(), i32.const(2))));
          // flat index of row 2·oh, column 0
          base.set(
            b.i32x4.add(
              b.i32x4.splat(i32.mul(i32.shl(oh.get(), i32.const(1)), p.W.get())),
              step.get(),
            ),
          );
          b.for(j, 0, vend, 4, () => {
            const take = (row: typeof r0, lanes: number[]) => {
              a0.set(b.v128.load(row.get()));
              a1.set(b.v128.load(row.get(), { offset: 16 }));
              return b.v128.shuffle(lanes, a0.get(), a1.get());
            };
            const consider = (
              vv: () => ReturnType<typeof take>,
              index: () => ReturnType<typeof take>,
            ) => {
              v.set(vv());
              msk.set(b.v128.or(f.gt(v.get(), best.get()), f.ne(v.get(), v.get())));
              best.set(b.v128.bitselect(v.get(), best.get(), msk.get()));
              idx.set(b.v128.bitselect(index(), idx.get(), msk.get()));
            };
            const plus = (x: typeof base, d: number) =>
              b.i32x4.add(x.get(), b.i32x4.splat(i32.const(d)));
            best.set(take(r0, even));
            idx.set(base.get());
            baseW.set(b.i32x4.add(base.get(), wv.get()));
            consider(
              () => take(r0, odd),
              () => plus(base, 1),
            );
            consider(
              () => take(r1, even),
              () => baseW.get(),
            );
            consider(
              () => take(r1, odd),
              () => plus(baseW, 1),
            );
            b.v128.store(p.out.get(), best.get());
            b.v128.store(p.ind.get(), b.f64x2.convertLowI32x4S(idx.get()));
            b.v128.store(
              p.ind.get(),
              b.f64x2.convertLowI32x4S(
                b.v128.shuffle(
                  [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7],
                  idx.get(),
                  idx.get(),
                ),
              ),
              { offset: 16 },
            );
            b.inc(p.out, 16);
            b.inc(p.ind, 32);
            b.inc(r0, 32);
            b.inc(r1, 32);
            base.set(b.i32x4.add(base.get(), b.i32x4.splat(i32.const(8))));
          });
          b.for(j, vend, p.oW, 1, () => {
            sb.set(b.f32.const(Number.NEGATIVE_INFINITY));
            si.set(b.i32x4.extractLane(0, base.get()));
            const cands: [typeof r0, number][] = [
              [r0, 0],
              [r0, 1],
              [r1, 0],
              [r1, 1],
            ];
            for (const [row, dw] of cands) {
              sv.set(b.f32.load(row.get(), { offset: dw * 4 }));
              b.if(i32.or(b.f32.gt(sv.get(), sb.get()), b.f32.ne(sv.get(), sv.get())), () => {
                sb.set(sv.get());
                k.set(i32.add(b.i32x4.extractLane(0, base.get()), i32.const(dw)));
                if (row === r1) k.set(i32.add(k.get(), p.W.get()));
                si.set(k.get());
              });
            }
            b.f32.store(p.out.get(), sb.get());
            b.f64.store(p.ind.get(), b.f64.convertI32S(si.get()));
            b.inc(p.out, 4);
            b.inc(p.ind, 8);
            b.inc(r0, 8);
            b.inc(r1, 8);
            base.set(b.i32x4.add(base.get(), b.i32x4.splat(i32.const(2))));
          });
        });
      });
    });
  });
}

/**
 * Emits `maxPool2dBackward_<dtype>(g, gs0, gs1, gs2, gs3, ind, is0, is1, is2, is3, N, C, oH, oW,
 * gi, HW)`: strides in elements; gi contiguous [N, C, HW]. Each plane of gi is zeroed, then every
 * output gradient is added at its index (while the plane is in cache: no separate zeroing pass).
 *
 * @example
 * emitMaxPool2dBackward(m, "f32"); // exports maxPool2dBackward_f32
 */
export function emitMaxPool2dBackward(m: ModuleBuilder, d: FloatDType) {
  const params = {
    g: "i32",
    gs0: "i32",
    gs1: "i32",
    gs2: "i32",
    gs3: "i32",
    ind: "i32",
    is0: "i32",
    is1: "i32",
    is2: "i32",
    is3: "i32",
    N: "i32",
    C: "i32",
    oH: "i32",
    oW: "i32",
    gi: "i32",
    HW: "i32",
  } as const;
  return m.func({ name: `maxPool2dBackward_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { shift, lanes: L } = t.info;
    const i32 = b.i32;
    const [n, c, oh, ow, gb, ib, gr, ir, plane, dst, j, vend] = b.locals("i32", 12);
    const [gStep, iStep, gRow, iRow, planeBytes] = b.locals("i32", 5);
    const [fv, hw] = b.locals("f64", 2);
    const sh = (x: ReturnType<typeof i32.const>, by = shift) => i32.shl(x, i32.const(by));
    plane.set(p.gi.get());
    hw.set(b.f64.convertI32S(p.HW.get()));
    gStep.set(sh(p.gs3.get()));
    iStep.set(sh(p.is3.get(), 3));
    gRow.set(sh(p.gs2.get()));
    iRow.set(sh(p.is2.get(), 3));
    planeBytes.set(sh(p.HW.get()));
    // v128 zero stores over the plane, the last one overlapping (planes of fewer than L: scalar)
    vend.set(sh(i32.sub(p.HW.get(), i32.const(L))));
    const zero = () => b.v128.const(new Uint8Array(16));
    b.for(n, 0, p.N, 1, () => {
      b.for(c, 0, p.C, 1, () => {
        b.if(
          i32.geS(p.HW.get(), i32.const(L)),
          () => {
            b.for(j, 0, vend, 16, () => b.v128.store(i32.add(plane.get(), j.get()), zero()));
            b.v128.store(i32.add(plane.get(), vend.get()), zero());
          },
          () => b.for(j, 0, p.HW, 1, () => t.store(i32.add(plane.get(), sh(j.get())), t.const(0))),
        );
        gb.set(
          i32.add(
            p.g.get(),
            sh(i32.add(i32.mul(n.get(), p.gs0.get()), i32.mul(c.get(), p.gs1.get()))),
          ),
        );
        ib.set(
          i32.add(
            p.ind.get(),
            sh(i32.add(i32.mul(n.get(), p.is0.get()), i32.mul(c.get(), p.is1.get())), 3),
          ),
        );
        b.for(oh, 0, p.oH, 1, () => {
          gr.set(gb.get());
          ir.set(ib.get());
          b.for(ow, 0, p.oW, 1, () => {
            fv.set(b.f64.load(ir.get()));
            b.if(i32.and(b.f64.ge(fv.get(), b.f64.const(0)), b.f64.lt(fv.get(), hw.get())), () => {
              dst.set(i32.add(plane.get(), sh(i32.truncF64S(fv.get()))));
              t.store(dst.get(), t.scalar.add(t.load(dst.get()), t.load(gr.get())));
            });
            b.inc(gr, gStep);
            b.inc(ir, iStep);
          });
          b.inc(gb, gRow);
          b.inc(ib, iRow);
        });
        b.inc(plane, planeBytes);
      });
    });
  });
}

/** Emits the max-pooling kernels for the dtypes given. */
export function emitPoolKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    emitMaxPool2d(m, d);
    emitMaxPool2dBackward(m, d);
  }
  emitMaxPool2d2x2(m);
}
