/**
 * Shape arithmetic shared by every op: broadcasting, dimension wrapping, strides, and the
 * stride computation that decides whether `view` can alias or `reshape` must copy.
 */
import { IndexError, ShapeError, ValueError } from "./errors.js";

export type Shape = readonly number[];

/** Product of sizes. */
export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return s;
}

/** Wraps a possibly negative dim into `[0, ndim)`, with PyTorch's error otherwise. */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new IndexError(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalizes a list of dims, rejecting repeats as PyTorch does. */
export function normalizeDims(dims: readonly number[], ndim: number): number[] {
  const out = new Array<number>(dims.length);
  for (let i = 0; i < dims.length; i++) out[i] = normalizeDim(dims[i]!, ndim);
  for (let i = 1; i < out.length; i++) {
    for (let j = 0; j < i; j++) {
      if (out[j] === out[i]) {
        throw new ValueError(`dim ${out[i]} appears multiple times in the list of dims`);
      }
    }
  }
  return out;
}

/** The broadcast shape of two shapes, with PyTorch's message when they do not fit. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const ai = i - (n - a.length);
    const bi = i - (n - b.length);
    const x = ai >= 0 ? a[ai]! : 1;
    const y = bi >= 0 ? b[bi]! : 1;
    if (x === y || y === 1) out[i] = x;
    else if (x === 1) out[i] = y;
    else {
      throw new ShapeError(
        `The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

/** True when both shapes are the same. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats a shape as PyTorch does in messages: `[2, 3]`. */
export function shapeStr(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Resolves a `-1` in a requested shape and checks the element count (PyTorch's messages).
 */
export function inferSize(requested: Shape, n: number): number[] {
  let infer = -1;
  let prod = 1;
  const out = requested.slice();
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (s === -1) {
      if (infer >= 0) throw new ValueError("only one dimension can be inferred");
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`invalid shape dimension ${s}`);
    } else prod *= s;
  }
  if (infer >= 0) {
    if (prod === 0 || n % prod !== 0) {
      throw new ShapeError(`shape '${shapeStr(requested)}' is invalid for input of size ${n}`);
    }
    out[infer] = n / prod;
  } else if (prod !== n) {
    throw new ShapeError(`shape '${shapeStr(requested)}' is invalid for input of size ${n}`);
  }
  return out;
}

/**
 * Strides that let `newShape` alias memory laid out as (`shape`, `strides`), or null when a
 * copy is needed (PyTorch's `computeStride`).
 */
export function viewStrides(shape: Shape, strides: Shape, newShape: Shape): number[] | null {
  const newStrides = new Array<number>(newShape.length).fill(0);
  // Empty and 0-d arrays (one element, no dims) can take any shape of the same size.
  if (numel(shape) === 0 || shape.length === 0) return contiguousStrides(newShape);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
