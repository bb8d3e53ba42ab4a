// Test helpers for threaded kernels: waiting until the workers of a heap have started, and the
// bits of float arrays (to assert bit-identical results rather than close ones).

import type { NDArray } from "@x/storage";
import type { WasmKernels } from "../wasmKernels";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (up to 10 s on a loaded machine) until a large kernel of `k` would get `want` threads;
 * returns the number it would get.
 */
export async function threadsReady(k: WasmKernels, want: number): Promise<number> {
  let got = 1;
  for (let i = 0; i < 200 && got < want; i++) {
    got = k.threads.plan(1e6);
    if (got < want) await sleep(50);
  }
  return got;
}

/** A copy of the bit patterns of a float array's elements (row-major, two words per f64). */
export function bitsOf(x: NDArray): Uint32Array {
  const c = x.contiguous();
  const t = c.typed();
  const words = c.numel() * (t instanceof Float64Array ? 2 : 1);
  if (!(t instanceof Float32Array || t instanceof Float64Array)) {
    throw new Error(`bitsOf: ${x.dtype} is not a float dtype`);
  }
  const out = new Uint32Array(
    t.buffer,
    t.byteOffset + c.offset * t.BYTES_PER_ELEMENT,
    words,
  ).slice();
  c.dispose();
  return out;
}

/**
 * Throws unless `got` and `want` hold the same bits, naming the first element that differs.
 *
 * @example
 * expectSameBits(bitsOf(a), bitsOf(b), "conv2d");
 */
export function expectSameBits(got: Uint32Array, want: Uint32Array, what: string): void {
  if (got.length !== want.length) {
    throw new Error(`${what}: ${got.length} words, want ${want.length}`);
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      const f = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];
      throw new Error(
        `${what}: word ${i} differs: ${got[i]!.toString(16)} (${f(got[i]!)} as f32), ` +
          `want ${want[i]!.toString(16)} (${f(want[i]!)})`,
      );
    }
  }
}
