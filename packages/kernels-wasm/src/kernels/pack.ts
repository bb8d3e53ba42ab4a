// Packing of matrix panels for the GEMM micro-kernel: a `rows × kc` block of a strided matrix is
// copied into panels of `width` rows stored k-major (panel[k][w]), zero-padded past the last row.
// A is packed with width MR (rows of A), B with width NR (columns of B, i.e. rows of Bᵀ).
// Fast paths: rows contiguous along k (an in-register L×L transpose) and panels contiguous along
// w (plain v128 copies); anything else takes a scalar path, so every stride pair works.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import { type FloatDType, floatOps } from "./dtype";

/** Byte indices of an i8x16.shuffle selecting 32- or 64-bit lanes of a‖b. */
export function laneShuffle(lanes: readonly number[], laneBytes: number): number[] {
  return lanes.flatMap((l) => Array.from({ length: laneBytes }, (_, i) => l * laneBytes + i));
}

/** Emits an L×L transpose of `x` (L v128 locals of L lanes) into the locals `y`. */
export function emitTranspose(
  b: CodeBuilder,
  x: readonly Local<"v128">[],
  t: readonly Local<"v128">[],
  y: readonly Local<"v128">[],
): void {
  const sh = (idx: number[], p: Local<"v128">, q: Local<"v128">, bytes: number) =>
    b.v128.shuffle(laneShuffle(idx, bytes), p.get(), q.get());
  if (x.length === 2) {
    y[0]!.set(sh([0, 2], x[0]!, x[1]!, 8));
    y[1]!.set(sh([1, 3], x[0]!, x[1]!, 8));
    return;
  }
  const [x0, x1, x2, x3] = x as [Local<"v128">, Local<"v128">, Local<"v128">, Local<"v128">];
  const [t0, t1, t2, t3] = t as [Local<"v128">, Local<"v128">, Local<"v128">, Local<"v128">];
  t0.set(sh([0, 4, 1, 5], x0, x1, 4));
  t1.set(sh([2, 6, 3, 7], x0, x1, 4));
  t2.set(sh([0, 4, 1, 5], x2, x3, 4));
  t3.set(sh([2, 6, 3, 7], x2, x3, 4));
  y[0]!.set(sh([0, 1, 4, 5], t0, t2, 4));
  y[1]!.set(sh([2, 3, 6, 7], t0, t2, 4));
  y[2]!.set(sh([0, 1, 4, 5], t1, t3, 4));
  y[3]!.set(sh([2, 3, 6, 7], t1, t3, 4));
}

/**
 * Emits `name(src, rs, ks, rows, kc, dst)`: packs element (r, k) at `src + (r*rs + k*ks)*bytes`
 * (strides in elements, addresses in bytes) for r < rows, k < kc into `width`-row panels at dst
 * (exported from the module when `exported`).
 *
 * @example
 * const packA = emitPack(m, "gemm_f32_packA", "f32", 4);
 */
export function emitPack(
  m: ModuleBuilder,
  name: string,
  dtype: FloatDType,
  width: number,
  exported = false,
): FuncRef {
  return m.func(
    {
      name,
      params: { src: "i32", rs: "i32", ks: "i32", rows: "i32", kc: "i32", dst: "i32" },
      export: exported,
    },
    (b, p) => {
      const t = floatOps(b, dtype);
      const { bytes: E, shift, lanes: L } = t.info;
      const groups = Math.floor(width / L);
      const [r, k, rsB, ksB, out, s, o] = b.locals("i32", 7);
      const rp = b.locals("i32", L);
      const [x, tt, y] = [b.locals("v128", L), b.locals("v128", L), b.locals("v128", L)];
      const kcL = b.local("i32");
      rsB.set(b.i32.shl(p.rs.get(), b.i32.const(shift)));
      ksB.set(b.i32.shl(p.ks.get(), b.i32.const(shift)));
      kcL.set(b.i32.and(p.kc.get(), b.i32.const(-L)));
      out.set(p.dst.get());
      const full = () => b.i32.geS(b.i32.sub(p.rows.get(), r.get()), b.i32.const(width));
      // row pointer of row r + w
      const rowPtr = (w: number) =>
        b.i32.add(p.src.get(), b.i32.mul(b.i32.add(r.get(), b.i32.const(w)), rsB.get()));
      // rows [w0, width) of a full panel, one at a time along k (a scalar copy)
      const rowsScalar = (w0: number) => {
        for (let w = w0; w < width; w++) {
          s.set(rowPtr(w));
          o.set(b.i32.add(out.get(), b.i32.const(w * E)));
          b.for(k, 0, p.kc, 1, () => {
            t.store(o.get(), t.load(s.get()));
            b.inc(s, ksB);
            b.inc(o, width * E);
          });
        }
      };
      b.for(r, 0, p.rows, width, () => {
        b.if(
          b.i32.and(full(), b.i32.eq(p.ks.get(), b.i32.const(1))),
          () => {
            // rows contiguous along k: transpose L×L blocks
            for (let g = 0; g < groups; g++) {
              for (let l = 0; l < L; l++) rp[l]!.set(rowPtr(g * L + l));
              o.set(b.i32.add(out.get(), b.i32.const(g * L * E)));
              b.for(k, 0, kcL, L, () => {
                for (let l = 0; l < L; l++) x[l]!.set(b.v128.load(rp[l]!.get()));
                emitTranspose(b, x, tt, y);
                for (let l = 0; l < L; l++) {
                  b.v128.store(o.get(), y[l]!.get(), { offset: l * width * E });
                  b.inc(rp[l]!, L * E);
                }
                b.inc(o, L * width * E);
              });
              b.for(k, kcL, p.kc, 1, () => {
                for (let l = 0; l < L; l++) {
                  t.store(o.get(), t.load(rp[l]!.get()), { offset: l * E });
                  b.inc(rp[l]!, E);
                }
                b.inc(o, width * E);
              });
            }
            rowsScalar(groups * L);
          },
          () =>
            b.if(
              b.i32.and(full(), b.i32.eq(p.rs.get(), b.i32.const(1))),
              () => {
                // panel contiguous along w: v128 copies, then the last width % L lanes
                s.set(rowPtr(0));
                o.set(out.get());
                b.for(k, 0, p.kc, 1, () => {
                  for (let g = 0; g < groups; g++) {
                    b.v128.store(o.get(), b.v128.load(s.get(), { offset: g * 16 }), {
                      offset: g * 16,
                    });
                  }
                  for (let w = groups * L; w < width; w++) {
                    t.store(o.get(), t.load(s.get(), { offset: w * E }), { offset: w * E });
                  }
                  b.inc(s, ksB);
                  b.inc(o, width * E);
                });
              },
              () => {
                // any strides, and the zero-padded last panel
                for (let w = 0; w < width; w++) {
                  o.set(b.i32.add(out.get(), b.i32.const(w * E)));
                  b.if(
                    b.i32.ltS(b.i32.add(r.get(), b.i32.const(w)), p.rows.get()),
                    () => {
                      s.set(rowPtr(w));
                      b.for(k, 0, p.kc, 1, () => {
                        t.store(o.get(), t.load(s.get()));
                        b.inc(s, ksB);
                        b.inc(o, width * E);
                      });
                    },
                    () =>
                      b.for(k, 0, p.kc, 1, () => {
                        t.store(o.get(), t.const(0));
                        b.inc(o, width * E);
                      }),
                  );
                }
              },
            ),
        );
        out.set(b.i32.add(out.get(), b.i32.mul(p.kc.get(), b.i32.const(width * E))));
      });
    },
  );
}
