// The WASM `thresholdBackward` (relu's fused backward mask) against the reference kernel,
// bit-exactly: NaN, ±0 and values at the threshold in `self`, odd lengths for the scalar tail,
// a length past the threading cut-off, and broadcast / strided layouts (delegated).

import { type NDArray, referenceKernels } from "@x/storage";
import { describe, expect, it } from "vitest";
import { arr, rand } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { PARALLEL_MIN_ELEMENTS } from "./elementwiseKernels";
import { wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();
const k = backend.kernels;

/** `self` values: random, with NaN, +0, -0, ±Infinity and exact threshold hits mixed in. */
function special(threshold: number): () => number {
  const picks = [Number.NaN, 0, -0, threshold, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return () => {
    const r = rand();
    return r > 1.5 ? picks[Math.floor((r - 1.5) * 4)]! : r;
  };
}

/** Runs the kernel on both backends into sentinel-filled outputs and compares bits. */
function same(g: NDArray, x: NDArray, threshold: number, shape: number[], what: string) {
  const got = arr(shape, g.dtype, () => 12345);
  const want = arr(shape, g.dtype, () => 54321);
  k.thresholdBackward(g, x, threshold, got);
  referenceKernels.thresholdBackward(g, x, threshold, want);
  const a = got.toArray();
  const b = want.toArray();
  for (let i = 0; i < b.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${what} at ${i}: got ${a[i]}, want ${b[i]}`);
  }
  got.dispose();
  want.dispose();
}

describe("thresholdBackward (WASM)", () => {
  it("is listed as WASM-accelerated", () => {
    expect(wasmAccelerated.other).toContain("thresholdBackward");
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: contiguous streams agree bit-exactly, incl. NaN, ±0 and odd lengths`, () => {
      for (const threshold of [0, 0.5, -1.25, 0.1]) {
        for (const n of [0, 1, 3, 7, 8, 15, 16, 17, 33, 63, 64, 65, 257]) {
          const g = arr([n], dtype, special(0));
          const x = arr([n], dtype, special(threshold));
          same(g, x, threshold, [n], `${dtype} n=${n} th=${threshold}`);
        }
      }
    });

    it(`${dtype}: masks to +0 where self <= threshold and passes grad through NaN`, () => {
      const x = arr([5], dtype, () => 0);
      x.typed().set([-1, 0, -0, Number.NaN, 2]);
      const g = arr([5], dtype, () => -3);
      const out = arr([5], dtype, () => 7);
      k.thresholdBackward(g, x, 0, out);
      expect(out.toArray().map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual([0, 0, 0, -3, -3]);
    });

    it(`${dtype}: a length past the threading cut-off agrees`, () => {
      const n = PARALLEL_MIN_ELEMENTS * 2 + 5;
      same(arr([n], dtype), arr([n], dtype, special(0)), 0, [n], `${dtype} long`);
    });

    it(`${dtype}: broadcast and strided layouts delegate to the reference`, () => {
      const S = [3, 4, 5];
      const full = () => arr(S, dtype, special(0));
      const row = arr([5], dtype, special(0)).expand(...S);
      const perm = arr([5, 3, 4], dtype, special(0)).permute(1, 2, 0);
      same(full(), row, 0, S, "self row");
      same(row, full(), 0, S, "grad row");
      same(perm, full(), 0, S, "grad permuted");
      same(full(), perm, 0.5, S, "self permuted");
    });
  }
});
