/**
 * View ops on tensors: the result shares the input's storage (and so its version counter) and
 * records how to send the gradient back. `reshape`/`flatten` copy only when strides forbid a
 * view; `contiguous` copies only when needed; `clone` and `to` always copy.
 */
import {
  cast,
  contiguousStrides,
  type DType,
  flatShape,
  inferSize,
  type NDArray,
  normalizeDim,
  clone as rawClone,
  viewStrides,
} from "@x/storage";
import { record, record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

type Sizes = number[] | [readonly number[]];

/**
 * The same data with another shape (one size may be -1); throws when strides forbid a view.
 * @example view(arange(6), 2, 3)
 */
export function view(self: Tensor, ...shape: Sizes): Tensor {
  const size = flatShape(shape);
  return record1(
    "view",
    { self, size, inputShape: self.shape, unsafe: false },
    viewNd(self.data, size),
    self,
  );
}

// A 0-d array views as any one-element shape (storage's `view` rejects it).
function viewNd(d: NDArray, size: readonly number[]): NDArray {
  if (d.ndim !== 0) return d.view(size);
  const target = inferSize(size, 1);
  return d.asStrided(target, contiguousStrides(target), d.offset);
}

/**
 * `view` when possible, else a copy with the new shape.
 * @example reshape(arange(6), [-1, 2])
 */
export function reshape(self: Tensor, ...shape: Sizes): Tensor {
  const size = flatShape(shape);
  const d = self.data;
  const target = inferSize(size, d.numel());
  if (d.ndim === 0 || viewStrides(d.shape, d.strides, target) !== null) return view(self, target);
  const copy = clone(self);
  return record1(
    "view",
    { self: copy, size, inputShape: copy.shape, unsafe: true },
    viewNd(copy.data, target),
    copy,
  );
}

/** Reverses dims order: `permute(x, 1, 0)`. @example permute(rand(2, 3), [1, 0]).shape // [3, 2] */
export function permute(self: Tensor, ...dims: Sizes): Tensor {
  const d = flatShape(dims);
  return record1("permute", { self, dims: d }, self.data.permute(d), self);
}

/** Swaps two dims. @example transpose(rand(2, 3), 0, 1).shape // [3, 2] */
export function transpose(self: Tensor, dim0: number, dim1: number): Tensor {
  return record1("transpose", { self, dim0, dim1 }, self.data.transpose(dim0, dim1), self);
}

/** Matrix transpose (0-d and 1-d unchanged). @example t(rand(2, 3)).shape // [3, 2] */
export function t(self: Tensor): Tensor {
  return record1("t", { self }, self.data.t(), self);
}

/** Removes size-1 dims (all, or the given ones). @example squeeze(rand(1, 3)).shape // [3] */
export function squeeze(self: Tensor, dim?: number | readonly number[]): Tensor {
  return record1(
    "squeeze",
    { self, dim: dim ?? null, inputShape: self.shape },
    self.data.squeeze(dim),
    self,
  );
}

/** Inserts a size-1 dim. @example unsqueeze(rand(3), 0).shape // [1, 3] */
export function unsqueeze(self: Tensor, dim: number): Tensor {
  return record1("unsqueeze", { self, dim }, self.data.unsqueeze(dim), self);
}

/** Broadcasts size-1 dims (`-1` keeps a size) without copying. @example expand(rand(3, 1), 3, 4) */
export function expand(self: Tensor, ...sizes: Sizes): Tensor {
  const size = flatShape(sizes);
  return record1("expand", { self, size, inputShape: self.shape }, self.data.expand(size), self);
}

/** `expand` to `other`'s shape. */
export function expandAs(self: Tensor, other: Tensor): Tensor {
  return expand(self, other.shape);
}

/**
 * Python's `x[start:end:step]` along `dim` (negative indices from the end, bounds clamped).
 * @example slice(arange(10), 0, 2, 8, 2) // tensor([2, 4, 6])
 */
export function slice(
  self: Tensor,
  dim: number,
  start = 0,
  end = Number.MAX_SAFE_INTEGER,
  step = 1,
): Tensor {
  const d = normalizeDim(dim, self.ndim);
  const size = self.shape[d]!;
  const clampI = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampI(start);
  const e = Math.max(clampI(end), s);
  return record1(
    "slice",
    { self, dim: d, start: s, end: e, step, inputShape: self.shape },
    self.data.slice(d, s, e, step),
    self,
  );
}

/** `length` elements of `dim` from `start`. @example narrow(arange(5), 0, 1, 3) // tensor([1, 2, 3]) */
export function narrow(self: Tensor, dim: number, start: number, length: number): Tensor {
  const nd = self.data.narrow(dim, start, length);
  const d = normalizeDim(dim, self.ndim);
  const s = start < 0 ? start + self.shape[d]! : start;
  return record1(
    "slice",
    { self, dim: d, start: s, end: s + length, step: 1, inputShape: self.shape },
    nd,
    self,
  );
}

/** Index `index` of `dim`, removing it (`x[:, i]`). @example select(rand(2, 3), 1, 0).shape // [2] */
export function select(self: Tensor, dim: number, index: number): Tensor {
  const nd = self.data.select(dim, index);
  const d = normalizeDim(dim, self.ndim);
  const i = index < 0 ? index + self.shape[d]! : index;
  return record1("select", { self, dim: d, index: i, inputShape: self.shape }, nd, self);
}

/** The diagonal of two dims as the last dim. @example diagonal(eye(3)) // tensor([1., 1., 1.]) */
export function diagonal(self: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const nd = self.data.diagonal(offset, dim1, dim2);
  const a = normalizeDim(dim1, self.ndim);
  const b = normalizeDim(dim2, self.ndim);
  return record1("diagonal", { self, offset, dim1: a, dim2: b, inputShape: self.shape }, nd, self);
}

/** Merges dims `startDim … endDim`. @example flatten(rand(2, 3, 4), 1).shape // [2, 12] */
export function flatten(self: Tensor, startDim = 0, endDim = -1): Tensor {
  if (self.ndim === 0) return reshape(self, [1]);
  const s = normalizeDim(startDim, self.ndim);
  const e = normalizeDim(endDim, self.ndim);
  if (s > e)
    throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return self;
  const sh = self.shape;
  let m = 1;
  for (let i = s; i <= e; i++) m *= sh[i]!;
  return reshape(self, [...sh.slice(0, s), m, ...sh.slice(e + 1)]);
}

/** Splits `dim` into `sizes`. @example unflatten(rand(2, 6), 1, [2, 3]).shape // [2, 2, 3] */
export function unflatten(self: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, self.ndim);
  const inner = inferSize(sizes, self.shape[d]!);
  return view(self, [...self.shape.slice(0, d), ...inner, ...self.shape.slice(d + 1)]);
}

/**
 * Splits into pieces of `splitSize` (or of the listed sizes) along `dim`: views.
 * @example split(arange(5), 2).map((p) => p.shape) // [[2], [2], [1]]
 */
export function split(self: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, self.ndim);
  const n = self.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (splitSize <= 0 && n > 0)
      throw new RangeError(
        `split expects split_size be non-negative, but got split_size=${splitSize}`,
      );
    sizes = [];
    for (let s = 0; s < n || (n === 0 && sizes.length === 0); s += Math.max(splitSize, 1)) {
      sizes.push(Math.min(splitSize, n - s));
      if (n === 0) break;
    }
  } else {
    sizes = splitSize.slice();
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(", ")}]`,
      );
    }
  }
  const outs = [];
  let start = 0;
  for (const s of sizes) {
    outs.push(self.data.narrow(d, start, s));
    start += s;
  }
  return record("split", { self, splitSizes: sizes, dim: d }, outs, self);
}

/**
 * `chunks` pieces of equal size (the last may be smaller) along `dim`.
 * @example chunk(arange(6), 3).length // 3
 */
export function chunk(self: Tensor, chunks: number, dim = 0): Tensor[] {
  if (chunks <= 0)
    throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const n = self.shape[normalizeDim(dim, self.ndim)]!;
  return split(self, Math.max(Math.ceil(n / chunks), n === 0 ? 0 : 1), dim);
}

/** The slices along `dim`, as a list. @example unbind(rand(3, 2)).length // 3 */
export function unbind(self: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, self.ndim);
  const outs = [];
  for (let i = 0; i < self.shape[d]!; i++) outs.push(self.data.select(d, i));
  return record("unbind", { self, dim: d }, outs, self);
}

/** A copy (recorded: the gradient flows through). @example clone(t) */
export function clone(self: Tensor): Tensor {
  return record1("clone", { self }, rawClone(self.data));
}

/** `self` when contiguous, else a contiguous copy. */
export function contiguous(self: Tensor): Tensor {
  return self.data.isContiguous() ? self : clone(self);
}

/** A copy converted to `dtype` (`self` itself when it already has it). @example to(t, "float64") */
export function to(self: Tensor, dtype: DType, opts: { copy?: boolean } = {}): Tensor {
  if (dtype === self.dtype && !opts.copy) return self;
  return record1("toCopy", { self, dtype }, cast(self.data, dtype));
}
