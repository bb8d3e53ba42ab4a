// PyTorch's CPU random generator (`CPUGeneratorImpl`, PyTorch 1.13), bit for bit: mt19937, the
// cached Box-Muller sample, and the fill loops behind rand/randn/randint/randperm/bernoulli/uniform_/
// normal_ for contiguous tensors, consuming the stream in the same order PyTorch does.

import { avxLogf, avxSincosf, fmaf, sincosOut } from "./avxMath.js";
import { fma64, logRn, sincosRn, sincosRnOut } from "./exactMath.js";
import { readState, writeState } from "./generatorState.js";
import { MT19937 } from "./mt19937.js";

/** Floating dtypes the fill functions write. */
export type FloatDType = "float32" | "float64";
/** A contiguous output buffer. */
export type OutArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint32Array
  | Uint16Array;

/** PyTorch's `default_rng_seed_val`. */
export const DEFAULT_SEED = 67280421310721n;

const f32 = Math.fround;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
/** `static_cast<float>(2.0f * c10::pi<double>)`. */
const TWO_PI_F32 = f32(2 * Math.PI);

/** Turns a user seed into PyTorch's unsigned 64-bit seed (negative seeds wrap, as in Python). */
function toSeed(seed: number | bigint): bigint {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed))
      throw new TypeError(`manual_seed expected an integer, got ${seed}`);
    seed = BigInt(seed);
  }
  if (seed < -(1n << 63n) || seed >= 1n << 64n) {
    throw new RangeError("Overflow when unpacking long");
  }
  return BigInt.asUintN(64, seed);
}

/**
 * PyTorch's CPU generator: an mt19937 engine plus the cached second Box-Muller sample. Fill methods
 * write what PyTorch writes into a contiguous tensor of the same dtype and size.
 *
 * @example
 * const g = new Generator(7);
 * const out = new Float32Array(5);
 * g.uniform_(out, 0, 5, 0, 1, "float32"); // torch.manual_seed(7); torch.rand(5)
 */
export class Generator {
  readonly #mt = new MT19937(DEFAULT_SEED);
  #nextDouble: number | null = null;
  #nextFloat: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * Reseeds as `torch.manual_seed(seed)`: mt19937 from the low 32 bits; cached normals dropped.
   *
   * @example
   * g.manualSeed(7);
   */
  manualSeed(seed: number | bigint): this {
    this.#mt.reseed(toSeed(seed));
    this.#nextDouble = null;
    this.#nextFloat = null;
    return this;
  }

  /**
   * The seed last given, as `Generator.initial_seed()` returns it (unsigned 64-bit).
   *
   * @example
   * new Generator(-1).initialSeed(); // 18446744073709551615n
   */
  initialSeed(): bigint {
    return this.#mt.seed;
  }

  /**
   * The full state in the byte layout of `torch.get_rng_state()` (5056 bytes).
   *
   * @example
   * const saved = g.getState();
   */
  getState(): Uint8Array {
    return writeState(this.#mt, this.#nextDouble, this.#nextFloat);
  }

  /**
   * Restores a state from `getState()` or from `torch.get_rng_state()` bytes.
   *
   * @example
   * g.setState(saved);
   */
  setState(state: Uint8Array): this {
    const cached = readState(state, this.#mt);
    this.#nextDouble = cached.nextDouble;
    this.#nextFloat = cached.nextFloat;
    return this;
  }

  /**
   * The next raw 32-bit draw (`CPUGeneratorImpl::random`).
   *
   * @example
   * g.random(); // an integer in [0, 2^32)
   */
  random(): number {
    return this.#mt.next32();
  }

  /**
   * The next 64-bit draw (`CPUGeneratorImpl::random64`): first draw high, second low.
   *
   * @example
   * g.random64(); // a bigint in [0, 2^64)
   */
  random64(): bigint {
    const hi = this.#mt.next32();
    const lo = this.#mt.next32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A float32 in [0, 1) from 24 bits of one draw. */
  #uniform24(): number {
    return (this.#mt.next32() & 0xffffff) * TWO_POW_M24;
  }

  /** A float64 in [0, 1) from the low 53 bits of `random64()`. */
  #uniform53(): number {
    const hi = this.#mt.next32();
    const lo = this.#mt.next32();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /**
   * Fills `out[outOffset .. outOffset+n)` as `Tensor.uniform_(from, to)` does (so `torch.rand` for
   * `[0, 1)`): float32 takes 24 bits of one draw, float64 53 bits of two; then
   * `x * (to - from) + from` in the dtype, as one fused multiply-add (GCC contracts it in
   * PyTorch's x86 build).
   *
   * @example
   * g.uniform_(out, 0, 6, -3, 3, "float32");
   */
  uniform_(
    out: OutArray,
    outOffset: number,
    n: number,
    from: number,
    to: number,
    dtype: FloatDType,
  ): void {
    if (!(from <= to)) {
      throw new RangeError(
        `uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`,
      );
    }
    if (dtype === "float32") {
      const lo = f32(from);
      const span = f32(f32(to) - lo);
      for (let i = 0; i < n; i++) out[outOffset + i] = fmaf(this.#uniform24(), span, lo);
    } else {
      const span = to - from;
      for (let i = 0; i < n; i++) out[outOffset + i] = fma64(this.#uniform53(), span, from);
    }
  }

  /**
   * Fills as `Tensor.normal_(mean, std)` / `torch.randn` do on a contiguous tensor. With n < 16,
   * one Box-Muller pair per two elements in float64 (the sine half cached across calls); with
   * n >= 16, PyTorch's `normal_fill`: n uniforms, then Box-Muller on blocks of 16 (the AVX2 kernel
   * for float32, float64 math for float64), the last partial block redrawn and recomputed.
   *
   * A non-contiguous tensor always takes the scalar path: pass `contiguous = false` and its
   * elements in the order PyTorch's TensorIterator visits them.
   *
   * @example
   * g.normal_(out, 0, 40, 0, 1, "float32"); // torch.randn(40)
   */
  normal_(
    out: OutArray,
    outOffset: number,
    n: number,
    mean: number,
    std: number,
    dtype: FloatDType,
    contiguous = true,
  ): void {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    if (n >= 16 && contiguous) {
      if (dtype === "float32") this.#normalFillF32(out, outOffset, n, f32(mean), f32(std));
      else this.#normalFillF64(out, outOffset, n, mean, std);
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = fma64(this.#normalDouble(), std, mean);
      out[outOffset + i] = dtype === "float32" ? f32(v) : v;
    }
  }

  /** One standard normal from `at::normal_distribution<double>`, using the cache. */
  #normalDouble(): number {
    if (this.#nextDouble !== null) {
      const cached = this.#nextDouble;
      this.#nextDouble = null;
      return cached;
    }
    const u1 = this.#uniform53();
    const u2 = this.#uniform53();
    const r = Math.sqrt(-2 * logRn(1 - u2));
    sincosRn(2 * Math.PI * u1);
    this.#nextDouble = r * (sincosRnOut[0] as number);
    return r * (sincosRnOut[1] as number);
  }

  /** `normal_fill_AVX2`: float32 uniforms, then the vector Box-Muller, 16 at a time. */
  #normalFillF32(out: OutArray, off: number, n: number, mean: number, std: number): void {
    for (let i = 0; i < n; i++) out[off + i] = this.#uniform24();
    for (let i = 0; i + 16 <= n; i += 16) boxMullerF32(out, off + i, mean, std);
    if (n % 16 !== 0) {
      const start = off + n - 16;
      for (let i = 0; i < 16; i++) out[start + i] = this.#uniform24();
      boxMullerF32(out, start, mean, std);
    }
  }

  /** `normal_fill<double>`: float64 uniforms, then scalar Box-Muller, 16 at a time. */
  #normalFillF64(out: OutArray, off: number, n: number, mean: number, std: number): void {
    for (let i = 0; i < n; i++) out[off + i] = this.#uniform53();
    for (let i = 0; i + 16 <= n; i += 16) boxMullerF64(out, off + i, mean, std);
    if (n % 16 !== 0) {
      const start = off + n - 16;
      for (let i = 0; i < 16; i++) out[start + i] = this.#uniform53();
      boxMullerF64(out, start, mean, std);
    }
  }

  /**
   * Fills as `torch.randint(low, high, (n,))`: `random() % (high - low) + low`, or `random64()`
   * when the range reaches 2^32. Values are written as numbers (exact below 2^53).
   *
   * @example
   * g.randint_(out, 0, 8, 0, 10); // torch.randint(0, 10, (8,))
   */
  randint_(
    out: OutArray,
    outOffset: number,
    n: number,
    low: number | bigint,
    high: number | bigint,
  ): void {
    const lo = BigInt(low);
    const range = BigInt(high) - lo;
    if (range <= 0n) {
      throw new RangeError(
        `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`,
      );
    }
    if (range < 1n << 32n) {
      const r = Number(range);
      const base = Number(lo);
      for (let i = 0; i < n; i++) out[outOffset + i] = (this.#mt.next32() % r) + base;
    } else {
      for (let i = 0; i < n; i++) out[outOffset + i] = Number((this.random64() % range) + lo);
    }
  }

  /**
   * Writes `torch.randperm(n)` into `out`: the identity, then for each i < n-1 a swap with
   * `i + random() % (n - i)` (PyTorch 1.13's CPU algorithm).
   *
   * @example
   * g.randperm(out, 0, 10);
   */
  randperm(out: OutArray, outOffset: number, n: number): void {
    for (let i = 0; i < n; i++) out[outOffset + i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = this.#mt.next32() % (n - i);
      const a = outOffset + i;
      const b = a + z;
      const tmp = out[a] as number;
      out[a] = out[b] as number;
      out[b] = tmp;
    }
  }

  /**
   * Fills with 0/1 draws of probability `p`. `pDtype` picks which PyTorch kernel to follow:
   * `"float64"` (default) is `Tensor.bernoulli_(p)` with a Python float (53-bit uniform `< p`,
   * PyTorch builds without MKL); `"float32"` is `torch.bernoulli(probs)` for a float32 `probs`
   * tensor filled with `p` (24-bit uniform `< float(p)`).
   *
   * @example
   * g.bernoulli_(out, 0, 10, 0.3, "float32", "float32"); // torch.bernoulli(torch.full((10,), 0.3))
   */
  bernoulli_(
    out: OutArray,
    outOffset: number,
    n: number,
    p: number,
    _dtype: FloatDType = "float32",
    pDtype: FloatDType = "float64",
  ): void {
    if (!(p >= 0 && p <= 1))
      throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    if (pDtype === "float32") {
      const pf = f32(p);
      for (let i = 0; i < n; i++) out[outOffset + i] = this.#uniform24() < pf ? 1 : 0;
    } else {
      for (let i = 0; i < n; i++) out[outOffset + i] = this.#uniform53() < p ? 1 : 0;
    }
  }

  /**
   * Fills as `torch.bernoulli(probs)` for a contiguous probability tensor of the same size: a
   * float32 `probs` compares 24-bit uniforms, a float64 one 53-bit uniforms.
   *
   * @example
   * g.bernoulliTensor_(out, 0, 3, new Float32Array([0.1, 0.5, 0.9]), 0);
   */
  bernoulliTensor_(
    out: OutArray,
    outOffset: number,
    n: number,
    probs: Float32Array | Float64Array,
    probsOffset: number,
  ): void {
    const single = probs instanceof Float32Array;
    for (let i = 0; i < n; i++) {
      const p = probs[probsOffset + i] as number;
      if (!(p >= 0 && p <= 1))
        throw new RangeError(`bernoulli expects all p in [0, 1], but got p=${p}`);
      const u = single ? this.#uniform24() : this.#uniform53();
      out[outOffset + i] = u < p ? 1 : 0;
    }
  }
}

/** One 16-value block of `normal_fill_16_AVX2`, in place on float32 uniforms. */
function boxMullerF32(data: OutArray, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f32(1 - (data[at + j] as number));
    const u2 = data[at + j + 8] as number;
    const radius = f32(Math.sqrt(f32(-2 * avxLogf(u1))));
    avxSincosf(f32(TWO_PI_F32 * u2));
    const n1 = f32(radius * (sincosOut[1] as number));
    const n2 = f32(radius * (sincosOut[0] as number));
    data[at + j] = fmaf(n1, std, mean);
    data[at + j + 8] = fmaf(n2, std, mean);
  }
}

/** One 16-value block of `normal_fill_16<double>`, in place on float64 uniforms. */
function boxMullerF64(data: OutArray, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - (data[at + j] as number);
    const u2 = data[at + j + 8] as number;
    const radius = Math.sqrt(-2 * logRn(u1));
    sincosRn(2 * Math.PI * u2);
    data[at + j] = fma64(radius * (sincosRnOut[1] as number), std, mean);
    data[at + j + 8] = fma64(radius * (sincosRnOut[0] as number), std, mean);
  }
}

/**
 * The process-wide generator that `torch.manual_seed` seeds.
 *
 * @example
 * defaultGenerator.random();
 */
export const defaultGenerator = new Generator();

/**
 * Seeds `defaultGenerator` as `torch.manual_seed(seed)` and returns it.
 *
 * @example
 * manualSeed(7);
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
