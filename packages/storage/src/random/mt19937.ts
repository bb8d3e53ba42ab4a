// The 32-bit Mersenne Twister exactly as PyTorch's `at::mt19937` runs it: the same seeding (low 32
// bits of the 64-bit seed), the same lazy regeneration (`left`/`next` counters), the same tempering.

/** Number of 32-bit words in the Mersenne Twister state. */
export const MT_STATE_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * A Mersenne Twister (mt19937) engine with PyTorch's bookkeeping: `seed` (the full 64-bit seed it
 * was built from), `left` (draws before the state is regenerated, counting from 1) and `next`
 * (index of the next word to temper).
 *
 * @example
 * const mt = new MT19937(5489n);
 * mt.next32(); // 3499211612, the reference first output of mt19937
 */
export class MT19937 {
  /** The 624-word state. */
  readonly state = new Uint32Array(MT_STATE_N);
  /** The seed this engine was last seeded with, as an unsigned 64-bit integer. */
  seed = 0n;
  /** Draws left before the next regeneration (PyTorch's `left_`). */
  left = 1;
  /** Index of the next state word to use (PyTorch's `next_`). */
  next = 0;

  constructor(seed: bigint = 5489n) {
    this.reseed(seed);
  }

  /**
   * Seeds the engine as `at::mt19937(seed)` does: only the low 32 bits reach the state.
   *
   * @example
   * mt.reseed(7n);
   */
  reseed(seed: bigint): void {
    this.seed = BigInt.asUintN(64, seed);
    const s = this.state;
    s[0] = Number(this.seed & 0xffffffffn);
    for (let j = 1; j < MT_STATE_N; j++) {
      const prev = s[j - 1] as number;
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }

  /**
   * The next tempered 32-bit output, as an unsigned integer in `[0, 2^32)`.
   *
   * @example
   * const r = mt.next32();
   */
  next32(): number {
    if (--this.left === 0) this.#regenerate();
    let y = this.state[this.next++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 words at once (PyTorch's `next_state`). */
  #regenerate(): void {
    const s = this.state;
    this.left = MT_STATE_N;
    this.next = 0;
    for (let j = 0; j < MT_STATE_N; j++) {
      const u = s[j] as number;
      const v = s[j + 1 === MT_STATE_N ? 0 : j + 1] as number;
      const mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
      const twisted = (mixed >>> 1) ^ (v & 1 ? MATRIX_A : 0);
      s[j] = ((s[(j + MT_M) % MT_STATE_N] as number) ^ twisted) >>> 0;
    }
  }
}
