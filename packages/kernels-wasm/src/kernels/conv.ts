// im2col and col2im as generated WASM, for convolution as GEMM. `im2col` unfolds one image's
// [C, H, W] (any element strides) into the contiguous [C·kH·kW, oH·oW] matrix of the patches a
// convolution reads (zeros where a tap falls in the padding); `col2im` is its adjoint, adding such
// a matrix back into a contiguous, pre-zeroed [C, H, W] gradient. For each tap the range of
// output columns that read inside the input is computed once, so the inner loops are plain copies
// (v128 when the tap walks the input with unit stride) or adds, without bounds tests; likewise the
// range of output rows, so rows that read padding are written as one run of zeros. Also the f32
// image copies of the paths without im2col (convGemm.ts): zero-padded, and channels last.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { type FloatDType, type FloatOps, floatOps } from "./dtype";
import { emitTranspose } from "./pack";

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

/**
 * Sets `lo`/`hi` to the range of output positions `o` (of `count`) whose input position
 * `o * stride + base` lies in [0, size): `lo = base ≥ 0 ? 0 : ceil(-base / stride)` and
 * `hi = min(count, floor((size - 1 - base) / stride) + 1)`, clamped so that lo ≤ hi ≤ count.
 */
function validRange(
  b: CodeBuilder,
  lo: Local<"i32">,
  hi: Local<"i32">,
  base: Local<"i32">,
  stride: Local<"i32">,
  size: Local<"i32">,
  count: Local<"i32">,
): void {
  const i32 = b.i32;
  const last = b.local("i32");
  last.set(i32.sub(i32.sub(size.get(), i32.const(1)), base.get()));
  /** x if ok, else 0 */
  const orZero = (x: () => Val<"i32">, ok: () => Val<"i32">) => b.select(x(), i32.const(0), ok());
  b.if(
    i32.eq(stride.get(), i32.const(1)),
    () => {
      // unit stride: no division
      lo.set(
        orZero(
          () => i32.sub(i32.const(0), base.get()),
          () => i32.ltS(base.get(), i32.const(0)),
        ),
      );
      hi.set(
        orZero(
          () => i32.add(last.get(), i32.const(1)),
          () => i32.geS(last.get(), i32.const(0)),
        ),
      );
    },
    () => {
      lo.set(
        b.select(
          i32.const(0),
          i32.divS(
            i32.add(i32.sub(i32.const(0), base.get()), i32.sub(stride.get(), i32.const(1))),
            stride.get(),
          ),
          i32.geS(base.get(), i32.const(0)),
        ),
      );
      hi.set(
        orZero(
          () => i32.add(i32.divS(last.get(), stride.get()), i32.const(1)),
          () => i32.geS(last.get(), i32.const(0)),
        ),
      );
    },
  );
  lo.set(b.select(lo.get(), count.get(), i32.ltS(lo.get(), count.get())));
  hi.set(b.select(hi.get(), count.get(), i32.ltS(hi.get(), count.get())));
  hi.set(b.select(hi.get(), lo.get(), i32.gtS(hi.get(), lo.get())));
}

/** Per-tap locals: the valid output rows [ohLo, ohHi) and columns [lo, hi), and the bases. */
interface Tap {
  readonly ohLo: Local<"i32">;
  readonly ohHi: Local<"i32">;
  readonly lo: Local<"i32">;
  readonly hi: Local<"i32">;
  readonly ihBase: Local<"i32">;
  readonly iwBase: Local<"i32">;
}

/**
 * Loops over the taps (c, kh, kw) in im2col's row order, with the valid output rows and columns
 * of each tap computed once (rows where the tap reads padding are handled by the caller as a
 * whole, never tested row by row).
 */
function forTaps(
  b: CodeBuilder,
  p: GeometryLocals,
  onChannel: (c: Local<"i32">) => void,
  onTap: (tap: Tap) => void,
): void {
  const [c, kh, kw, ohLo, ohHi, lo, hi, ihBase, iwBase] = b.locals("i32", 9);
  const i32 = b.i32;
  const tap = { ohLo, ohHi, lo, hi, ihBase, iwBase };
  b.for(c, 0, p.C, 1, () => {
    onChannel(c);
    b.for(kh, 0, p.kH, 1, () => {
      ihBase.set(i32.sub(i32.mul(kh.get(), p.dH.get()), p.pH.get()));
      validRange(b, ohLo, ohHi, ihBase, p.sH, p.H, p.oH);
      b.for(kw, 0, p.kW, 1, () => {
        iwBase.set(i32.sub(i32.mul(kw.get(), p.dW.get()), p.pW.get()));
        validRange(b, lo, hi, iwBase, p.sW, p.W, p.oW);
        onTap(tap);
      });
    });
  });
}

/** Stores `count` zeros at `ptr` (advanced past them): v128 stores, the last one overlapping. */
function zeroRun(b: CodeBuilder, t: FloatOps, ptr: Local<"i32">, count: Val<"i32">): void {
  const { shift, lanes: L } = t.info;
  const i32 = b.i32;
  const [n, j, vend] = b.locals("i32", 3);
  n.set(count);
  b.if(
    i32.geS(n.get(), i32.const(L)),
    () => {
      vend.set(i32.shl(i32.sub(n.get(), i32.const(L)), i32.const(shift)));
      const zero = () => b.v128.const(new Uint8Array(16));
      b.for(j, 0, vend, 16, () => b.v128.store(i32.add(ptr.get(), j.get()), zero()));
      b.v128.store(i32.add(ptr.get(), vend.get()), zero());
    },
    () =>
      b.for(j, 0, n, 1, () =>
        t.store(i32.add(ptr.get(), i32.shl(j.get(), i32.const(shift))), t.const(0)),
      ),
  );
  ptr.set(i32.add(ptr.get(), i32.shl(n.get(), i32.const(shift))));
}

/** Stores `count` (small) zeros at `ptr` one by one, advancing it. */
function zeroFew(b: CodeBuilder, t: FloatOps, ptr: Local<"i32">, count: Local<"i32">): void {
  const j = b.local("i32");
  b.if(i32gt0(b, count), () =>
    b.for(j, 0, count, 1, () => {
      t.store(ptr.get(), t.const(0));
      b.inc(ptr, t.info.bytes);
    }),
  );
}

const i32gt0 = (b: CodeBuilder, x: Local<"i32">) => b.i32.gtS(x.get(), b.i32.const(0));

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
    const sh = (x: Val<"i32">) => i32.shl(x, i32.const(shift));
    const [xc, src, s, o, rowStep, step, oh, j, n, vend, pre, post] = b.locals("i32", 12);
    const out = p.col;
    rowStep.set(sh(i32.mul(p.sH.get(), p.hs.get())));
    step.set(sh(i32.mul(p.sW.get(), p.ws.get())));
    forTaps(
      b,
      p,
      (c) => xc.set(i32.add(p.x.get(), sh(i32.mul(c.get(), p.cs.get())))),
      (tap) => {
        // rows that read the top padding, then the rows inside, then the bottom padding
        zeroRun(b, t, out, i32.mul(tap.ohLo.get(), p.oW.get()));
        n.set(i32.sub(tap.hi.get(), tap.lo.get()));
        pre.set(tap.lo.get());
        post.set(i32.sub(p.oW.get(), tap.hi.get()));
        src.set(
          i32.add(
            xc.get(),
            sh(
              i32.add(
                i32.mul(i32.add(i32.mul(tap.ohLo.get(), p.sH.get()), tap.ihBase.get()), p.hs.get()),
                i32.mul(i32.add(i32.mul(tap.lo.get(), p.sW.get()), tap.iwBase.get()), p.ws.get()),
              ),
            ),
          ),
        );
        b.if(
          i32.and(i32.eq(step.get(), i32.const(E)), i32.geS(n.get(), i32.const(L))),
          () => {
            // unit stride along the row: v128 copies, the last one overlapping the one before
            vend.set(sh(i32.sub(n.get(), i32.const(L))));
            b.for(oh, tap.ohLo, tap.ohHi, 1, () => {
              zeroFew(b, t, out, pre);
              b.for(j, 0, vend, 16, () =>
                b.v128.store(i32.add(out.get(), j.get()), b.v128.load(i32.add(src.get(), j.get()))),
              );
              b.v128.store(
                i32.add(out.get(), vend.get()),
                b.v128.load(i32.add(src.get(), vend.get())),
              );
              out.set(i32.add(out.get(), i32.add(vend.get(), i32.const(16))));
              zeroFew(b, t, out, post);
              b.inc(src, rowStep);
            });
          },
          () =>
            b.for(oh, tap.ohLo, tap.ohHi, 1, () => {
              zeroFew(b, t, out, pre);
              s.set(src.get());
              o.set(out.get());
              b.for(j, 0, n, 1, () => {
                t.store(o.get(), t.load(s.get()));
                b.inc(s, step);
                b.inc(o, E);
              });
              out.set(o.get());
              zeroFew(b, t, out, post);
              b.inc(src, rowStep);
            }),
        );
        zeroRun(b, t, out, i32.mul(i32.sub(p.oH.get(), tap.ohHi.get()), p.oW.get()));
      },
    );
  });
}

/**
 * Emits `col2im_<dtype>(col, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, oH, oW, gi, zero)`: adds
 * the [C·kH·kW, oH·oW] matrix at col into the contiguous [C, H, W] gi, zeroed first when `zero`
 * is non-zero (while it is in cache, by the thread that fills it).
 *
 * @example
 * emitCol2im(m, "f32"); // exports col2im_f32
 */
export function emitCol2im(m: ModuleBuilder, d: FloatDType) {
  const params = { col: "i32", ...geometry, gi: "i32", zero: "i32" } as const;
  return m.func({ name: `col2im_${d}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const { bytes: E, shift, lanes: L } = t.info;
    const i32 = b.i32;
    const sh = (x: Val<"i32">) => i32.shl(x, i32.const(shift));
    const [gc, dst, s, o, rowStep, step, rowBytes, oh, j, n, nv] = b.locals("i32", 11);
    const src = p.col;
    b.if(p.zero.get(), () => {
      dst.set(p.gi.get());
      zeroRun(b, t, dst, i32.mul(p.C.get(), i32.mul(p.H.get(), p.W.get())));
    });
    rowStep.set(sh(i32.mul(p.sH.get(), p.W.get())));
    step.set(sh(p.sW.get()));
    rowBytes.set(sh(p.oW.get()));
    forTaps(
      b,
      p,
      (c) => gc.set(i32.add(p.gi.get(), sh(i32.mul(c.get(), i32.mul(p.H.get(), p.W.get()))))),
      (tap) => {
        n.set(i32.sub(tap.hi.get(), tap.lo.get()));
        nv.set(i32.and(n.get(), i32.const(-L)));
        // skip the rows that read padding; s walks the valid columns of each row of the tap
        src.set(i32.add(src.get(), sh(i32.mul(tap.ohLo.get(), p.oW.get()))));
        dst.set(
          i32.add(
            gc.get(),
            sh(
              i32.add(
                i32.mul(i32.add(i32.mul(tap.ohLo.get(), p.sH.get()), tap.ihBase.get()), p.W.get()),
                i32.add(i32.mul(tap.lo.get(), p.sW.get()), tap.iwBase.get()),
              ),
            ),
          ),
        );
        const addOne = () => t.store(o.get(), t.scalar.add(t.load(o.get()), t.load(s.get())));
        b.if(
          i32.eq(p.sW.get(), i32.const(1)),
          () =>
            b.for(oh, tap.ohLo, tap.ohHi, 1, () => {
              s.set(i32.add(src.get(), sh(tap.lo.get())));
              o.set(dst.get());
              b.for(j, 0, nv, L, () => {
                b.v128.store(o.get(), t.vec.add(b.v128.load(o.get()), b.v128.load(s.get())));
                b.inc(s, 16);
                b.inc(o, 16);
              });
              b.for(j, nv, n, 1, () => {
                addOne();
                b.inc(s, E);
                b.inc(o, E);
              });
              b.inc(src, rowBytes);
              b.inc(dst, rowStep);
            }),
          () =>
            b.for(oh, tap.ohLo, tap.ohHi, 1, () => {
              s.set(i32.add(src.get(), sh(tap.lo.get())));
              o.set(dst.get());
              b.for(j, 0, n, 1, () => {
                addOne();
                b.inc(s, E);
                b.inc(o, step);
              });
              b.inc(src, rowBytes);
              b.inc(dst, rowStep);
            }),
        );
        src.set(i32.add(src.get(), sh(i32.mul(i32.sub(p.oH.get(), tap.ohHi.get()), p.oW.get()))));
      },
    );
  });
}

/** Zero elements written past the end of a padded copy (columns a GEMM tile may read there). */
export const PAD_SLACK = 8;

/** Element strides of an image the copy kernels read: channel, row, column. */
export const strideParams = { cs: "i32", hs: "i32", ws: "i32" } as const;
/** An image's channels and size, and the padding before its first row and column. */
export const placeParams = { C: "i32", H: "i32", W: "i32", pH: "i32", pW: "i32" } as const;

const padParams = {
  x: "i32",
  ...strideParams,
  ...placeParams,
  Hp: "i32",
  Wp: "i32",
  dst: "i32",
} as const;

/**
 * Pushes the parameters of `p` named by `group`'s keys, in the group's order (arguments passed on
 * to a kernel taking the same group).
 *
 * @example
 * b.call(copy, src.get(), ...pushAll(p, strideParams), ...pushAll(p, placeParams), dst.get());
 */
export function pushAll<K extends string>(
  p: { readonly [k in NoInfer<K>]: Local<"i32"> },
  group: { readonly [k in K]: "i32" },
): Val<"i32">[] {
  return (Object.keys(group) as K[]).map((k) => p[k].get());
}

/** Whether an image's rows go by vectors: unit column stride and rows of at least 4. */
export function vectorRows(b: CodeBuilder, p: { ws: Local<"i32">; W: Local<"i32"> }): Val<"i32"> {
  const i32 = b.i32;
  return i32.and(i32.eq(p.ws.get(), i32.const(1)), i32.geS(p.W.get(), i32.const(4)));
}

/**
 * Copies the bytes [0, vend + 16) of a row from s to o by vectors (j counting bytes), the last at
 * vend (overlapping the one before where the row is no multiple of 16 bytes).
 */
export function copyRowVectors(
  b: CodeBuilder,
  o: Local<"i32">,
  s: Local<"i32">,
  j: Local<"i32">,
  vend: Local<"i32">,
): void {
  const i32 = b.i32;
  b.for(j, 0, vend, 16, () =>
    b.v128.store(i32.add(o.get(), j.get()), b.v128.load(i32.add(s.get(), j.get()))),
  );
  b.v128.store(i32.add(o.get(), vend.get()), b.v128.load(i32.add(s.get(), vend.get())));
}

/**
 * The locals `transposeRow` works with: xr, the row's first pixel of channel 0 (bytes); W, its
 * width; cs and cs4, the channel stride in elements and in bytes; pix, the destination's pixel
 * stride (bytes); cEnd, the channels copied (0 … cEnd - 1, a multiple of 4); iw, c, last and s,
 * the counters of pixels and channels, the last block's pixel and a pointer; x4, t4 and y4, the
 * 4 loaded, intermediate and transposed vectors.
 */
export type TransposeLocals = { readonly [K in TransposeScalars]: Local<"i32"> } & {
  readonly [K in "x4" | "t4" | "y4"]: readonly Local<"v128">[];
};
type TransposeScalars = "xr" | "W" | "cs" | "cs4" | "pix" | "cEnd" | "iw" | "c" | "last" | "s";

/**
 * Copies an image row of unit column stride (W ≥ 4) channels last, 4 pixels × 4 channels at a
 * time by in-register transposes: the block of pixels iw … iw + 3, channels c … c + 3 to
 * `dstAt()` (computed from `iw` and `c`; pixels `pix` bytes apart). The last block of pixels
 * overlaps the one before when W is not a multiple of 4 (rewriting the same values).
 */
export function transposeRow(b: CodeBuilder, l: TransposeLocals, dstAt: () => Val<"i32">): void {
  const i32 = b.i32;
  const { iw, c, s, last } = l;
  last.set(i32.sub(l.W.get(), i32.const(4)));
  iw.set(i32.const(0));
  b.block((done) =>
    b.loop((more) => {
      iw.set(b.select(iw.get(), last.get(), i32.leS(iw.get(), last.get())));
      b.for(c, 0, l.cEnd, 4, () => {
        s.set(
          i32.add(
            l.xr.get(),
            i32.shl(i32.add(iw.get(), i32.mul(c.get(), l.cs.get())), i32.const(2)),
          ),
        );
        for (let k = 0; k < 4; k++) {
          l.x4[k]!.set(b.v128.load(s.get()));
          if (k < 3) b.inc(s, l.cs4);
        }
        emitTranspose(b, l.x4, l.t4, l.y4);
        s.set(dstAt());
        for (let k = 0; k < 4; k++) {
          b.v128.store(s.get(), l.y4[k]!.get());
          if (k < 3) b.inc(s, l.pix);
        }
      });
      b.brIf(done, i32.geS(iw.get(), last.get()));
      b.inc(iw, 4);
      b.br(more);
    }),
  );
}

/**
 * Emits `padCopy_f32(x, cs, hs, ws, C, H, W, pH, pW, Hp, Wp, dst)`: copies the [C, H, W] image
 * at x (strides in elements) into the contiguous [C, Hp, Wp] dst at row pH, column pW of each
 * channel, zeros around it, then PAD_SLACK zeros (Hp ≥ H + pH, Wp ≥ W + pW).
 *
 * @example
 * emitPadCopy(m); // exports padCopy_f32
 */
export function emitPadCopy(m: ModuleBuilder) {
  return m.func({ name: "padCopy_f32", params: padParams }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const E = 4;
    const [c, ih, j, xc, s, vend, o] = b.locals("i32", 7);
    o.set(p.dst.get());
    b.for(c, 0, p.C, 1, () => {
      xc.set(i32.add(p.x.get(), i32.shl(i32.mul(c.get(), p.cs.get()), i32.const(2))));
      zeroRun(b, t, o, i32.mul(p.pH.get(), p.Wp.get()));
      b.for(ih, 0, p.H, 1, () => {
        zeroRun(b, t, o, p.pW.get());
        s.set(i32.add(xc.get(), i32.shl(i32.mul(ih.get(), p.hs.get()), i32.const(2))));
        b.if(
          vectorRows(b, p),
          () => {
            vend.set(i32.shl(i32.sub(p.W.get(), i32.const(4)), i32.const(2)));
            copyRowVectors(b, o, s, j, vend);
            o.set(i32.add(o.get(), i32.shl(p.W.get(), i32.const(2))));
          },
          () =>
            b.for(j, 0, p.W, 1, () => {
              t.store(o.get(), t.load(s.get()));
              s.set(i32.add(s.get(), i32.shl(p.ws.get(), i32.const(2))));
              b.inc(o, E);
            }),
        );
        zeroRun(b, t, o, i32.sub(i32.sub(p.Wp.get(), p.pW.get()), p.W.get()));
      });
      zeroRun(b, t, o, i32.mul(i32.sub(i32.sub(p.Hp.get(), p.pH.get()), p.H.get()), p.Wp.get()));
    });
    zeroRun(b, t, o, i32.const(PAD_SLACK));
  });
}

/**
 * Emits `nhwcCopy_f32(x, cs, hs, ws, C, H, W, pH, pW, Hp, Wp, dst)`: like `padCopy_f32` but
 * channels last: dst is the contiguous [Hp, Wp, C], then PAD_SLACK zeros.
 *
 * @example
 * emitNhwcCopy(m); // exports nhwcCopy_f32
 */
export function emitNhwcCopy(m: ModuleBuilder) {
  return m.func({ name: "nhwcCopy_f32", params: padParams }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const E = 4;
    const [ih, iw, c, xr, s, d, o, pix, last, cs4] = b.locals("i32", 10);
    const x4 = b.locals("v128", 4);
    const t4 = b.locals("v128", 4);
    const y4 = b.locals("v128", 4);
    const sh2 = (v: Val<"i32">) => i32.shl(v, i32.const(2));
    o.set(p.dst.get());
    pix.set(sh2(p.C.get()));
    cs4.set(sh2(p.cs.get()));
    zeroRun(b, t, o, i32.mul(i32.mul(p.pH.get(), p.Wp.get()), p.C.get()));
    b.for(ih, 0, p.H, 1, () => {
      zeroRun(b, t, o, i32.mul(p.pW.get(), p.C.get()));
      xr.set(i32.add(p.x.get(), sh2(i32.mul(ih.get(), p.hs.get()))));
      b.if(
        i32.and(vectorRows(b, p), i32.eqz(i32.and(p.C.get(), i32.const(3)))),
        () => {
          const l = { xr, W: p.W, cs: p.cs, cs4, pix, cEnd: p.C, iw, c, last, s, x4, t4, y4 };
          transposeRow(b, l, () =>
            i32.add(o.get(), sh2(i32.add(i32.mul(iw.get(), p.C.get()), c.get()))),
          );
        },
        () =>
          b.for(iw, 0, p.W, 1, () => {
            s.set(i32.add(xr.get(), sh2(i32.mul(iw.get(), p.ws.get()))));
            d.set(i32.add(o.get(), sh2(i32.mul(iw.get(), p.C.get()))));
            b.for(c, 0, p.C, 1, () => {
              t.store(d.get(), t.load(s.get()));
              b.inc(s, cs4);
              b.inc(d, E);
            });
          }),
      );
      o.set(i32.add(o.get(), sh2(i32.mul(p.W.get(), p.C.get()))));
      zeroRun(b, t, o, i32.mul(i32.sub(i32.sub(p.Wp.get(), p.pW.get()), p.W.get()), p.C.get()));
    });
    zeroRun(
      b,
      t,
      o,
      i32.mul(i32.mul(i32.sub(i32.sub(p.Hp.get(), p.pH.get()), p.H.get()), p.Wp.get()), p.C.get()),
    );
    zeroRun(b, t, o, i32.const(PAD_SLACK));
  });
}

/** Emits im2col and col2im for the dtypes given. */
export function emitConvKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    emitIm2col(m, d);
    emitCol2im(m, d);
  }
  emitPadCopy(m);
  emitNhwcCopy(m);
}
