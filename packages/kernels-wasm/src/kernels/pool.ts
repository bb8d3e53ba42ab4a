// Max pooling as generated WASM: the forward pass over strided NCHW input writes each window's
// maximum and its flat `h * W + w` index (as a float64, the storage of int64), with PyTorch's
// NaN rule (a NaN is the maximum; a later NaN moves the index) and tie rule (the first maximum
// in window order); the backward pass zeroes each plane of the contiguous input gradient and
// adds each output gradient at its index. The 2×2 stride-2 case (f32) has SIMD kernels four
// windows at a time: a forward pass, and a backward pass that writes each input-gradient element
// once where the indices tile the plane in 2×2 windows.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, floatOps } from "./dtype";

type I32 = Local<"i32">;

/**
 * The address of plane (n, c) of an array at `base` with element strides s0, s1 and elements of
 * 2^shift bytes: base + ((n·s0 + c·s1) << shift).
 */
function planeAt(
  b: CodeBuilder,
  base: I32,
  n: I32,
  s0: I32,
  c: I32,
  s1: I32,
  shift: number,
): Val<"i32"> {
  const i32 = b.i32;
  return i32.add(
    base.get(),
    i32.shl(i32.add(i32.mul(n.get(), s0.get()), i32.mul(c.get(), s1.get())), i32.const(shift)),
  );
}

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
        xb.set(planeAt(b, p.x, n, p.xs0, c, p.xs1, shift));
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

/** Byte lanes of the even (0, 2, 4, 6) and odd f32 elements of two concatenated v128s. */
const EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const ODD = EVEN.map((x) => x + 4);

/**
 * Emits `maxPool2d2x2_f32(x, xs0, xs1, xs2, N, C, W, out, ind, oH, oW)`: the 2×2, stride-2,
 * unpadded case over rows with unit column stride (oH·2 ≤ H, oW·2 ≤ W), with the general
 * kernel's values, indices and NaN rule (windows scanned in order, a later value wins if greater
 * or NaN). Four outputs per step: the even and odd columns of two input rows split by shuffles.
 * A row's last step is the four outputs that end it, overlapping the step before when 4 ∤ oW
 * (the same windows give the same bits). Steps assume no NaN and sum their inputs, so that a
 * NaN (or both infinities) in a plane shows in the sum; such a plane is redone by steps that
 * scan each window in order. Planes of rows of fewer than 4 outputs run scalar code.
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
    const [n, c, oh, j, main, pb, r0, r1, rowStart, rowOut, rowInd] = b.locals("i32", 11);
    const [planeOut, planeInd, xs2B, lastIn, lastOut, rowAt] = b.locals("i32", 6);
    const [best, off, msk, a0, a1, c0, c1, base, rowBase, nan] = b.locals("v128", 10);
    const [v0, v1, v2, v3] = b.locals("v128", 4);
    const [one, wv, w1v, eight, twoW, lastBase] = b.locals("v128", 6);
    const [sb, sv] = b.locals("f32", 2);
    const si = b.local("i32");
    one.set(b.i32x4.splat(i32.const(1)));
    wv.set(b.i32x4.splat(p.W.get()));
    w1v.set(b.i32x4.splat(i32.add(p.W.get(), i32.const(1))));
    eight.set(b.i32x4.splat(i32.const(8)));
    twoW.set(b.i32x4.splat(i32.shl(p.W.get(), i32.const(1))));
    xs2B.set(i32.shl(p.xs2.get(), i32.const(2)));
    // steps before a row's last one, and that step's offsets (outputs oW - 4 …)
    main.set(i32.sub(p.oW.get(), i32.const(4)));
    lastIn.set(i32.shl(main.get(), i32.const(3)));
    lastOut.set(i32.shl(main.get(), i32.const(2)));
    lastBase.set(b.i32x4.splat(i32.shl(main.get(), i32.const(1))));
    /**
     * Four outputs from columns r0/r1 … +7 (`base`: 1 + the flat indices of their windows'
     * first elements); advances out, ind, r0, r1 and base by four outputs.
     */
    const group = (exact: boolean) => {
      a0.set(b.v128.load(r0.get()));
      a1.set(b.v128.load(r0.get(), { offset: 16 }));
      c0.set(b.v128.load(r1.get()));
      c1.set(b.v128.load(r1.get(), { offset: 16 }));
      v0.set(b.v128.shuffle(EVEN, a0.get(), a1.get()));
      v1.set(b.v128.shuffle(ODD, a0.get(), a1.get()));
      v2.set(b.v128.shuffle(EVEN, c0.get(), c1.get()));
      v3.set(b.v128.shuffle(ODD, c0.get(), c1.get()));
      if (exact) {
        best.set(v0.get());
        const consider = (v: typeof v0, at: typeof one, first = false) => {
          msk.set(b.v128.or(f.gt(v.get(), best.get()), f.ne(v.get(), v.get())));
          best.set(b.v128.bitselect(v.get(), best.get(), msk.get()));
          off.set(
            first
              ? b.v128.and(at.get(), msk.get())
              : b.v128.bitselect(at.get(), off.get(), msk.get()),
          );
        };
        consider(v1, one, true);
        consider(v2, wv);
        consider(v3, w1v);
        off.set(b.i32x4.sub(b.i32x4.add(off.get(), base.get()), one.get()));
      } else {
        nan.set(f.add(nan.get(), f.add(f.add(a0.get(), a1.get()), f.add(c0.get(), c1.get()))));
        // pmax(best, v) = best < v ? v : best is the scan's step without NaN (it keeps the
        // first of equal values, ±0 too), so the scan keeps the first element with the bits of
        // the maximum. With e_k = (bits of v_k == best) and r = e0 | e1 (row 0 holds it), the
        // index is base - 1 + (r ? 0 : W) + (r ? (e0 ? 0 : 1) : (e2 ? 0 : 1))
        // = base + (W & ~r) + (e0 | (e2 & ~r)) (masks are 0 or -1).
        best.set(f.pmax(f.pmax(f.pmax(v0.get(), v1.get()), v2.get()), v3.get()));
        v0.set(b.i32x4.eq(v0.get(), best.get()));
        msk.set(b.v128.or(v0.get(), b.i32x4.eq(v1.get(), best.get())));
        off.set(b.v128.or(v0.get(), b.v128.andnot(b.i32x4.eq(v2.get(), best.get()), msk.get())));
        off.set(
          b.i32x4.add(b.i32x4.add(base.get(), b.v128.andnot(wv.get(), msk.get())), off.get()),
        );
      }
      b.v128.store(p.out.get(), best.get());
      b.v128.store(p.ind.get(), b.f64x2.convertLowI32x4S(off.get()));
      const high = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
      b.v128.store(
        p.ind.get(),
        b.f64x2.convertLowI32x4S(b.v128.shuffle(high, off.get(), off.get())),
        { offset: 16 },
      );
      b.inc(p.out, 16);
      b.inc(p.ind, 32);
      b.inc(r0, 32);
      b.inc(r1, 32);
      base.set(b.i32x4.add(base.get(), eight.get()));
    };
    /** The rows of the plane at pb (oW ≥ 4), writing from out and ind on. */
    const plane = (exact: boolean) => {
      rowStart.set(pb.get());
      rowBase.set(b.i32x4.const([1, 3, 5, 7]));
      b.for(oh, 0, p.oH, 1, () => {
        r0.set(rowStart.get());
        r1.set(i32.add(r0.get(), xs2B.get()));
        base.set(rowBase.get());
        rowOut.set(p.out.get());
        rowInd.set(p.ind.get());
        b.for(j, 0, main, 4, () => group(exact));
        // the row's last four outputs
        r0.set(i32.add(rowStart.get(), lastIn.get()));
        r1.set(i32.add(r0.get(), xs2B.get()));
        p.out.set(i32.add(rowOut.get(), lastOut.get()));
        p.ind.set(i32.add(rowInd.get(), lastIn.get()));
        base.set(b.i32x4.add(rowBase.get(), lastBase.get()));
        group(exact);
        rowStart.set(i32.add(rowStart.get(), i32.shl(xs2B.get(), i32.const(1))));
        rowBase.set(b.i32x4.add(rowBase.get(), twoW.get()));
      });
    };
    b.for(n, 0, p.N, 1, () => {
      b.for(c, 0, p.C, 1, () => {
        pb.set(planeAt(b, p.x, n, p.xs0, c, p.xs1, 2));
        b.if(
          i32.geS(p.oW.get(), i32.const(4)),
          () => {
            planeOut.set(p.out.get());
            planeInd.set(p.ind.get());
            nan.set(b.v128.const(new Uint8Array(16)));
            plane(false);
            // a NaN (or both infinities) in the plane: redo it scanning windows in order
            b.if(b.v128.anyTrue(f.ne(nan.get(), nan.get())), () => {
              p.out.set(planeOut.get());
              p.ind.set(planeInd.get());
              plane(true);
            });
          },
          () => {
            b.for(oh, 0, p.oH, 1, () => {
              r0.set(i32.add(pb.get(), i32.mul(i32.shl(oh.get(), i32.const(1)), xs2B.get())));
              r1.set(i32.add(r0.get(), xs2B.get()));
              // flat index of row 2·oh, column 0
              rowAt.set(i32.mul(i32.shl(oh.get(), i32.const(1)), p.W.get()));
              b.for(j, 0, p.oW, 1, () => {
                sb.set(b.f32.const(Number.NEGATIVE_INFINITY));
                si.set(rowAt.get());
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
                    const at = i32.add(rowAt.get(), i32.const(dw));
                    si.set(row === r1 ? i32.add(at, p.W.get()) : at);
                  });
                }
                b.f32.store(p.out.get(), sb.get());
                b.f64.store(p.ind.get(), b.f64.convertI32S(si.get()));
                b.inc(p.out, 4);
                b.inc(p.ind, 8);
                b.inc(r0, 8);
                b.inc(r1, 8);
                b.inc(rowAt, 2);
              });
            });
          },
        );
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
        gb.set(planeAt(b, p.g, n, p.gs0, c, p.gs1, shift));
        ib.set(planeAt(b, p.ind, n, p.is0, c, p.is1, 3));
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

/**
 * Emits `maxPool2dBackward2x2_f32(g, gs0, gs1, gs2, ind, is0, is1, is2, N, C, oH, oW, gi, H, W)`:
 * the backward pass where the output is H/2 × W/2 (rounded down), rows of g and ind have unit
 * column stride, gi is contiguous [N, C, H, W] and H·W ≤ 2^24. Where every index of a plane lies
 * in its own 2×2 window (always, after a 2×2 stride-2 pool), the windows tile gi, so each
 * element of gi is written once: the output gradient plus +0 (what the zero-filled scatter-add
 * gives) where the index points, +0 at the window's other three elements and at an odd last row
 * or column. Four windows per step; a row's last step is the four windows that end it,
 * overlapping the step before when 4 ∤ oW. A plane with any index elsewhere is redone by the
 * general kernel `general` (zero-fill and scatter-add).
 *
 * @example
 * emitMaxPool2dBackward2x2(m, emitMaxPool2dBackward(m, "f32")); // maxPool2dBackward2x2_f32
 */
export function emitMaxPool2dBackward2x2(m: ModuleBuilder, general: FuncRef) {
  const params = {
    g: "i32",
    gs0: "i32",
    gs1: "i32",
    gs2: "i32",
    ind: "i32",
    is0: "i32",
    is1: "i32",
    is2: "i32",
    N: "i32",
    C: "i32",
    oH: "i32",
    oW: "i32",
    gi: "i32",
    H: "i32",
    W: "i32",
  } as const;
  return m.func({ name: "maxPool2dBackward2x2_f32", params }, (b, p) => {
    const i32 = b.i32;
    const f = b.f32x4;
    const [n, c, oh, j, main, plane, gb, ib, gr, ir, d0, d1] = b.locals("i32", 12);
    const [grRow, irRow, dRow, gs2B, is2B, WB, lastG, lastI, lastD, okS] = b.locals("i32", 10);
    const [gv, d, m0, m1, e, o, ok, hit, base, rowBase] = b.locals("v128", 10);
    const [one, wv, w1v, zero, eight, twoW, lastBase] = b.locals("v128", 7);
    const [at, gs] = [b.local("f64"), b.local("f32")];
    const planeBytes = b.local("i32");
    zero.set(b.v128.const(new Uint8Array(16)));
    // window offsets 1, W, W + 1, the step of four windows and of two rows, as f32
    one.set(f.splat(b.f32.const(1)));
    wv.set(f.splat(b.f32.convertI32S(p.W.get())));
    w1v.set(f.splat(b.f32.convertI32S(i32.add(p.W.get(), i32.const(1)))));
    eight.set(f.splat(b.f32.const(8)));
    twoW.set(f.splat(b.f32.convertI32S(i32.shl(p.W.get(), i32.const(1)))));
    gs2B.set(i32.shl(p.gs2.get(), i32.const(2)));
    is2B.set(i32.shl(p.is2.get(), i32.const(3)));
    WB.set(i32.shl(p.W.get(), i32.const(2)));
    planeBytes.set(i32.shl(i32.mul(p.H.get(), p.W.get()), i32.const(2)));
    // steps before a row's last one, and that step's offsets (windows oW - 4 …)
    main.set(i32.sub(p.oW.get(), i32.const(4)));
    lastG.set(i32.shl(main.get(), i32.const(2)));
    lastI.set(i32.shl(main.get(), i32.const(3)));
    lastD.set(i32.shl(main.get(), i32.const(3)));
    lastBase.set(f.splat(b.f32.convertI32S(i32.shl(main.get(), i32.const(1)))));
    /** Interleaves even (e) and odd (o) columns into 8 elements of a gi row at `dst`. */
    const spread = (dst: typeof d0) => {
      const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
      b.v128.store(dst.get(), b.v128.shuffle(lo, e.get(), o.get()));
      const hi = lo.map((x) => x + 8);
      b.v128.store(dst.get(), b.v128.shuffle(hi, e.get(), o.get()), { offset: 16 });
    };
    /** Four windows: g at gr, indices at ir, gi rows at d0 and d1; advances every pointer. */
    const group = () => {
      // +0 turns a -0 gradient into the +0 that 0 + g gives
      gv.set(f.add(b.v128.load(gr.get()), zero.get()));
      // index - window start as f32: exact below 2^24, where a window's elements are; an
      // index beyond rounds to no window, a NaN matches none
      d.set(
        f.sub(
          b.v128.shuffle(
            [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
            f.demoteF64x2Zero(b.v128.load(ir.get())),
            f.demoteF64x2Zero(b.v128.load(ir.get(), { offset: 16 })),
          ),
          base.get(),
        ),
      );
      m0.set(f.eq(d.get(), zero.get()));
      m1.set(f.eq(d.get(), one.get()));
      e.set(b.v128.and(gv.get(), m0.get()));
      o.set(b.v128.and(gv.get(), m1.get()));
      spread(d0);
      hit.set(b.v128.or(m0.get(), m1.get()));
      m0.set(f.eq(d.get(), wv.get()));
      m1.set(f.eq(d.get(), w1v.get()));
      e.set(b.v128.and(gv.get(), m0.get()));
      o.set(b.v128.and(gv.get(), m1.get()));
      spread(d1);
      ok.set(b.v128.and(ok.get(), b.v128.or(hit.get(), b.v128.or(m0.get(), m1.get()))));
      b.inc(gr, 16);
      b.inc(ir, 32);
      b.inc(d0, 32);
      b.inc(d1, 32);
      base.set(f.add(base.get(), eight.get()));
    };
    plane.set(p.gi.get());
    b.for(n, 0, p.N, 1, () => {
      b.for(c, 0, p.C, 1, () => {
        gb.set(planeAt(b, p.g, n, p.gs0, c, p.gs1, 2));
        ib.set(planeAt(b, p.ind, n, p.is0, c, p.is1, 3));
        okS.set(i32.const(1));
        ok.set(b.v128.const(new Uint8Array(16).fill(255)));
        grRow.set(gb.get());
        irRow.set(ib.get());
        dRow.set(plane.get());
        b.if(
          i32.geS(p.oW.get(), i32.const(4)),
          () => {
            rowBase.set(f.const([0, 2, 4, 6]));
            b.for(oh, 0, p.oH, 1, () => {
              gr.set(grRow.get());
              ir.set(irRow.get());
              d0.set(dRow.get());
              d1.set(i32.add(d0.get(), WB.get()));
              base.set(rowBase.get());
              b.for(j, 0, main, 4, () => group());
              // the row's last four windows
              gr.set(i32.add(grRow.get(), lastG.get()));
              ir.set(i32.add(irRow.get(), lastI.get()));
              d0.set(i32.add(dRow.get(), lastD.get()));
              d1.set(i32.add(d0.get(), WB.get()));
              base.set(f.add(rowBase.get(), lastBase.get()));
              group();
              // d1 is now at row 2·oh + 1, column 2·oW: an odd last column's element there
              // and one row up belong to no window
              b.if(i32.and(p.W.get(), i32.const(1)), () => {
                b.f32.store(d1.get(), b.f32.const(0));
                b.f32.store(i32.sub(d1.get(), WB.get()), b.f32.const(0));
              });
              grRow.set(i32.add(grRow.get(), gs2B.get()));
              irRow.set(i32.add(irRow.get(), is2B.get()));
              dRow.set(i32.add(dRow.get(), i32.shl(WB.get(), i32.const(1))));
              rowBase.set(f.add(rowBase.get(), twoW.get()));
            });
          },
          () => {
            b.for(oh, 0, p.oH, 1, () => {
              gr.set(grRow.get());
              ir.set(irRow.get());
              d0.set(dRow.get());
              d1.set(i32.add(d0.get(), WB.get()));
              b.for(j, 0, p.oW, 1, () => {
                // one window: at - (2·oh·W + 2·ow), the flat index of d0, must be 0, 1, W or
                // W + 1 (compared as f64: no conversion to trap or saturate)
                at.set(
                  b.f64.sub(
                    b.f64.load(ir.get()),
                    b.f64.convertI32S(i32.shrU(i32.sub(d0.get(), plane.get()), i32.const(2))),
                  ),
                );
                gs.set(b.f32.add(b.f32.load(gr.get()), b.f32.const(0)));
                const w = () => b.f64.convertI32S(p.W.get());
                const put = (
                  dst: typeof d0,
                  offset: number,
                  delta: () => ReturnType<typeof at.get>,
                ) =>
                  b.f32.store(
                    dst.get(),
                    b.select(gs.get(), b.f32.const(0), b.f64.eq(at.get(), delta())),
                    { offset },
                  );
                put(d0, 0, () => b.f64.const(0));
                put(d0, 4, () => b.f64.const(1));
                put(d1, 0, w);
                put(d1, 4, () => b.f64.add(w(), b.f64.const(1)));
                const hitAt = (x: () => ReturnType<typeof at.get>) => b.f64.eq(at.get(), x());
                okS.set(
                  i32.and(
                    okS.get(),
                    i32.or(
                      i32.or(
                        hitAt(() => b.f64.const(0)),
                        hitAt(() => b.f64.const(1)),
                      ),
                      i32.or(
                        hitAt(w),
                        hitAt(() => b.f64.add(w(), b.f64.const(1))),
                      ),
                    ),
                  ),
                );
                b.inc(gr, 4);
                b.inc(ir, 8);
                b.inc(d0, 8);
                b.inc(d1, 8);
              });
              b.if(i32.and(p.W.get(), i32.const(1)), () => {
                b.f32.store(d1.get(), b.f32.const(0));
                b.f32.store(i32.sub(d1.get(), WB.get()), b.f32.const(0));
              });
              grRow.set(i32.add(grRow.get(), gs2B.get()));
              irRow.set(i32.add(irRow.get(), is2B.get()));
              dRow.set(i32.add(dRow.get(), i32.shl(WB.get(), i32.const(1))));
            });
          },
        );
        // an odd last row belongs to no window (dRow is at its start)
        b.if(i32.and(p.H.get(), i32.const(1)), () => {
          b.for(j, 0, p.W, 1, () => {
            b.f32.store(dRow.get(), b.f32.const(0));
            b.inc(dRow, 4);
          });
        });
        b.if(i32.eqz(i32.and(okS.get(), b.i32x4.allTrue(ok.get()))), () =>
          b.call(
            general,
            gb.get(),
            p.gs0.get(),
            p.gs1.get(),
            p.gs2.get(),
            i32.const(1),
            ib.get(),
            p.is0.get(),
            p.is1.get(),
            p.is2.get(),
            i32.const(1),
            i32.const(1),
            i32.const(1),
            p.oH.get(),
            p.oW.get(),
            plane.get(),
            i32.mul(p.H.get(), p.W.get()),
          ),
        );
        b.inc(plane, planeBytes);
      });
    });
  });
}

/** Emits the max-pooling kernels for the dtypes given. */
export function emitPoolKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    emitMaxPool2d(m, d);
    const backward = emitMaxPool2dBackward(m, d);
    if (d === "f32") emitMaxPool2dBackward2x2(m, backward);
  }
  emitMaxPool2d2x2(m);
}
