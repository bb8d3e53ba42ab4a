// Correctly rounded float64 log, sin and cos (double-double arithmetic) and a fused multiply-add.
// V8's Math.log/sin/cos (fdlibm) miss the last bit in a few percent of cases, while glibc, which
// PyTorch's float64 Box-Muller calls, rounds correctly in all but about 0.1% of them.

// Double-double results land in these two registers: value = rh + rl, |rl| <= ulp(rh) / 2.
let rh = 0;
let rl = 0;

/** rh + rl = a + b exactly, given |a| >= |b|. */
function fastTwoSum(a: number, b: number): void {
  const s = a + b;
  rl = b - (s - a);
  rh = s;
}

/** rh + rl = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  rl = a - (s - bb) + (b - bb);
  rh = s;
}

const SPLITTER = 134217729; // 2^27 + 1

/** rh + rl = a * b exactly (Dekker's product). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  rl = ah * bh - p + ah * bl + al * bh + al * bl;
  rh = p;
}

/** (rh, rl) = (ah, al) * (bh, bl). */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = rh;
  const e = rl + (ah * bl + al * bh);
  fastTwoSum(p, e);
}

/** (rh, rl) = (ah, al) + (bh, bl). */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s = rh;
  let e = rl;
  twoSum(al, bl);
  const f = rl;
  e += rh;
  fastTwoSum(s, e);
  const s2 = rh;
  fastTwoSum(s2, rl + f);
}

/** (rh, rl) = (ah, al) / (bh, bl). */
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -rh, -rl);
  const r1h = rh;
  const r1l = rl;
  const q2 = r1h / bh;
  ddMul(q2, 0, bh, bl);
  ddAdd(r1h, r1l, -rh, -rl);
  const q3 = rh / bh;
  fastTwoSum(q1, q2);
  ddAdd(rh, rl, q3, 0);
}

/** Odd reciprocals 1/(2i+1) for 2·atanh(s) = log((1+s)/(1-s)), as double-doubles (hi, lo, ...). */
const LOG_TERMS = 24;
const LOG_COEF = new Float64Array(2 * LOG_TERMS);
for (let i = 0; i < LOG_TERMS; i++) {
  ddDiv(1, 0, 2 * i + 1, 0);
  LOG_COEF[2 * i] = rh;
  LOG_COEF[2 * i + 1] = rl;
}

/** n! as a double-double in (rh, rl). */
function factorialDD(n: number): void {
  rh = 1;
  rl = 0;
  for (let k = 2; k <= n; k++) ddMul(rh, rl, k, 0);
}

const TRIG_TERMS = 16;
/** (-1)^i / (2i+1)! for sin and (-1)^i / (2i)! for cos, as double-doubles. */
const SIN_COEF = new Float64Array(2 * TRIG_TERMS);
const COS_COEF = new Float64Array(2 * TRIG_TERMS);
for (let i = 0; i < TRIG_TERMS; i++) {
  const sign = i % 2 === 0 ? 1 : -1;
  factorialDD(2 * i + 1);
  ddDiv(sign, 0, rh, rl);
  SIN_COEF[2 * i] = rh;
  SIN_COEF[2 * i + 1] = rl;
  factorialDD(2 * i);
  ddDiv(sign, 0, rh, rl);
  COS_COEF[2 * i] = rh;
  COS_COEF[2 * i + 1] = rl;
}

/** Horner's rule on double-double coefficients at the double-double point (zh, zl). */
function ddHorner(coef: Float64Array, terms: number, zh: number, zl: number): void {
  let ah = coef[2 * (terms - 1)] as number;
  let al = coef[2 * (terms - 1) + 1] as number;
  for (let i = terms - 2; i >= 0; i--) {
    ddMul(ah, al, zh, zl);
    ddAdd(rh, rl, coef[2 * i] as number, coef[2 * i + 1] as number);
    ah = rh;
    al = rl;
  }
  rh = ah;
  rl = al;
}

const LN2_HI = Math.LN2;
const LN2_LO = 2.3190468138462996e-17;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/**
 * Natural logarithm, correctly rounded (except with probability around 2^-40).
 *
 * @example
 * logRn(0.5); // -0.6931471805599453
 */
export function logRn(x: number): number {
  if (!(x > 0) || x === Number.POSITIVE_INFINITY) return Math.log(x);
  let k = 0;
  if (x < 2 ** -1022) {
    x *= 2 ** 54;
    k = -54;
  }
  scratch[0] = x;
  const hiWord = scratchWords[1] as number;
  k += ((hiWord >>> 20) & 0x7ff) - 1023;
  scratchWords[1] = (hiWord & 0x800fffff) | 0x3ff00000; // mantissa in [1, 2)
  let m = scratch[0] as number;
  if (m > Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1); m - 1 is exact.
  twoSum(m, 1);
  ddDiv(m - 1, 0, rh, rl);
  const sh = rh;
  const sl = rl;
  ddMul(sh, sl, sh, sl);
  ddHorner(LOG_COEF, LOG_TERMS, rh, rl);
  ddMul(rh, rl, 2 * sh, 2 * sl);
  const lh = rh;
  const ll = rl;
  ddMul(k, 0, LN2_HI, LN2_LO);
  ddAdd(rh, rl, lh, ll);
  return rh;
}

// π/2 in 33-bit pieces (fdlibm's pio2_1, pio2_2, pio2_3 and the tail pio2_3t).
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_3 = 2.0222662487111665e-21;
const PIO2_3T = 8.4784276603689e-32;

/** Where `sincosRn` leaves its results: `[sin, cos]`. */
export const sincosRnOut = new Float64Array(2);

/**
 * Sine and cosine, each correctly rounded (except with probability around 2^-40), written to
 * `sincosRnOut`. Arguments beyond 2^20 fall back to Math.sin / Math.cos.
 *
 * @example
 * sincosRn(1);
 * const [s, c] = sincosRnOut; // 0.8414709848078965, 0.5403023058681398
 */
export function sincosRn(x: number): void {
  if (!Number.isFinite(x) || Math.abs(x) > 2 ** 20) {
    sincosRnOut[0] = Math.sin(x);
    sincosRnOut[1] = Math.cos(x);
    return;
  }
  const k = Math.round(x * (2 / Math.PI));
  // x - k·π/2 with ~150 bits of π/2; k·PIO2_i are exact, x - k·PIO2_1 is exact (Sterbenz).
  twoSum(x - k * PIO2_1, -k * PIO2_2);
  ddAdd(rh, rl, -k * PIO2_3, 0);
  ddAdd(rh, rl, -k * PIO2_3T, 0);
  const r = rh;
  const rlo = rl;
  ddMul(r, rlo, r, rlo);
  const zh = rh;
  const zl = rl;
  ddHorner(SIN_COEF, TRIG_TERMS, zh, zl);
  ddMul(rh, rl, r, rlo);
  const s = rh;
  ddHorner(COS_COEF, TRIG_TERMS, zh, zl);
  const c = rh;
  const q = ((k % 4) + 4) % 4;
  sincosRnOut[0] = q === 0 ? s : q === 1 ? c : q === 2 ? -s : -c;
  sincosRnOut[1] = q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
}

/**
 * `a * b + c` with one rounding (what a compiler-fused multiply-add gives in float64).
 *
 * @example
 * fma64(0.1, 10, -1); // 5.551115123125783e-17
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0 || c === 0) return p + c;
  twoProd(a, b);
  const e = rl;
  twoSum(p, c);
  return rh + (rl + e);
}
