/**
 * What a system implements for the child process: `init` selects backend and thread count, and
 * `prepare` builds one case (allocations, model, compiled functions) and returns the iteration to
 * time. Both throw a `StatusError` when the system cannot run it (not applicable, not yet, cannot).
 */
import type { Case } from "../cases.js";
import type { Digits } from "../digits.js";
import type { Iteration } from "../stats.js";

export interface Prepared {
  /** One iteration (one matmul, one training step, 10,000 adds, one whole training run…). */
  readonly run: Iteration;
  /** Figures for sanity (last loss, accuracy), read after timing. */
  readonly extra?: () => Record<string, number> | undefined;
  /**
   * The factor from the timed seconds to the reported ones (digits: `epochs / epochs run` when
   * the time budget stopped the run early). Read after timing; 1 when absent.
   */
  readonly scale?: () => number;
  /** Said next to the figure (e.g. which API measured it). */
  readonly note?: string;
  /** Frees what `prepare` allocated. */
  readonly dispose?: () => void;
}

export interface Context {
  /** The digits data (loaded on first use). */
  readonly digits: () => Digits;
}

export interface SystemImpl {
  init(threads: number): Promise<void>;
  prepare(c: Case, ctx: Context): Promise<Prepared>;
}

/** Systems that can use more than one thread in Node (others get `na` in the threaded rows). */
export const THREADED = new Set<string>(["x-wasm", "pytorch", "onnxruntime", "jax-js"]);

/** Uniform values in `[-bound, bound)` from a fixed seed (xorshift32): inputs and peers' weights. */
export function uniformArray(n: number, bound: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 * bound - bound;
  }
  return out;
}

/** Integer labels 0..classes-1 from a fixed seed. */
export function labels(n: number, classes: number, seed: number): Int32Array {
  const u = uniformArray(n, 0.5, seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(classes - 1, Math.floor((u[i]! + 0.5) * classes));
  return out;
}
