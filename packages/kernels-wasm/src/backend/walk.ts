// Drives the strided 2-D walkers of the kernel module over NDArrays of any rank: dims of size 1
// are dropped and neighbouring dims merged wherever every operand steps through them as one, the
// last two dims go to the walker, and any dims left over are looped here (rare: it takes three
// independent stride patterns, like a channel bias broadcast over N, C and H·W).

import type { NDArray } from "@x/storage";

/** A walker: `(p0, rs0, cs0, …, out, ors, ocs, rows, cols)`, strides in bytes. */
export type WalkFn = (...args: number[]) => void;

/** Shape and per-operand strides (elements) after dropping size-1 dims and merging. */
export interface Collapsed {
  readonly shape: number[];
  /** strides[k][d]: operand k's stride along collapsed dim d. */
  readonly strides: number[][];
}

/**
 * Drops size-1 dims of `shape` and merges neighbours that every operand walks as one dim.
 *
 * @example
 * collapse([2, 3, 4], [[12, 4, 1], [0, 1, 0]]); // { shape: [2, 3, 4], … } (bias over dim 1)
 * collapse([2, 3, 4], [[12, 4, 1], [12, 4, 1]]).shape; // [24]
 */
export function collapse(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): Collapsed {
  const k = strides.length;
  const outShape: number[] = [];
  const outStrides: number[][] = Array.from({ length: k }, () => []);
  let size = 1;
  let cur: number[] = new Array<number>(k).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    if (s === 1) continue;
    if (size === 1) {
      size = s;
      for (let i = 0; i < k; i++) cur[i] = strides[i]![d]!;
      continue;
    }
    let merge = true;
    for (let i = 0; i < k; i++) {
      if (strides[i]![d] !== cur[i]! * size) {
        merge = false;
        break;
      }
    }
    if (merge) {
      size *= s;
      continue;
    }
    outShape.push(size);
    for (let i = 0; i < k; i++) outStrides[i]!.push(cur[i]!);
    size = s;
    cur = strides.map((st) => st[d]!);
  }
  outShape.push(size);
  for (let i = 0; i < k; i++) outStrides[i]!.push(cur[i]!);
  outShape.reverse();
  for (const st of outStrides) st.reverse();
  return { shape: outShape, strides: outStrides };
}

const args: number[] = [];

/** An operand of a walk: the byte address of its element 0 and its strides in elements. */
export interface Strided {
  readonly ptr: number;
  readonly strides: readonly number[];
}

/**
 * Runs walker `fn` over `shape` for `operands` (inputs, then the output) of `bytes` bytes per
 * element each.
 *
 * @example
 * walkRaw(raw.copy2d_4, [2, 3], [{ ptr: x, strides: [1, 2] }, { ptr: y, strides: [3, 1] }], [4, 4]);
 */
export function walkRaw(
  fn: WalkFn,
  shape: readonly number[],
  operands: readonly Strided[],
  bytes: readonly number[],
): void {
  for (const s of shape) if (s === 0) return;
  const k = operands.length;
  const c = collapse(
    shape,
    operands.map((x) => x.strides),
  );
  const nd = c.shape.length;
  const st = c.strides;
  const rows = nd >= 2 ? c.shape[nd - 2]! : 1;
  const cols = c.shape[nd - 1]!;
  const outer = nd - 2;
  if (outer <= 0) {
    args.length = 0;
    for (let i = 0; i < k; i++) {
      const E = bytes[i]!;
      args.push(operands[i]!.ptr, nd >= 2 ? st[i]![0]! * E : 0, st[i]![nd - 1]! * E);
    }
    args.push(rows, cols);
    fn(...args);
    return;
  }
  const ptr = operands.map((x) => x.ptr);
  const idx = new Array<number>(outer).fill(0);
  let count = 1;
  for (let d = 0; d < outer; d++) count *= c.shape[d]!;
  for (let it = 0; it < count; it++) {
    args.length = 0;
    for (let i = 0; i < k; i++) {
      const E = bytes[i]!;
      args.push(ptr[i]!, st[i]![nd - 2]! * E, st[i]![nd - 1]! * E);
    }
    args.push(rows, cols);
    fn(...args);
    // odometer over the outer dims
    for (let d = outer - 1; d >= 0; d--) {
      idx[d] = idx[d]! + 1;
      for (let i = 0; i < k; i++) ptr[i] = ptr[i]! + st[i]![d]! * bytes[i]!;
      if (idx[d]! < c.shape[d]!) break;
      for (let i = 0; i < k; i++) ptr[i] = ptr[i]! - st[i]![d]! * bytes[i]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Runs walker `fn` over `out`'s shape: `inputs` (already broadcast to it), then `out`, with
 * their element sizes in bytes.
 *
 * @example
 * walk(raw.binary2d_add_f32, [a, b], [4, 4], out, 4);
 */
export function walk(
  fn: WalkFn,
  inputs: readonly NDArray[],
  inBytes: readonly number[],
  out: NDArray,
  outBytes: number,
): void {
  const ops: Strided[] = inputs.map((x, i) => ({
    ptr: x.storage.ptr + x.offset * inBytes[i]!,
    strides: x.strides,
  }));
  ops.push({ ptr: out.storage.ptr + out.offset * outBytes, strides: out.strides });
  walkRaw(fn, out.shape, ops, [...inBytes, outBytes]);
}
