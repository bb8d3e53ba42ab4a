// The transforms of the Winograd weight gradient of 3×3 stride-1 f32 convolutions (Lavin & Gray,
// F(m×m, 3×3), tiles of α = m + 2 input rows and columns): the forward convolution of a tile is
// y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, so the weight gradient is
//   gradW = Gᵀ S G,  S_ξ[o][c] = Σ over images and tiles of Z_ξ[o] · V_ξ[c]  (ξ < α²),
// with Z = A dY Aᵀ (a tile of gradOut, m × m, zero past the output's edge) and V = Bᵀ d B (the
// tile's α × α input patch, zero in the padding). Per ξ, S_ξ is one GEMM over every tile of every
// image (backend/winogradWeight.ts); here the kernels around it:
// - `winoInput<m>_f32` / `winoGrad<m>_f32`: images copied channels last into a zero-padded
//   scratch (channels rounded up to 4, zeros), then every tile transformed, 4 channels per v128,
//   into planes ξ (strides given: V as rows [tiles × channels], Z as 4-channel panels, the packed
//   A operand of convGemm4_f32);
// - `winoFinish<m>_f32`: gradW[o][c] = Gᵀ S[·][o][c] G, 4 input channels per v128.
// The 1-D transforms are written once (`transforms`) over abstract arithmetic, for the emitted
// code and for the tests' arithmetic on numbers.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { placeParams, pushAll, strideParams, transposeRow, vectorRows } from "./conv";

/** Output tile sizes with kernels: F(2×2, 3×3) and F(4×4, 3×3). */
export type WinogradTile = 2 | 4;
export const WINOGRAD_TILES: readonly WinogradTile[] = [2, 4];

/** The arithmetic a 1-D transform is written in. */
export interface LinearOps<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  /** a · k for a constant k. */
  scale(a: T, k: number): T;
}

/** A 1-D transform: values in, values out. */
export type Transform1d = <T>(o: LinearOps<T>, v: readonly T[]) => T[];

/**
 * The 1-D transforms of F(m×m, 3×3): `input` applies Bᵀ (α → α), `grad` applies A (m → α, the
 * adjoint of the output transform Aᵀ), `finish` applies Gᵀ (α → 3, the adjoint of G).
 *
 * @example
 * transforms[2].grad(numberOps, [1, 2]); // [1, 3, -1, 2]
 */
export const transforms: Record<
  WinogradTile,
  { input: Transform1d; grad: Transform1d; finish: Transform1d }
> = {
  2: {
    // Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    input: (o, [d0, d1, d2, d3]) => [
      o.sub(d0!, d2!),
      o.add(d1!, d2!),
      o.sub(d2!, d1!),
      o.sub(d1!, d3!),
    ],
    // A = [1 0; 1 1; 1 -1; 0 -1], with the last row's sign moved into G (see finish)
    grad: (o, [y0, y1]) => [y0!, o.add(y0!, y1!), o.sub(y0!, y1!), y1!],
    // Gᵀ with G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 -1] (G's last row negated, for grad's)
    finish: (o, [s0, s1, s2, s3]) => {
      const p = o.scale(o.add(s1!, s2!), 0.5);
      return [o.add(s0!, p), o.scale(o.sub(s1!, s2!), 0.5), o.sub(p, s3!)];
    },
  },
  4: {
    // Cook-Toom at the points 0, 1, -1, ½, -2 and ∞ (rather than Lavin & Gray's ±2: the weight
    // gradient's rounding error measured 1.7 times smaller). Bᵀ =
    //   [1 -3/2 -2 3/2 1 0; 0 -1 1/2 5/2 1 0; 0 1 -5/2 1/2 1 0; 0 -2 -1 2 1 0;
    //    0 1/2 -1 -1/2 1 0; 0 1 -3/2 -2 3/2 1]
    input: (o, [d0, d1, d2, d3, d4, d5]) => {
      const e = o.sub(d3!, d1!);
      const a = o.sub(d4!, d2!);
      return [
        o.add(o.sub(o.add(d0!, d4!), o.scale(d2!, 2)), o.scale(e, 1.5)),
        o.add(o.sub(d4!, d1!), o.add(o.scale(d2!, 0.5), o.scale(d3!, 2.5))),
        o.add(o.add(d4!, d1!), o.sub(o.scale(d3!, 0.5), o.scale(d2!, 2.5))),
        o.add(a, o.scale(e, 2)),
        o.sub(a, o.scale(e, 0.5)),
        o.sub(o.sub(o.add(d5!, d1!), o.scale(o.sub(d2!, d4!), 1.5)), o.scale(d3!, 2)),
      ];
    },
    // A = [1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 ½ ¼ ⅛; 1 -2 4 -8; 0 0 0 1]
    grad: (o, [y0, y1, y2, y3]) => {
      const e = o.add(y0!, y2!);
      const q = o.add(y1!, y3!);
      return [
        y0!,
        o.add(e, q),
        o.sub(e, q),
        o.add(o.add(y0!, o.scale(y2!, 0.25)), o.scale(o.add(y1!, o.scale(y3!, 0.25)), 0.5)),
        o.sub(o.add(y0!, o.scale(y2!, 4)), o.scale(o.add(y1!, o.scale(y3!, 4)), 2)),
        y3!,
      ];
    },
    // Gᵀ with G = [1 0 0; ⅓ ⅓ ⅓; -⅓ ⅓ -⅓; -16/15 -8/15 -4/15; 1/15 -2/15 4/15; 0 0 1]
    finish: (o, [s0, s1, s2, s3, s4, s5]) => {
      const p = o.scale(o.sub(s1!, s2!), 1 / 3);
      return [
        o.add(o.add(s0!, p), o.sub(o.scale(s4!, 1 / 15), o.scale(s3!, 16 / 15))),
        o.sub(o.scale(o.add(s1!, s2!), 1 / 3), o.add(o.scale(s3!, 8 / 15), o.scale(s4!, 2 / 15))),
        o.add(o.add(p, s5!), o.scale(o.sub(s4!, s3!), 4 / 15)),
      ];
    },
  },
};

/** `LinearOps` on numbers (f64). */
export const numberOps: LinearOps<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  scale: (a, k) => a * k,
};

/**
 * Applies a 1-D transform to the rows, then to the columns, of a square block (`size` × `size`,
 * row-major): out = T · X · Tᵀ for the transform's matrix T.
 */
export function transform2d<T>(o: LinearOps<T>, f: Transform1d, x: readonly T[], size: number) {
  const rows = Array.from({ length: size }, (_, i) => f(o, x.slice(i * size, (i + 1) * size)));
  const n = rows[0]!.length;
  const cols = Array.from({ length: n }, (_, l) =>
    f(
      o,
      rows.map((r) => r[l]!),
    ),
  );
  // cols[l][k] is element (k, l)
  return Array.from({ length: cols[0]!.length * n }, (_, i) => cols[i % n]![Math.floor(i / n)]!);
}

/** `LinearOps` that emit f32x4 arithmetic into fresh v128 locals. */
function vectorOps(b: CodeBuilder): LinearOps<Local<"v128">> {
  const fresh = (v: Val<"v128">) => {
    const l = b.local("v128");
    l.set(v);
    return l;
  };
  const f = b.f32x4;
  return {
    add: (x, y) => fresh(f.add(x.get(), y.get())),
    sub: (x, y) => fresh(f.sub(x.get(), y.get())),
    scale: (x, k) =>
      k === 2 ? fresh(f.add(x.get(), x.get())) : fresh(f.mul(x.get(), f.splat(b.f32.const(k)))),
  };
}

/** The image's placement in its channels-last copy: [Hp, Wp, Cp]. */
const copyGeometry = { ...placeParams, Hp: "i32", Wp: "i32", Cp: "i32" } as const;

const copyParams = { x: "i32", ...strideParams, ...copyGeometry, dst: "i32" } as const;

/**
 * Emits the internal `winoWeightCopy_f32(x, cs, hs, ws, C, H, W, pH, pW, Hp, Wp, Cp, dst)`: the
 * [C, H, W] image at x (strides in elements) into the contiguous [Hp, Wp, Cp] dst at row pH,
 * column pW, zeros elsewhere (channels C … Cp - 1 too).
 */
function emitCopy(m: ModuleBuilder) {
  return m.func({ name: "winoWeightCopy_f32", params: copyParams, export: false }, (b, p) => {
    const i32 = b.i32;
    const sh2 = (v: Val<"i32">) => i32.shl(v, i32.const(2));
    const [ih, iw, c, xr, s, o, pix, last, cs4, C4, row] = b.locals("i32", 11);
    const x4 = b.locals("v128", 4);
    const t4 = b.locals("v128", 4);
    const y4 = b.locals("v128", 4);
    pix.set(sh2(p.Cp.get()));
    cs4.set(sh2(p.cs.get()));
    b.memoryFill(
      p.dst.get(),
      i32.const(0),
      sh2(i32.mul(i32.mul(p.Hp.get(), p.Wp.get()), p.Cp.get())),
    );
    C4.set(i32.and(p.C.get(), i32.const(-4)));
    b.for(ih, 0, p.H, 1, () => {
      xr.set(i32.add(p.x.get(), sh2(i32.mul(ih.get(), p.hs.get()))));
      row.set(
        i32.add(
          p.dst.get(),
          i32.mul(
            i32.add(i32.mul(i32.add(ih.get(), p.pH.get()), p.Wp.get()), p.pW.get()),
            pix.get(),
          ),
        ),
      );
      c.set(i32.const(0));
      b.if(vectorRows(b, p), () => {
        const l = { xr, W: p.W, cs: p.cs, cs4, pix, cEnd: C4, iw, c, last, s, x4, t4, y4 };
        transposeRow(b, l, () =>
          i32.add(row.get(), i32.add(i32.mul(iw.get(), pix.get()), sh2(c.get()))),
        );
        c.set(C4.get());
      });
      // the channels left (all of them without unit stride along W), element by element
      b.for(c, c, p.C, 1, () => {
        s.set(i32.add(xr.get(), sh2(i32.mul(c.get(), p.cs.get()))));
        o.set(i32.add(row.get(), sh2(c.get())));
        b.for(iw, 0, p.W, 1, () => {
          b.f32.store(o.get(), b.f32.load(s.get()));
          s.set(i32.add(s.get(), sh2(p.ws.get())));
          b.inc(o, pix);
        });
      });
    });
  });
}

const tileParams = {
  x: "i32",
  ns: "i32",
  ...strideParams,
  count: "i32",
  ...copyGeometry,
  tilesH: "i32",
  tilesW: "i32",
  buf: "i32",
  out: "i32",
  plane: "i32",
  tStride: "i32",
  cStride: "i32",
} as const;

/**
 * Emits `name(x, ns, cs, hs, ws, count, C, H, W, pH, pW, Hp, Wp, Cp, tilesH, tilesW, buf, out,
 * plane, tStride, cStride)`: for each of `count` images (ns elements apart), its channels-last
 * copy in buf (`winoWeightCopy_f32`), then each tile (ty, tx) (its `size` × `size` block at row
 * m·ty, column m·tx of the copy) transformed by `f` on rows and columns, 4 channels at a time:
 * element ξ of channels c … c + 3 of the transformed tile t (counted over the images) at
 * out + ξ·plane + t·tStride + (c/4)·cStride, in bytes (rows of channels: tStride = Cp·4,
 * cStride = 16; 4-channel panels of T tiles: tStride = 16, cStride = T·16).
 */
function emitTiles(
  m: ModuleBuilder,
  name: string,
  copy: FuncRef<undefined>,
  tile: WinogradTile,
  size: number,
  f: Transform1d,
) {
  const alpha = tile + 2;
  return m.func({ name, params: tileParams }, (b, p) => {
    const i32 = b.i32;
    const sh2 = (v: Val<"i32">) => i32.shl(v, i32.const(2));
    const [img, ty, tx, cb, pix, rowBytes, cpBytes, src, base, dst, t0, co] = b.locals("i32", 12);
    const colOff = b.locals("i32", size);
    const rowOff = b.locals("i32", size);
    const planeOff = b.locals("i32", alpha * alpha);
    pix.set(sh2(p.Cp.get()));
    cpBytes.set(pix.get());
    rowBytes.set(i32.mul(p.Wp.get(), pix.get()));
    for (let j = 0; j < size; j++) {
      colOff[j]!.set(i32.mul(i32.const(j), pix.get()));
      rowOff[j]!.set(i32.mul(i32.const(j), rowBytes.get()));
    }
    for (let k = 0; k < alpha * alpha; k++) planeOff[k]!.set(i32.mul(i32.const(k), p.plane.get()));
    const ops = vectorOps(b);
    dst.set(p.out.get());
    src.set(p.x.get());
    b.for(img, 0, p.count, 1, () => {
      b.call(
        copy,
        src.get(),
        ...pushAll(p, strideParams),
        ...pushAll(p, copyGeometry),
        p.buf.get(),
      );
      b.for(ty, 0, p.tilesH, 1, () => {
        b.for(tx, 0, p.tilesW, 1, () => {
          t0.set(
            i32.add(
              p.buf.get(),
              i32.add(
                i32.mul(i32.mul(ty.get(), i32.const(tile)), rowBytes.get()),
                i32.mul(i32.mul(tx.get(), i32.const(tile)), pix.get()),
              ),
            ),
          );
          co.set(dst.get());
          b.for(cb, 0, cpBytes, 16, () => {
            base.set(i32.add(t0.get(), cb.get()));
            const x: Local<"v128">[] = [];
            for (let i = 0; i < size; i++) {
              for (let j = 0; j < size; j++) {
                const l = b.local("v128");
                l.set(
                  b.v128.load(i32.add(base.get(), i32.add(rowOff[i]!.get(), colOff[j]!.get()))),
                );
                x.push(l);
              }
            }
            const y = transform2d(ops, f, x, size);
            y.forEach((v, k) => {
              b.v128.store(i32.add(co.get(), planeOff[k]!.get()), v.get());
            });
            b.inc(co, p.cStride);
          });
          b.inc(dst, p.tStride);
        });
      });
      src.set(i32.add(src.get(), sh2(p.ns.get())));
    });
  });
}

/**
 * Emits `winoFinish<m>_f32(s, plane, O, C, Cp, gw)`: gradW [O, C, 3, 3] (contiguous) at gw
 * from the planes S_ξ [O × Cp] at s (plane ξ at s + ξ·plane, in bytes):
 * gradW[o][c] = Gᵀ S[·][o][c] G.
 */
function emitFinish(m: ModuleBuilder, tile: WinogradTile) {
  const alpha = tile + 2;
  const params = { s: "i32", plane: "i32", O: "i32", C: "i32", Cp: "i32", gw: "i32" } as const;
  return m.func({ name: `winoFinish${tile}_f32`, params }, (b, p) => {
    const i32 = b.i32;
    const sh2 = (v: Val<"i32">) => i32.shl(v, i32.const(2));
    const [o, c, src, dst, q] = b.locals("i32", 5);
    const planeOff = b.locals("i32", alpha * alpha);
    for (let k = 0; k < alpha * alpha; k++) planeOff[k]!.set(i32.mul(i32.const(k), p.plane.get()));
    const ops = vectorOps(b);
    b.for(o, 0, p.O, 1, () => {
      b.for(c, 0, p.C, 4, () => {
        src.set(i32.add(p.s.get(), sh2(i32.add(i32.mul(o.get(), p.Cp.get()), c.get()))));
        const x = planeOff.map((off) => {
          const l = b.local("v128");
          l.set(b.v128.load(i32.add(src.get(), off.get())));
          return l;
        });
        const y = transform2d(ops, transforms[tile].finish, x, alpha);
        dst.set(
          i32.add(
            p.gw.get(),
            i32.mul(i32.add(i32.mul(o.get(), p.C.get()), c.get()), i32.const(36)),
          ),
        );
        // lanes of channels c … c + 3 that exist, 9 taps each
        q.set(i32.sub(p.C.get(), c.get()));
        for (let lane = 0; lane < 4; lane++) {
          const store = () => {
            y.forEach((v, t) => {
              b.f32.store(dst.get(), b.f32x4.extractLane(lane, v.get()), {
                offset: (lane * 9 + t) * 4,
              });
            });
          };
          if (lane === 0) store();
          else b.if(i32.gtS(q.get(), i32.const(lane)), store);
        }
      });
    });
  });
}

/**
 * Emits the Winograd weight-gradient kernels for each tile size: `winoInput<m>_f32`,
 * `winoGrad<m>_f32`, `winoFinish<m>_f32`.
 *
 * @example
 * emitWinogradWeight(m); // exports winoInput4_f32, winoGrad4_f32, winoFinish4_f32, …
 */
export function emitWinogradWeight(m: ModuleBuilder): void {
  const copy = emitCopy(m);
  for (const tile of WINOGRAD_TILES) {
    const f = transforms[tile];
    emitTiles(m, `winoInput${tile}_f32`, copy, tile, tile + 2, f.input);
    emitTiles(m, `winoGrad${tile}_f32`, copy, tile, tile, f.grad);
    emitFinish(m, tile);
  }
}
