// Vector math shared by the kernel generators: exp for f32x4 (Cody–Waite range reduction and a
// degree-6 polynomial, about 1 ulp, with IEEE overflow to +inf, underflow to 0 and NaN passing
// through) and horizontal reductions of a v128 to one lane.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { Val } from "../asm/val";

const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
// Cephes expf coefficients, highest degree first.
const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
  5.0000001201e-1,
];

/** Locals an f32x4 exp needs; declare once per function and reuse. */
export interface ExpScratch {
  readonly x: Local<"v128">;
  readonly n: Local<"v128">;
  readonly r: Local<"v128">;
  readonly p: Local<"v128">;
  readonly e: Local<"v128">;
}

/** Declares the scratch locals of `emitExpF32x4`. */
export function expScratch(b: CodeBuilder): ExpScratch {
  const [x, n, r, p, e] = b.locals("v128", 5);
  return { x, n, r, p, e };
}

/**
 * Pushes exp(v) for an f32x4 `v`. The scale 2^n is applied as two factors 2^(n>>1)·2^(n-(n>>1)),
 * so every n the clamp allows has a normal exponent and the result over/underflows like IEEE.
 *
 * @example
 * b.v128.store(p.out.get(), emitExpF32x4(b, s, () => b.v128.load(p.x.get())));
 */
export function emitExpF32x4(b: CodeBuilder, s: ExpScratch, v: () => Val<"v128">): Val<"v128"> {
  const f = b.f32x4;
  const k = (c: number) => f.const([c, c, c, c]);
  s.x.set(f.max(f.min(v(), k(89)), k(-104)));
  s.n.set(f.nearest(f.mul(s.x.get(), k(Math.LOG2E))));
  s.r.set(f.sub(f.sub(s.x.get(), f.mul(s.n.get(), k(LN2_HI))), f.mul(s.n.get(), k(LN2_LO))));
  s.p.set(k(EXP_POLY[0]!));
  for (const c of EXP_POLY.slice(1)) s.p.set(f.add(f.mul(s.p.get(), s.r.get()), k(c)));
  // p = p*r² + r + 1
  s.p.set(f.add(f.add(f.mul(s.p.get(), f.mul(s.r.get(), s.r.get())), s.r.get()), k(1)));
  // e = integer n; factors 2^(n>>1) and 2^(n - (n>>1)) built in the exponent field
  s.e.set(b.i32x4.truncSatF32x4S(s.n.get()));
  const pow2 = (m: () => Val<"v128">) =>
    b.i32x4.shl(b.i32x4.add(m(), b.i32x4.splat(b.i32.const(127))), b.i32.const(23));
  s.n.set(b.i32x4.shrS(s.e.get(), b.i32.const(1)));
  return f.mul(
    f.mul(
      s.p.get(),
      pow2(() => s.n.get()),
    ),
    pow2(() => b.i32x4.sub(s.e.get(), s.n.get())),
  );
}

/** The double whose IEEE bits are hi:lo (literals of these constants trip precision lints). */
function f64FromBits(hi: number, lo: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  v.setUint32(4, lo);
  return v.getFloat64(0);
}

// fdlibm's split of ln 2 and Taylor coefficients 1/k! of exp on |r| ≤ ln2/2 (degree 13: the
// truncation error is below 1e-17 there).
const LN2_HI_D = f64FromBits(0x3fe62e42, 0xfee00000);
const LN2_LO_D = f64FromBits(0x3dea39ef, 0x35793c76);
const EXP_TAYLOR_D = Array.from({ length: 12 }, (_, i) => {
  let f = 1;
  for (let k = 2; k <= 13 - i; k++) f *= k;
  return 1 / f;
}); // 1/13!, 1/12!, …, 1/2!

/**
 * Pushes exp(v) for an f64x2 `v`: n = round(x·log2 e), r = x - n·ln 2 in two parts, a degree-13
 * Taylor polynomial, and the scale 2^n applied as two factors built in the exponent field (so
 * overflow gives +inf, underflow 0, NaN passes through); about 1 ulp.
 *
 * @example
 * b.v128.store(p.out.get(), emitExpF64x2(b, s, () => b.v128.load(p.x.get())));
 */
export function emitExpF64x2(b: CodeBuilder, s: ExpScratch, v: () => Val<"v128">): Val<"v128"> {
  const f = b.f64x2;
  const k = (c: number) => f.splat(b.f64.const(c));
  s.x.set(f.max(f.min(v(), k(710)), k(-746)));
  s.n.set(f.nearest(f.mul(s.x.get(), k(Math.LOG2E))));
  s.r.set(f.sub(f.sub(s.x.get(), f.mul(s.n.get(), k(LN2_HI_D))), f.mul(s.n.get(), k(LN2_LO_D))));
  s.p.set(k(EXP_TAYLOR_D[0]!));
  for (const c of EXP_TAYLOR_D.slice(1)) s.p.set(f.add(f.mul(s.p.get(), s.r.get()), k(c)));
  // p = p·r² + r + 1
  s.p.set(f.add(f.add(f.mul(s.p.get(), f.mul(s.r.get(), s.r.get())), s.r.get()), k(1)));
  // integer n as i64 lanes; factors 2^(n>>1) and 2^(n - (n>>1))
  s.e.set(b.i64x2.extendLowI32x4S(b.i32x4.truncSatF64x2SZero(s.n.get())));
  const pow2 = (m: () => Val<"v128">) =>
    b.i64x2.shl(b.i64x2.add(m(), b.i64x2.splat(b.i64.const(1023))), b.i32.const(52));
  s.n.set(b.i64x2.shrS(s.e.get(), b.i32.const(1)));
  return f.mul(
    f.mul(
      s.p.get(),
      pow2(() => s.n.get()),
    ),
    pow2(() => b.i64x2.sub(s.e.get(), s.n.get())),
  );
}

/** Pushes exp(v) for a v128 of dtype `d`'s lanes. */
export function emitExpVec(
  b: CodeBuilder,
  d: "f32" | "f64",
  s: ExpScratch,
  v: () => Val<"v128">,
): Val<"v128"> {
  return d === "f32" ? emitExpF32x4(b, s, v) : emitExpF64x2(b, s, v);
}

/** Pushes the sum (or max/min, per `op`) of the lanes of a v128 of `lanes` floats. */
export function emitHorizontal(
  b: CodeBuilder,
  v: Local<"v128">,
  lanes: number,
  op: (x: Val<"v128">, y: Val<"v128">) => Val<"v128">,
  extract: (lane: number, x: Val<"v128">) => Val<"f32">,
): Val<"f32"> {
  const swapHalves = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  v.set(op(v.get(), b.v128.shuffle(swapHalves, v.get(), v.get())));
  if (lanes === 4) {
    const swapPairs = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];
    v.set(op(v.get(), b.v128.shuffle(swapPairs, v.get(), v.get())));
  }
  return extract(0, v.get());
}
