// im2col and col2im as generated WASM, for convolution as GEMM. `im2col` unfolds one image's
// [C, H, W] (any element strides) into the contiguous [C·kH·kW, oH·oW] matrix of the patches a
// convolution reads (zeros where a tap falls in the padding); `col2im` is its adjoint, adding such
// a matrix back into a contiguous, pre-zeroed [C, H, W] gradient. For each tap the range of
// output columns that read inside the input is computed once, so the inner loops are plain copies
// (v128 when the tap walks the input with unit stride) or adds, without bounds tests.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, type FloatOps, floatOps } from "./dtype";

const geometry = {
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
  oH: "i32",
  oW: "i32",
} as const;
type GeometryLocals = { readonly [K in keyof typeof geometry]: Local<"i32"> };

/** Locals of the per-tap column range: `lo ≤ ow < hi` read inside the input. */
interface TapRange {
  readonly lo: Local<"i32">;
  readonly hi: Local<"i32">;
  readonly iwBase: Local<"i32">;
}

/** Sets lo/hi for the tap whose input column is `ow * sW + iwBase`. */
function tapRange(b: CodeBuilder, p: GeometryLocals, r: TapRange): void {
  const i32 = b.i32;
  const last = b.local("i32");
  // lo = iwBase >= 0 ? 0 : ceil(-iwBase / sW), at most oW
  r.lo.set(
    b.select(
      i32.const(0),
      i32.divS(
        i32.add(i32.sub(i32.const(0), r.iwBase.get()), i32.sub(p.sW.get(), i32.const(1))),
        p.sW.get(),
      ),
      i32.geS(r.iwBase.get(), i32.const(0)),
    ),
  );
  r.lo.set(b.select(r.lo.get(), p.oW.get(), i32.ltS(r.lo.get(), p.oW.get())));
  // hi = last < 0 ? 0 : min(oW, last / sW + 1), at least lo
  last.set(i32.sub(i32.sub(p.W.get(), i32.const(1)), r.iwBase.get()));
  r.hi.set(
    b.select(
      i32.add(i32.divS(last.get(), p.sW.get()), i32.const(1)),
      i32.const(0),
      i32.geS(last.get(), i32.const(0)),
    ),
  );
  r.hi.set(b.select(r.hi.get(), p.oW.get(), i32.ltS(r.hi.get(), p.oW.get())));
  r.hi.set(b.select(r.hi.get(), r.lo.get(), i32.gtS(r.hi.get(), r.lo.get())));
}

/** Loops over (c, kh, kw) and the output rows oh; `body` runs per row with ih valid or not. */
function forTapRows(
  b: CodeBuilder,
  p: GeometryLocals,
  r: TapRange,
  onTap: (c: Local<"i32">) => void,
  row: (ih: Local<"i32">, inside: Val<"i32">) => void,
): void {
  const [c, kh, kw, oh, ih, ihBase] = b.locals("i32", 6);
  b.for(c, 0, p.C, 1, () => {
    b.for(kh, 0, p.kH, 1, () => {
      ihBase.set(b.i32.sub(b.i32.mul(kh.get(), p.dH.get()), p.pH.get()));
      b.for(kw, 0, p.kW, 1, () => {
        r.iwBase.set(b.i32.sub(b.i32.mul(kw.get(), p.dW.get()), p.pW.get()));
        tapRange(b, p, r);
        onTap(c);
        b.for(oh, 0, p.oH, 1, () => {
          ih.set(b.i32.add(b.i32.mul(oh.get(), p.sH.get()), ihBase.get()));
          row(ih, b.i32.ltU(ih.get(), p.H.get()));
        });
      });
    });
  });
}

function zeros(
  b: CodeBuilder,
  t: FloatOps,
  ptr: Local<"i32">,
  from: Local<"i32"> | number,
  to: Local<"i32">,
) {
  const j = b.local("i32");
  const E = t.info.bytes;
  b.for(j, from, to, 1, () => {
    t.store(ptr.get(), t.const(0));
    b.inc(ptr, E);
  });
}

/**
 * Emits `im2col_<dtype>(x, cs, hs, ws, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, col)`:
 * x's strides in elements; col receives [C·kH·kW, oH·oW] row-major.
 *
 * @example
 * emitIm2col(m, "f32"); // exports im2col_f32
 */
export function emitIm2col(m: ModuleBuilder, d: FloatDType) {
  const params = { x: "i32", cs: "i32", hs: "i32", ws: "i32", ...geometry, col: "i32" } as const;
  return m.func({ name: `im2col_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, shift, lanes: L } = t.info;
    const i32 = b.i32;
    const [lo, hi, iwBase, xc, src, step, j, vend] = b.locals("i32", 8);
    const r = { lo, hi, iwBase };
    const out = p.col;
    step.set(i32.shl(i32.mul(p.sW.get(), p.ws.get()), i32.const(shift)));
    forTapRows(
      b,
      p,
      r,
      (c) => xc.set(i32.add(p.x.get(), i32.shl(i32.mul(c.get(), p.cs.get()), i32.const(shift)))),
      (ih, inside) => {
        b.if(
          inside,
          () => {
            zeros(b, t, out, 0, lo);
            const col0 = () => i32.add(i32.mul(lo.get(), p.sW.get()), iwBase.get());
            src.set(
              i32.add(
                xc.get(),
                i32.shl(
                  i32.add(i32.mul(ih.get(), p.hs.get()), i32.mul(col0(), p.ws.get())),
                  i32.const(shift),
                ),
              ),
            );
            b.if(
              i32.and(
                i32.eq(step.get(), i32.const(E)),
                i32.geS(i32.sub(hi.get(), lo.get()), i32.const(L)),
              ),
              () => {
                // v128 copies, the last one overlapping the one before (no scalar tail)
                vend.set(
                  i32.shl(i32.sub(i32.sub(hi.get(), lo.get()), i32.const(L)), i32.const(shift)),
                );
                b.for(j, 0, vend, 16, () => {
                  b.v128.store(
                    i32.add(out.get(), j.get()),
                    b.v128.load(i32.add(src.get(), j.get())),
                  );
                });
                b.v128.store(
                  i32.add(out.get(), vend.get()),
                  b.v128.load(i32.add(src.get(), vend.get())),
                );
                out.set(i32.add(out.get(), i32.add(vend.get(), i32.const(16))));
              },
              () =>
                b.for(j, lo, hi, 1, () => {
                  t.store(out.get(), t.load(src.get()));
                  b.inc(src, step);
                  b.inc(out, E);
                }),
            );
            zeros(b, t, out, hi, p.oW);
          },
          () => zeros(b, t, out, 0, p.oW),
        );
      },
    );
  });
}

/**
 * Emits `col2im_<dtype>(col, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, gi)`: adds the
 * [C·kH·kW, oH·oW] matrix at col into the contiguous [C, H, W] gi (which the caller zeroes).
 *
 * @example
 * emitCol2im(m, "f32"); // exports col2im_f32
 */
export function emitCol2im(m: ModuleBuilder, d: FloatDType) {
  const params = { col: "i32", ...geometry, gi: "i32" } as const;
  return m.func({ name: `col2im_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, shift, lanes: L } = t.info;
    const i32 = b.i32;
    const [lo, hi, iwBase, gc, dst, step, j, vend, plane] = b.locals("i32", 9);
    const r = { lo, hi, iwBase };
    const src = p.col;
    plane.set(i32.mul(p.H.get(), p.W.get()));
    step.set(i32.shl(p.sW.get(), i32.const(shift)));
    forTapRows(
      b,
      p,
      r,
      (c) => gc.set(i32.add(p.gi.get(), i32.shl(i32.mul(c.get(), plane.get()), i32.const(shift)))),
      (ih, inside) => {
        b.if(
          inside,
          () => {
            src.set(i32.add(src.get(), i32.shl(lo.get(), i32.const(shift))));
            const col0 = () => i32.add(i32.mul(lo.get(), p.sW.get()), iwBase.get());
            dst.set(
              i32.add(
                gc.get(),
                i32.shl(i32.add(i32.mul(ih.get(), p.W.get()), col0()), i32.const(shift)),
              ),
            );
            b.if(
              i32.eq(p.sW.get(), i32.const(1)),
              () => {
                vend.set(i32.sub(hi.get(), i32.and(i32.sub(hi.get(), lo.get()), i32.const(L - 1))));
                b.for(j, lo, vend, L, () => {
                  b.v128.store(
                    dst.get(),
                    t.vec.add(b.v128.load(dst.get()), b.v128.load(src.get())),
                  );
                  b.inc(src, 16);
                  b.inc(dst, 16);
                });
                b.for(j, j, hi, 1, () => {
                  t.store(dst.get(), t.scalar.add(t.load(dst.get()), t.load(src.get())));
                  b.inc(src, E);
                  b.inc(dst, E);
                });
              },
              () =>
                b.for(j, lo, hi, 1, () => {
                  t.store(dst.get(), t.scalar.add(t.load(dst.get()), t.load(src.get())));
                  b.inc(src, E);
                  b.inc(dst, step);
                }),
            );
            src.set(i32.add(src.get(), i32.shl(i32.sub(p.oW.get(), hi.get()), i32.const(shift))));
          },
          () => src.set(i32.add(src.get(), i32.shl(p.oW.get(), i32.const(shift)))),
        );
      },
    );
  });
}

/** Emits im2col and col2im for the dtypes given. */
export function emitConvKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    emitIm2col(m, d);
    emitCol2im(m, d);
  }
}
