/**
 * Offset tables for kernels that work along one dim ("lanes": scans, softmax, sort, gather…)
 * or over a set of reduced dims. Offsets are computed once per kernel call into typed arrays,
 * so the inner loops index plain arrays and allocate nothing.
 */
import type { NDArray } from "../ndArray.js";

/** Storage offsets of every element of (`shape`, `strides`) from `base`, in row-major order. */
export function elementOffsets(
  shape: readonly number[],
  strides: readonly number[],
  base: number,
): Float64Array {
  let n = 1;
  for (const s of shape) n *= s;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) {
        off += strides[d]!;
        break;
      }
      off -= (shape[d]! - 1) * strides[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** The lanes along `dim` of arrays sharing `shape` outside `dim` (sizes along `dim` may differ). */
export interface Lanes {
  /** Number of lanes (product of `shape` without `dim`). */
  readonly count: number;
  /** Per array: the offset of each lane's first element. */
  readonly bases: Float64Array[];
  /** Per array: its stride along `dim`. */
  readonly steps: number[];
}

/**
 * Lanes along `dim` over `shape` (which gives the sizes of the other dims) for each array, each
 * with its own strides and offset.
 */
export function lanes(shape: readonly number[], dim: number, arrays: readonly NDArray[]): Lanes {
  const outer = shape.filter((_, d) => d !== dim);
  const bases = arrays.map((a) =>
    elementOffsets(
      outer,
      a.strides.filter((_, d) => d !== dim),
      a.offset,
    ),
  );
  let count = 1;
  for (const s of outer) count *= s;
  return { count, bases, steps: arrays.map((a) => a.strides[dim] ?? 0) };
}

/**
 * The plan of a reduction from `x` into `out` (keepdim layout: size 1 on each reduced dim).
 * `xBase[i]`/`outPos[i]` locate output element `i`; `inner` holds the offsets, relative to
 * `xBase[i]`, of the elements reduced into it.
 */
export interface ReducePlan {
  readonly xBase: Float64Array;
  readonly outPos: Float64Array;
  readonly inner: Float64Array;
}

export function reducePlan(x: NDArray, out: NDArray): ReducePlan {
  const keptShape: number[] = [];
  const keptX: number[] = [];
  const keptOut: number[] = [];
  const redShape: number[] = [];
  const redX: number[] = [];
  for (let d = 0; d < x.shape.length; d++) {
    const s = x.shape[d]!;
    if (out.shape[d] === 1 && s !== 1) {
      redShape.push(s);
      redX.push(x.strides[d]!);
    } else {
      keptShape.push(s);
      keptX.push(x.strides[d]!);
      keptOut.push(out.strides[d]!);
    }
  }
  return {
    xBase: elementOffsets(keptShape, keptX, x.offset),
    outPos: elementOffsets(keptShape, keptOut, out.offset),
    inner: elementOffsets(redShape, redX, 0),
  };
}
