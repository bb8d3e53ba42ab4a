// Test helpers: random arrays on the current backend, and `agree`, which runs one kernel of the
// WASM backend and of the reference backend on the same inputs and compares the outputs.

import { type DType, type Kernels, NDArray, referenceKernels } from "@x/storage";

/**
 * A deterministic generator of uniform numbers in [-a, a) from `seed`.
 *
 * @example
 * const r = uniform(1);
 * r(); // the same number on every run
 */
export function uniform(seed: number, a = 1): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 2 * a;
  };
}

/** A deterministic uniform number in [-3, 3). */
export const rand = uniform(5, 3);

/** A new array of the current backend filled by `f`. */
export function arr(shape: number[], dtype: DType = "float32", f: () => number = rand): NDArray {
  const a = NDArray.empty(shape, dtype);
  const t = a.typed();
  for (let i = 0; i < t.length; i++) t[i] = f();
  return a;
}

/** Default tolerance of a dtype (relative, plus the same absolute). */
export function tolOf(dtype: DType): number {
  return dtype === "float32" ? 2e-6 : dtype === "float64" ? 1e-13 : 0;
}

/**
 * Runs `run` with the backend's kernels and with the reference kernels, each into a fresh
 * `out` of `shape` (prefilled with a sentinel, so unwritten elements show), and throws at the
 * first element where they differ by more than `tol·(|want| + 1)` (NaNs must match).
 */
export function agree(
  kernels: Kernels,
  shape: number[],
  dtype: DType,
  run: (k: Kernels, out: NDArray) => void,
  tol = tolOf(dtype),
  what = "",
): void {
  const got = NDArray.empty(shape, dtype);
  const want = NDArray.empty(shape, dtype);
  got.typed().fill(dtype === "bool" ? 7 : 12345);
  want.typed().fill(dtype === "bool" ? 9 : 54321);
  run(kernels, got);
  run(referenceKernels, want);
  const g = got.toArray();
  const w = want.toArray();
  if (g.length !== w.length)
    throw new Error(`${what} [${shape}]: ${g.length} vs ${w.length} elements`);
  g.forEach((v, i) => {
    const ok = Object.is(v, w[i]) || Math.abs(v - w[i]!) <= tol * (Math.abs(w[i]!) + 1);
    if (!ok) throw new Error(`${what} [${shape}] ${dtype} at ${i}: got ${v}, want ${w[i]}`);
  });
  got.dispose();
  want.dispose();
}
