// The WASM relu (an `le` mask cleared with `andnot`) against the reference kernel, bit for bit:
// +0 for every x ≤ 0 (-0 included), x itself for x > 0 and for NaN (its payload kept), over the
// contiguous kernel's vector body and scalar tail, past the threading cut-off, and strided.

import { type NDArray, referenceKernels } from "@x/storage";
import { describe, it } from "vitest";
import { arr, rand } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { bitsOf, expectSameBits } from "../test/threads";
import { PARALLEL_MIN_ELEMENTS } from "./elementwiseKernels";

const backend = useWasmBackend();
const k = backend.kernels;

/** Random values with ±0, ±Infinity, NaNs (one with a payload and the sign set) and tiny ones. */
function special(dtype: "float32" | "float64"): () => number {
  const odd = new Float64Array(new BigUint64Array([0xfff0_0000_0000_1234n]).buffer)[0]!;
  const odd32 = new Float32Array(new Uint32Array([0xffc0_1234]).buffer)[0]!;
  const picks = [0, -0, Number.NaN, dtype === "float32" ? odd32 : odd, Infinity, -Infinity, 1e-40];
  let i = 0;
  return () => (i++ % 3 === 1 ? picks[i % picks.length]! : rand());
}

function same(x: NDArray, what: string) {
  const got = arr([...x.shape], x.dtype, () => 12345);
  const want = arr([...x.shape], x.dtype, () => 54321);
  k.unary.relu(x, got);
  referenceKernels.unary.relu(x, want);
  expectSameBits(bitsOf(got), bitsOf(want), what);
  got.dispose();
  want.dispose();
}

describe("relu (WASM)", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: matches the reference bit for bit, NaN payloads and -0 included`, () => {
      for (const n of [1, 3, 4, 7, 16, 17, 33, 67, PARALLEL_MIN_ELEMENTS + 9]) {
        const x = arr([n], dtype, special(dtype));
        same(x, `${dtype} n=${n}`);
        x.dispose();
      }
      const base = arr([6, 9], dtype, special(dtype));
      const t = base.t(); // strided: the walker's element code
      same(t, `${dtype} transposed`);
      base.dispose();
    });
  }
});
