// Layout checks that decide whether an NDArray operand can take a WASM fast path: dtype mapping,
// byte pointers into the heap, contiguity, scalar and row broadcasts, and the [outer, r, inner]
// plan of a reduction over consecutive dims. Anything these do not recognise runs the reference
// kernel instead.

import type { DType, NDArray } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";

/** The kernel dtype of a storage dtype, or undefined when there is no WASM kernel for it. */
export function kernelDType(d: DType): FloatDType | undefined {
  return d === "float32" ? "f32" : d === "float64" ? "f64" : undefined;
}

/** Byte address of element 0 of `x` (its offset applied). */
export function ptrOf(x: NDArray, elemBytes: number): number {
  return x.storage.ptr + x.offset * elemBytes;
}

/** True when every dim of size > 1 has stride 0: `x` is one value broadcast everywhere. */
export function isBroadcastScalar(x: NDArray): boolean {
  for (let i = 0; i < x.shape.length; i++) if (x.shape[i]! > 1 && x.strides[i] !== 0) return false;
  return true;
}

/**
 * When `x` repeats one contiguous block along its leading dims (strides 0 there, row-major
 * contiguous on the trailing dims, like a bias broadcast over a batch), returns the block's
 * length; otherwise undefined.
 */
export function rowBroadcastLength(x: NDArray): number | undefined {
  let inner = 1;
  let d = x.shape.length - 1;
  for (; d >= 0; d--) {
    const s = x.shape[d]!;
    if (s === 1) continue;
    if (x.strides[d] !== inner) break;
    inner *= s;
  }
  if (inner === 1) return undefined;
  for (; d >= 0; d--) if (x.shape[d]! > 1 && x.strides[d] !== 0) return undefined;
  return inner;
}

/** The [outer, r, inner] view of a reduction of contiguous `x` into keepdim `out`, if any. */
export interface ReducePlan {
  readonly outer: number;
  readonly r: number;
  readonly inner: number;
}

/**
 * Plans a reduction whose reduced dims (out size 1, x size > 1) are consecutive among the dims
 * of size > 1; undefined otherwise (the reference kernel handles any pattern).
 */
export function reducePlan(x: NDArray, out: NDArray): ReducePlan | undefined {
  let outer = 1;
  let r = 1;
  let inner = 1;
  let phase = 0; // 0: before the reduced run, 1: inside it, 2: after it
  for (let d = 0; d < x.shape.length; d++) {
    const s = x.shape[d]!;
    if (s === 1) continue;
    const reduced = out.shape[d] === 1;
    if (reduced) {
      if (phase === 2) return undefined;
      phase = 1;
      r *= s;
    } else if (phase === 0) outer *= s;
    else {
      phase = 2;
      inner *= s;
    }
  }
  return { outer, r, inner };
}

/** The rows × cols view of a softmax along `dim` when `dim` is the innermost dim of size > 1. */
export function lastDimRows(x: NDArray, dim: number): { rows: number; cols: number } | undefined {
  for (let d = dim + 1; d < x.shape.length; d++) if (x.shape[d] !== 1) return undefined;
  const cols = x.shape[dim]!;
  return { rows: cols === 0 ? 0 : x.numel() / cols, cols };
}
