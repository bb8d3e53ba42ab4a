/**
 * Random kernels: fill `out` from a `Generator` exactly as PyTorch's CPU generator does for a
 * contiguous tensor of `out`'s dtype (non-contiguous outputs are filled in row-major order).
 */
import type { NDArray } from "../ndArray.js";
import type { Generator } from "../random/generator.js";

export interface RandomKernels {
  uniform(out: NDArray, from: number, to: number, gen: Generator): void;
  normal(out: NDArray, mean: number, std: number, gen: Generator): void;
  /** Each element 1 with probability `p` (a scalar, or an array broadcast to `out`). */
  bernoulli(out: NDArray, p: number | NDArray, gen: Generator): void;
  /** Integers uniform in `[low, high)`. */
  randint(out: NDArray, low: number, high: number, gen: Generator): void;
  /** A random permutation of `0 … n-1` into the 1-d `out`. */
  randperm(out: NDArray, gen: Generator): void;
}
