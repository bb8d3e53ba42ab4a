/**
 * Row iteration over up to four strided operands of one shape. Dims that are contiguous in
 * every operand are merged and size-1 dims dropped, so a kernel runs one tight inner loop per
 * row: `while (it.next()) for (i < it.n) … o0 += it.s0 …`. No per-element allocation.
 */
import type { NDArray } from "../ndArray.js";

export class RowIter {
  /** Inner-loop length and the operands' inner strides. */
  n = 0;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  /** Offsets of the current row's first element, per operand. */
  o0 = 0;
  o1 = 0;
  o2 = 0;
  o3 = 0;
  #shape: number[] = [];
  #strides: number[][] = [];
  #idx: number[] = [];
  #base: number[] = [0, 0, 0, 0];
  #rows = 0;
  #row = 0;

  /** Starts iterating `shape` over the given operands (their own strides and offsets). */
  reset(shape: readonly number[], a: NDArray, b?: NDArray, c?: NDArray, d?: NDArray): this {
    const ops = d ? [a, b!, c!, d] : c ? [a, b!, c] : b ? [a, b] : [a];
    const k = ops.length;
    const dims: number[] = [];
    const strides: number[][] = ops.map(() => []);
    let total = 1;
    for (let i = 0; i < shape.length; i++) {
      const s = shape[i]!;
      total *= s;
      if (s === 1) continue;
      const last = dims.length - 1;
      let merge = last >= 0;
      for (let j = 0; merge && j < k; j++) {
        merge = strides[j]![last] === ops[j]!.strides[i]! * s;
      }
      if (merge) {
        dims[last]! *= s;
        for (let j = 0; j < k; j++) strides[j]![last] = ops[j]!.strides[i]!;
      } else {
        dims.push(s);
        for (let j = 0; j < k; j++) strides[j]!.push(ops[j]!.strides[i]!);
      }
    }
    const inner = dims.length - 1;
    this.n = total === 0 ? 0 : inner >= 0 ? dims[inner]! : 1;
    this.s0 = inner >= 0 ? strides[0]![inner]! : 0;
    this.s1 = k > 1 && inner >= 0 ? strides[1]![inner]! : 0;
    this.s2 = k > 2 && inner >= 0 ? strides[2]![inner]! : 0;
    this.s3 = k > 3 && inner >= 0 ? strides[3]![inner]! : 0;
    this.#shape = dims.slice(0, Math.max(inner, 0));
    this.#strides = strides.map((s) => s.slice(0, Math.max(inner, 0)));
    this.#idx = new Array<number>(this.#shape.length).fill(0);
    for (let j = 0; j < 4; j++) this.#base[j] = j < k ? ops[j]!.offset : 0;
    this.#rows = total === 0 ? 0 : total / Math.max(this.n, 1);
    this.#row = 0;
    return this;
  }

  /** Moves to the next row; false when done. */
  next(): boolean {
    if (this.#row >= this.#rows) return false;
    if (this.#row > 0) {
      const idx = this.#idx;
      const shape = this.#shape;
      const st = this.#strides;
      const base = this.#base;
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d]! < shape[d]!) {
          for (let j = 0; j < st.length; j++) base[j]! += st[j]![d]!;
          break;
        }
        for (let j = 0; j < st.length; j++) base[j]! -= (shape[d]! - 1) * st[j]![d]!;
        idx[d] = 0;
      }
    }
    this.o0 = this.#base[0]!;
    this.o1 = this.#base[1]!;
    this.o2 = this.#base[2]!;
    this.o3 = this.#base[3]!;
    this.#row++;
    return true;
  }
}

/** A fresh row iterator over `shape` for the given operands. */
export function rows(
  shape: readonly number[],
  a: NDArray,
  b?: NDArray,
  c?: NDArray,
  d?: NDArray,
): RowIter {
  return new RowIter().reset(shape, a, b, c, d);
}
