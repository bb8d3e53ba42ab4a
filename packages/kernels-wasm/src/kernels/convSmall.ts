// Convolutions of few input channels (a short shared dimension K = C·kH·kW), f32, unit stride
// and dilation: the forward convolution and the weight gradient straight from the image (or a
// zero-padded copy), one call per image (or block of images), without im2col or packing.
//
// Forward (`convSmall_f32`): per block of SMALL_R output channels, row by row, SMALL_R × 8
// positions (2 vectors) in registers; each step of K loads the two input vectors at the tap's
// offset (unaligned, through a table of the taps' offsets) and splats the block's SMALL_R
// weights (packed [block][k][SMALL_R] by the caller): 2 loads and SMALL_R splats feed
// 2·SMALL_R multiply-adds. A row's last 1-7 positions are one or two single vectors, the last
// over the row's last 4 positions (its first lanes rewritten with the bits they have), so
// nothing is read or written past a row (oW ≥ 4).
//
// Weight gradient (`convSmallGradW_f32`): per pass of GRAD_R output channels × up to GRAD_T
// taps of one kernel row, each vector of 4 positions of gradOut loads the channels' vectors and
// the input vectors at the taps' offsets once for GRAD_R·GRAD_T multiply-adds; 4 lanes of
// partial sums per (channel, tap), added up across lanes at the end of the image (in a fixed
// order) and added to the gradient. A row's last 1-3 positions are loaded into the first lanes
// of zeroed vectors (of gradOut and of the input alike), so nothing past a row is read and the
// unused lanes add 0·0. The partial sums of blocks of images are added in block order by
// `convSmallSum_f32`.
//
// The register blocks are sized for V8's code generation: it schedules the loads of a loop
// iteration before its arithmetic, so an iteration's loaded vectors, the accumulators and a
// product must fit the 15 vector registers it allocates, or they spill.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { copyRowVectors, placeParams, pushAll, strideParams, vectorRows } from "./conv";
import { emitPick, setLeast, storeLaneSum } from "./convGemm";
import { floatOps } from "./dtype";

/** Output channels per register block of the forward kernel (its packed weights' width). */
export const SMALL_R = 4;

const E = 4;
const ZERO = new Uint8Array(16);

/**
 * Emits `convSmallPad_f32(x, cs, hs, ws, C, H, W, pH, pW, Wp, Hp, dst)` (internal): copies the
 * [C, H, W] image at x (element strides) into rows pH…, columns pW… of the [C, Hp, Wp] block at
 * dst, whose other elements are left as they are (the caller zeroes the block once).
 */
function emitPad(m: ModuleBuilder): FuncRef {
  const params = {
    x: "i32",
    ...strideParams,
    ...placeParams,
    Wp: "i32",
    Hp: "i32",
    dst: "i32",
  } as const;
  return m.func({ name: "convSmallPad_f32", params, export: false }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const [c, ih, j, s, o, vend, xc, oc] = b.locals("i32", 8);
    const vector = b.local("i32");
    vector.set(vectorRows(b, p));
    vend.set(i32.shl(i32.sub(p.W.get(), i32.const(4)), i32.const(2)));
    xc.set(p.x.get());
    oc.set(
      i32.add(
        p.dst.get(),
        i32.shl(i32.add(i32.mul(p.pH.get(), p.Wp.get()), p.pW.get()), i32.const(2)),
      ),
    );
    b.for(c, 0, p.C, 1, () => {
      s.set(xc.get());
      o.set(oc.get());
      b.for(ih, 0, p.H, 1, () => {
        b.if(
          vector.get(),
          () => copyRowVectors(b, o, s, j, vend),
          () => {
            const at = b.local("i32");
            at.set(s.get());
            b.for(j, 0, p.W, 1, () => {
              t.store(i32.add(o.get(), i32.shl(j.get(), i32.const(2))), t.load(at.get()));
              at.set(i32.add(at.get(), i32.shl(p.ws.get(), i32.const(2))));
            });
          },
        );
        s.set(i32.add(s.get(), i32.shl(p.hs.get(), i32.const(2))));
        o.set(i32.add(o.get(), i32.shl(p.Wp.get(), i32.const(2))));
      });
      xc.set(i32.add(xc.get(), i32.shl(p.cs.get(), i32.const(2))));
      oc.set(i32.add(oc.get(), i32.shl(i32.mul(p.Hp.get(), p.Wp.get()), i32.const(2))));
    });
  });
}

/**
 * Emits `convSmallFwd_f32i(src, taps, K, w, O, out, oH, oW, hs4)` (internal): out[o][oh][ow]
 * (O × oH × oW, contiguous) = Σ_k w(o, k) · src[oh·hs4 + ow·4 + taps[k]] (byte offsets; the
 * taps' i32 offsets at `taps`), the weights packed in blocks of SMALL_R output channels, element
 * (o, k) at w + ((o / SMALL_R)·K + k)·SMALL_R·4 + (o % SMALL_R)·4 (zeros past O). One step of
 * K per loop iteration: the compiler schedules an iteration's loads first, so its live vectors
 * (2 inputs, SMALL_R splats, 2·SMALL_R accumulators, a product) must fit the 15 registers.
 */
function emitForward(m: ModuleBuilder): FuncRef {
  const params = {
    src: "i32",
    taps: "i32",
    K: "i32",
    w: "i32",
    O: "i32",
    out: "i32",
    oH: "i32",
    oW: "i32",
    hs4: "i32",
  } as const;
  return m.func({ name: "convSmallFwd_f32i", params, export: false }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const R = SMALL_R;
    const acc = Array.from({ length: R }, () => b.locals("v128", 2));
    const xv = b.locals("v128", 2);
    const wv = b.locals("v128", R);
    const [oh, ob, xRow, oRow, wb, blockBytes, P4, j, vend, rowBytes] = b.locals("i32", 10);
    const [xc, tp, tEnd, wq, ocol, rem, orow0, at] = b.locals("i32", 8);
    const chan = b.locals("i32", R);
    P4.set(i32.shl(i32.mul(p.oH.get(), p.oW.get()), i32.const(2)));
    blockBytes.set(i32.mul(p.K.get(), i32.const(R * E)));
    tEnd.set(i32.add(p.taps.get(), i32.shl(p.K.get(), i32.const(2))));
    rowBytes.set(i32.shl(p.oW.get(), i32.const(2)));
    // 8-position blocks while j ≤ rowBytes - 32
    vend.set(i32.sub(rowBytes.get(), i32.const(28)));
    for (let r = 1; r < R; r++) chan[r]!.set(i32.mul(P4.get(), i32.const(r)));

    /** rows × V vectors of outputs from column byte `col` of the row. */
    const block = (rows: number, V: number, col: () => Val<"i32">) => {
      for (let r = 0; r < rows; r++)
        for (let v = 0; v < V; v++) acc[r]![v]!.set(b.v128.const(ZERO));
      xc.set(i32.add(xRow.get(), col()));
      wq.set(wb.get());
      tp.set(p.taps.get());
      b.loop((top) => {
        at.set(i32.add(xc.get(), i32.load(tp.get())));
        for (let v = 0; v < V; v++) xv[v]!.set(b.v128.load(at.get(), { offset: v * 16 }));
        for (let r = 0; r < rows; r++) wv[r]!.set(t.loadSplat(wq.get(), { offset: r * E }));
        for (let r = 0; r < rows; r++) {
          for (let v = 0; v < V; v++) {
            const a = acc[r]![v]!;
            a.set(t.vec.add(a.get(), t.vec.mul(wv[r]!.get(), xv[v]!.get())));
          }
        }
        b.inc(wq, R * E);
        b.inc(tp, 4);
        b.brIf(top, i32.ltU(tp.get(), tEnd.get()));
      });
      ocol.set(i32.add(oRow.get(), col()));
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < V; v++) {
          const at = r === 0 ? ocol.get() : i32.add(ocol.get(), chan[r]!.get());
          b.v128.store(at, acc[r]![v]!.get(), { offset: v * 16 });
        }
      }
    };

    /** The output row's blocks of `rows` channels: 8 positions at a time, then 1-7 more. */
    const row = (rows: number) => {
      b.for(j, 0, vend, 32, () => block(rows, 2, () => j.get()));
      // j: the first position not done (bytes), 0 ≤ rem ≤ 28 bytes left
      rem.set(i32.sub(rowBytes.get(), j.get()));
      b.if(i32.gtS(rem.get(), i32.const(0)), () => {
        b.if(i32.gtS(rem.get(), i32.const(16)), () => block(rows, 1, () => j.get()));
        j.set(i32.sub(rowBytes.get(), i32.const(16)));
        block(rows, 1, () => j.get());
      });
    };

    // block by block of output channels, each over every output row: the block's SMALL_R output
    // channels are written as SMALL_R streams (the image's rows, read again per block, stay in
    // cache)
    wb.set(p.w.get());
    orow0.set(p.out.get());
    b.for(ob, 0, p.O, R, () => {
      const rowsOf = (rows: number) => {
        xRow.set(p.src.get());
        oRow.set(orow0.get());
        b.for(oh, 0, p.oH, 1, () => {
          row(rows);
          b.inc(oRow, rowBytes);
          b.inc(xRow, p.hs4);
        });
      };
      const left = () => i32.sub(p.O.get(), ob.get());
      const pick = (rows: number): void => {
        if (rows === 1) {
          rowsOf(1);
          return;
        }
        b.if(
          i32.geS(left(), i32.const(rows)),
          () => rowsOf(rows),
          () => pick(rows - 1),
        );
      };
      pick(R);
      b.inc(wb, blockBytes);
      orow0.set(i32.add(orow0.get(), i32.mul(P4.get(), i32.const(R))));
    });
  });
}

/** Output channels × taps (of one kernel row) of one pass of the weight gradient. */
const GRAD_R = 2;
const GRAD_T = 3;

/**
 * Emits `convSmallGradW_f32_<rows>x<T>(x, g, gs, oH, oW, hs4, c, ldc, accumulate)` (internal):
 * for `rows` output channels o and T taps t (side by side in a kernel row), C[o][t] (at c + o·ldc
 * + 4t) = (accumulate ? C : 0) + Σ_{oh, ow} g[o·gs + (oh·oW + ow)·4] · x[oh·hs4 + (ow + t)·4]
 * (bytes; g contiguous per channel). An iteration's live vectors (rows + T loads, rows·T
 * accumulators, a product) fit the 15 registers.
 */
function emitGradTaps(m: ModuleBuilder, rows: number, T: number): FuncRef {
  const params = {
    x: "i32",
    g: "i32",
    gs: "i32",
    oH: "i32",
    oW: "i32",
    hs4: "i32",
    c: "i32",
    ldc: "i32",
    accumulate: "i32",
  } as const;
  return m.func({ name: `convSmallGradW_f32_${rows}x${T}`, params, export: false }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const acc = Array.from({ length: rows }, () => b.locals("v128", T));
    const h = b.local("v128");
    const gv = b.locals("v128", rows);
    const xv = b.locals("v128", T);
    const [oh, gp, xp, gEnd, xRow, full, left, out] = b.locals("i32", 8);
    for (const r of acc) for (const a of r) a.set(b.v128.const(ZERO));
    /**
     * 4 positions (or, `tail`, the row's last 1-3 in the first lanes, zeros in the others: the
     * products of the unused lanes are 0·0, whatever the row's other values) for every
     * (channel, tap).
     */
    const step = (tail = 0) => {
      const load = (addr: () => Val<"i32">, offset: number): Val<"v128"> => {
        if (tail === 0) return b.v128.load(addr(), { offset });
        if (tail === 1) return b.v128.load32Zero(addr(), { offset });
        const two = b.v128.load64Zero(addr(), { offset });
        return tail === 2
          ? two
          : b.f32x4.replaceLane(2, two, t.load(addr(), { offset: offset + 8 }));
      };
      for (let r = 0; r < rows; r++) {
        gv[r]!.set(load(() => (r === 0 ? gp.get() : i32.add(gp.get(), p.gs.get())), 0));
      }
      for (let k = 0; k < T; k++) xv[k]!.set(load(() => xp.get(), k * E));
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < T; k++) {
          const a = acc[r]![k]!;
          a.set(t.vec.add(a.get(), t.vec.mul(gv[r]!.get(), xv[k]!.get())));
        }
      }
    };
    left.set(i32.and(p.oW.get(), i32.const(3)));
    full.set(i32.shl(i32.and(p.oW.get(), i32.const(-4)), i32.const(2)));
    gp.set(p.g.get());
    xRow.set(p.x.get());
    b.for(oh, 0, p.oH, 1, () => {
      xp.set(xRow.get());
      gEnd.set(i32.add(gp.get(), full.get()));
      b.loop((top) => {
        step();
        b.inc(gp, 16);
        b.inc(xp, 16);
        b.brIf(top, i32.ltU(gp.get(), gEnd.get()));
      });
      // the row's last 1-3 positions
      b.if(left.get(), () => {
        b.if(
          i32.eq(left.get(), i32.const(1)),
          () => step(1),
          () =>
            b.if(
              i32.eq(left.get(), i32.const(2)),
              () => step(2),
              () => step(3),
            ),
        );
        gp.set(i32.add(gp.get(), i32.shl(left.get(), i32.const(2))));
      });
      b.inc(xRow, p.hs4);
    });
    // horizontal sums: lanes (0+2, 1+3), then their sum, a fixed order
    for (let r = 0; r < rows; r++) {
      out.set(r === 0 ? p.c.get() : i32.add(p.c.get(), p.ldc.get()));
      for (let k = 0; k < T; k++) storeLaneSum(b, t, h, acc[r]![k]!, out, k * E, p.accumulate);
    }
  });
}

/**
 * Emits `convSmallGradW_f32i(src, cs4, hs4, C, kH, kW, g, O, oH, oW, c, accumulate)` (internal):
 * C (O × C·kH·kW at c) (+)= Σ_p g(o, p) · src(c, p + tap) for every tap, in passes of
 * GRAD_R output channels × up to GRAD_T taps of one kernel row (`emitGradTaps`).
 */
function emitGradImage(m: ModuleBuilder): FuncRef {
  const fns = Array.from({ length: GRAD_R }, (_, r) =>
    Array.from({ length: GRAD_T }, (_, k) => emitGradTaps(m, r + 1, k + 1)),
  );
  const params = {
    src: "i32",
    cs4: "i32",
    hs4: "i32",
    C: "i32",
    kH: "i32",
    kW: "i32",
    g: "i32",
    O: "i32",
    oH: "i32",
    oW: "i32",
    c: "i32",
    accumulate: "i32",
  } as const;
  return m.func({ name: "convSmallGradW_f32i", params, export: false }, (b, p) => {
    const i32 = b.i32;
    const [o, ci, kh, kw, xc, xr, cp, P4, ldc, rows, taps, rowC] = b.locals("i32", 12);
    P4.set(i32.shl(i32.mul(p.oH.get(), p.oW.get()), i32.const(2)));
    rowC.set(i32.shl(p.kW.get(), i32.const(2)));
    ldc.set(i32.shl(i32.mul(i32.mul(p.C.get(), p.kH.get()), p.kW.get()), i32.const(2)));
    b.for(o, 0, p.O, GRAD_R, () => {
      setLeast(b, rows, p.O, o, GRAD_R);
      cp.set(i32.add(p.c.get(), i32.mul(o.get(), ldc.get())));
      xc.set(p.src.get());
      b.for(ci, 0, p.C, 1, () => {
        xr.set(xc.get());
        b.for(kh, 0, p.kH, 1, () => {
          b.for(kw, 0, p.kW, GRAD_T, () => {
            setLeast(b, taps, p.kW, kw, GRAD_T);
            const call = (r: number, k: number) =>
              b.call(
                fns[r - 1]![k - 1]!,
                i32.add(xr.get(), i32.shl(kw.get(), i32.const(2))),
                i32.add(p.g.get(), i32.mul(o.get(), P4.get())),
                P4.get(),
                p.oH.get(),
                p.oW.get(),
                p.hs4.get(),
                i32.add(cp.get(), i32.shl(kw.get(), i32.const(2))),
                ldc.get(),
                p.accumulate.get(),
              );
            emitPick(b, rows, GRAD_R, (r) => emitPick(b, taps, GRAD_T, (k) => call(r, k)));
          });
          b.inc(cp, rowC);
          b.inc(xr, p.hs4);
        });
        b.inc(xc, p.cs4);
      });
    });
  });
}

/** Arguments of both exports: the images, their geometry and the scratch for a padded copy. */
const imageParams = {
  x: "i32",
  ...strideParams,
  xn: "i32",
  nImg: "i32",
  ...placeParams,
  buf: "i32",
  pad: "i32",
} as const;

/** Arguments of both exports: output channels per group, groups, kernel and output sizes. */
const outputParams = { O: "i32", G: "i32", kH: "i32", kW: "i32", oH: "i32", oW: "i32" } as const;

/** The locals of both exports' image arguments and geometry. */
type ImageLocals = {
  readonly [K in keyof typeof imageParams | keyof typeof outputParams]: Local<"i32">;
};

/**
 * Emits the exports (arguments in elements unless said otherwise, pointers in bytes):
 *
 * - `convSmall_f32(x, cs, hs, ws, xn, nImg, C, H, W, pH, pW, buf, pad, w, taps, O, G, kH, kW, oH,
 *   oW, out)`: the forward convolution of nImg images (x: image stride xn, channel, row and
 *   column strides cs, hs, ws; C channels per group, G groups) by O output channels per group,
 *   stride 1, padding (pH, pW), into the contiguous out [nImg, G·O, oH, oW]. The weights at w
 *   are packed per group (⌈O/SMALL_R⌉ blocks of K·SMALL_R, see `emitForward`); `taps` holds the
 *   K taps' i32 byte offsets (c·cs + kh·hs + kw)·4 in the image read (with `pad`, the padded
 *   copy: cs = Hp·Wp, hs = Wp). With `pad`, each image is read from a zero-padded copy at buf
 *   (C·Hp·Wp elements, Hp = oH + kH - 1, Wp = oW + kW - 1, zeroed here); without, straight
 *   from x (no padding, ws = 1, Hp = H, Wp = W).
 * - `convSmallGradW_f32(x, cs, hs, ws, xn, nImg, C, H, W, pH, pW, buf, pad, g, O, G, kH, kW, oH,
 *   oW, c, rest, B)`: the weight gradient [G·O, C·kH·kW] of nImg images (gradOut at g,
 *   contiguous [nImg, G·O, oH, oW]) in B blocks: block b, the images from ⌊b·nImg/B⌋ summed in
 *   order, into c (b = 0) or rest + (b - 1)·G·O·C·kH·kW·4; then the blocks 1 … B - 1 added to
 *   block 0 in order (`convSmallSum_f32`).
 *
 * Both need unit stride and dilation and oW ≥ 4.
 *
 * @example
 * emitConvSmall(m); // exports convSmall_f32, convSmallGradW_f32
 */
export function emitConvSmall(m: ModuleBuilder): void {
  const pad = emitPad(m);
  const fwd = emitForward(m);
  const grad = emitGradImage(m);

  /** The loop over images and groups, `body` per (image, group) with its source set. */
  const images = (
    b: CodeBuilder,
    p: ImageLocals,
    body: (
      src: Local<"i32">,
      cs4: Local<"i32">,
      hs4: Local<"i32">,
      n: Local<"i32">,
      g: Local<"i32">,
    ) => void,
  ) => {
    const i32 = b.i32;
    const [n, g, Hp, Wp, src, cs4, hs4, xg] = b.locals("i32", 8);
    Hp.set(i32.sub(i32.add(p.oH.get(), p.kH.get()), i32.const(1)));
    Wp.set(i32.sub(i32.add(p.oW.get(), p.kW.get()), i32.const(1)));
    b.if(
      p.pad.get(),
      () => {
        b.memoryFill(
          p.buf.get(),
          i32.const(0),
          i32.shl(i32.mul(i32.mul(p.C.get(), Hp.get()), Wp.get()), i32.const(2)),
        );
        src.set(p.buf.get());
        cs4.set(i32.shl(i32.mul(Hp.get(), Wp.get()), i32.const(2)));
        hs4.set(i32.shl(Wp.get(), i32.const(2)));
      },
      () => {
        cs4.set(i32.shl(p.cs.get(), i32.const(2)));
        hs4.set(i32.shl(p.hs.get(), i32.const(2)));
      },
    );
    b.for(n, 0, p.nImg, 1, () => {
      b.for(g, 0, p.G, 1, () => {
        // image n, group g: element (n·xn + g·C·cs)
        const elems = () =>
          i32.add(i32.mul(n.get(), p.xn.get()), i32.mul(i32.mul(g.get(), p.C.get()), p.cs.get()));
        xg.set(i32.add(p.x.get(), i32.shl(elems(), i32.const(2))));
        b.if(
          p.pad.get(),
          () =>
            b.call(
              pad,
              xg.get(),
              ...pushAll(p, strideParams),
              ...pushAll(p, placeParams),
              Wp.get(),
              Hp.get(),
              p.buf.get(),
            ),
          () => src.set(xg.get()),
        );
        body(src, cs4, hs4, n, g);
      });
    });
  };

  const fwdParams = { ...imageParams, w: "i32", taps: "i32", ...outputParams, out: "i32" } as const;
  m.func({ name: "convSmall_f32", params: fwdParams }, (b, p) => {
    const i32 = b.i32;
    const [K, wBytes, oBytes] = b.locals("i32", 3);
    K.set(i32.mul(i32.mul(p.C.get(), p.kH.get()), p.kW.get()));
    // a group's packed weights and output
    const blocks = () => i32.shrS(i32.add(p.O.get(), i32.const(SMALL_R - 1)), i32.const(2));
    wBytes.set(i32.mul(i32.mul(blocks(), K.get()), i32.const(SMALL_R * E)));
    oBytes.set(i32.shl(i32.mul(i32.mul(p.O.get(), p.oH.get()), p.oW.get()), i32.const(2)));
    images(b, p, (src, _cs4, hs4, n, g) => {
      const ng = () => i32.add(i32.mul(n.get(), p.G.get()), g.get());
      b.call(
        fwd,
        src.get(),
        p.taps.get(),
        K.get(),
        i32.add(p.w.get(), i32.mul(g.get(), wBytes.get())),
        p.O.get(),
        i32.add(p.out.get(), i32.mul(ng(), oBytes.get())),
        p.oH.get(),
        p.oW.get(),
        hs4.get(),
      );
    });
  });

  const sum = emitSum(m);

  const gradParams = {
    ...imageParams,
    g: "i32",
    ...outputParams,
    c: "i32",
    rest: "i32",
    B: "i32",
  } as const;
  m.func({ name: "convSmallGradW_f32", params: gradParams }, (b, p) => {
    const i32 = b.i32;
    const [cBytes, gBytes, blk, first, next, target] = b.locals("i32", 6);
    // a group's gradient and output gradient
    const K = () => i32.mul(i32.mul(p.C.get(), p.kH.get()), p.kW.get());
    cBytes.set(i32.shl(i32.mul(p.O.get(), K()), i32.const(2)));
    gBytes.set(i32.shl(i32.mul(i32.mul(p.O.get(), p.oH.get()), p.oW.get()), i32.const(2)));
    // the first image of each block (⌊blk·nImg/B⌋) starts its partial sum
    next.set(i32.const(0));
    blk.set(i32.const(-1));
    images(b, p, (src, cs4, hs4, n, g) => {
      b.if(i32.and(i32.eqz(g.get()), i32.eq(n.get(), next.get())), () => {
        first.set(n.get());
        b.inc(blk, 1);
        target.set(
          b.select(
            p.c.get(),
            i32.add(
              p.rest.get(),
              i32.mul(i32.sub(blk.get(), i32.const(1)), i32.mul(cBytes.get(), p.G.get())),
            ),
            i32.eqz(blk.get()),
          ),
        );
        next.set(i32.divS(i32.mul(i32.add(blk.get(), i32.const(1)), p.nImg.get()), p.B.get()));
      });
      const ng = () => i32.add(i32.mul(n.get(), p.G.get()), g.get());
      b.call(
        grad,
        src.get(),
        cs4.get(),
        hs4.get(),
        p.C.get(),
        p.kH.get(),
        p.kW.get(),
        i32.add(p.g.get(), i32.mul(ng(), gBytes.get())),
        p.O.get(),
        p.oH.get(),
        p.oW.get(),
        i32.add(target.get(), i32.mul(g.get(), cBytes.get())),
        i32.ne(n.get(), first.get()),
      );
    });
    // the blocks' partial sums added to the first in block order
    b.call(
      sum,
      p.c.get(),
      p.rest.get(),
      i32.sub(p.B.get(), i32.const(1)),
      i32.mul(i32.mul(p.O.get(), p.G.get()), K()),
    );
  });
}

/**
 * Emits `convSmallSum_f32(c, rest, count, n)` (exported): c[i] = c[i] + rest[b·n + i] for
 * b = 0 … count - 1 in order (n elements; the bits of `count` calls of binary_add_f32_vv).
 */
function emitSum(m: ModuleBuilder): FuncRef {
  const params = { c: "i32", rest: "i32", count: "i32", n: "i32" } as const;
  return m.func({ name: "convSmallSum_f32", params }, (b, p) => {
    const t = floatOps(b, "f32");
    const i32 = b.i32;
    const [k, i, src, vend, end] = b.locals("i32", 5);
    src.set(p.rest.get());
    end.set(i32.shl(p.n.get(), i32.const(2)));
    vend.set(i32.shl(i32.and(p.n.get(), i32.const(-4)), i32.const(2)));
    b.for(k, 0, p.count, 1, () => {
      b.for(i, 0, vend, 16, () => {
        const at = () => i32.add(p.c.get(), i.get());
        b.v128.store(at(), t.vec.add(b.v128.load(at()), b.v128.load(i32.add(src.get(), i.get()))));
      });
      b.for(i, vend, end, 4, () => {
        const at = () => i32.add(p.c.get(), i.get());
        t.store(at(), t.scalar.add(t.load(at()), t.load(i32.add(src.get(), i.get()))));
      });
      b.inc(src, end);
    });
  });
}
