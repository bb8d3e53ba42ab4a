// Float32 emulation of the math PyTorch's AVX2 `normal_fill` runs: `log256_ps` and `sincos256_ps`
// from avx_mathfun.h (Cephes polynomials), with each multiply-add fused where GCC contracts it
// under -mfma, plus a correctly rounded float32 fused multiply-add. One lane at a time; the results
// match PyTorch 1.13's x86 build bit for bit.

const f32 = Math.fround;
const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

/** Raw bits of a float32 value. */
function bitsOf(x: number): number {
  scratchF[0] = x;
  return scratchU[0] as number;
}

/** The float32 value with raw bits `u`. */
function fromBits(u: number): number {
  scratchU[0] = u >>> 0;
  return scratchF[0] as number;
}

const SQRTHF = f32(Math.SQRT1_2); // cephes_SQRTHF
const LOG_P0 = f32(7.0376836292e-2);
const LOG_P1 = f32(-1.151461031e-1);
const LOG_P2 = f32(1.167699874e-1);
const LOG_P3 = f32(-1.2420140846e-1);
const LOG_P4 = f32(1.4249322787e-1);
const LOG_P5 = f32(-1.6668057665e-1);
const LOG_P6 = f32(2.0000714765e-1);
const LOG_P7 = f32(-2.4999993993e-1);
const LOG_P8 = f32(3.3333331174e-1);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);
const MIN_NORM_POS = fromBits(0x00800000);

/**
 * Natural log of a positive float32, as avx_mathfun's `log256_ps` computes it in one lane.
 * Non-positive inputs give NaN (the vector code ORs in an all-ones mask).
 *
 * @example
 * avxLogf(Math.fround(0.5)); // ≈ -0.6931472
 */
export function avxLogf(xIn: number): number {
  if (!(xIn > 0)) return Number.NaN;
  let x = Math.max(f32(xIn), MIN_NORM_POS);
  const bits = bitsOf(x);
  let e = f32((bits >>> 23) - 0x7f + 1);
  x = fromBits((bits & ~0x7f800000) | 0x3f000000);
  if (x < SQRTHF) {
    e = f32(e - 1);
    x = f32(f32(x - 1) + x);
  } else {
    x = f32(x - 1);
  }
  const z = f32(x * x);
  let y = LOG_P0;
  y = fmaf(y, x, LOG_P1);
  y = fmaf(y, x, LOG_P2);
  y = fmaf(y, x, LOG_P3);
  y = fmaf(y, x, LOG_P4);
  y = fmaf(y, x, LOG_P5);
  y = fmaf(y, x, LOG_P6);
  y = fmaf(y, x, LOG_P7);
  y = fmaf(y, x, LOG_P8);
  y = f32(y * x);
  y = fmaf(y, z, f32(e * LOG_Q1));
  y = f32(y - f32(z * 0.5));
  x = f32(x + y);
  return fmaf(e, LOG_Q2, x);
}

const FOPI = f32(1.27323954473516);
const DP1 = f32(-0.78515625);
const DP2 = f32(-2.4187564849853516e-4);
const DP3 = f32(-3.774894977445941e-8);
const SINCOF_P0 = f32(-1.9515295891e-4);
const SINCOF_P1 = f32(8.3321608736e-3);
const SINCOF_P2 = f32(-1.6666654611e-1);
const COSCOF_P0 = f32(2.443315711809948e-5);
const COSCOF_P1 = f32(-1.388731625493765e-3);
const COSCOF_P2 = f32(4.166664568298827e-2);

/** Where `avxSincosf` leaves its results: `[sin, cos]`. */
export const sincosOut = new Float32Array(2);

/**
 * Sine and cosine of a float32, as avx_mathfun's `sincos256_ps` computes them in one lane; the
 * results land in `sincosOut` (no allocation). Meant for the arguments `normal_fill` passes,
 * `[0, 2π)`.
 *
 * @example
 * avxSincosf(Math.fround(1));
 * const [s, c] = sincosOut; // ≈ 0.84147096, 0.5403023
 */
export function avxSincosf(xIn: number): void {
  const sign = xIn < 0 || Object.is(xIn, -0);
  let x = Math.abs(f32(xIn));
  let j = Math.trunc(f32(x * FOPI)) | 0;
  j = (j + 1) & ~1;
  const y = j;
  const swapSin = (j & 4) !== 0;
  const polySin = (j & 2) === 0;
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const cosNeg = (~(j - 2) & 4) !== 0;
  const sinNeg = sign !== swapSin;
  const z = f32(x * x);
  let c = COSCOF_P0;
  c = fmaf(c, z, COSCOF_P1);
  c = fmaf(c, z, COSCOF_P2);
  c = f32(c * z);
  c = fmaf(c, z, -f32(z * 0.5));
  c = f32(c + 1);
  let s = SINCOF_P0;
  s = fmaf(s, z, SINCOF_P1);
  s = fmaf(s, z, SINCOF_P2);
  s = f32(s * z);
  s = fmaf(s, x, x);
  const sinv = polySin ? s : c;
  const cosv = polySin ? c : s;
  sincosOut[0] = sinNeg ? -sinv : sinv;
  sincosOut[1] = cosNeg ? -cosv : cosv;
}

/**
 * `a * b + c` rounded once to float32, for float32 inputs (the `_mm256_fmadd_ps` lane).
 *
 * @example
 * fmaf(Math.fround(0.1), 3, 1);
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact: 24-bit by 24-bit significands fit in a double
  const s = p + c;
  if (!Number.isFinite(s)) return f32(s);
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return f32(s);
  // `s` may sit exactly halfway between two floats; the true sum lies on err's side of it.
  return f32(nudge(s, err > 0));
}

const scratchD = new Float64Array(1);
const scratchD64 = new BigInt64Array(scratchD.buffer);

/** The neighbouring double of `x` towards +∞ (`up`) or -∞. */
function nudge(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  scratchD[0] = x;
  const away = x > 0 === up;
  scratchD64[0] = (scratchD64[0] as bigint) + (away ? 1n : -1n);
  return scratchD[0] as number;
}
