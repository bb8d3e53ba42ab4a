/**
 * Indexing ops with PyTorch's checks and messages: `indexSelect`, `indexAdd`, `gather`,
 * `scatter`, `scatterAdd` (each out of place, the last three also in place with a trailing
 * `_`), `maskedFill` and `oneHot`. 0-d arrays act as 1-d arrays of one element.
 */
import { DTypeError, IndexError, RuntimeError, ShapeError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { normalizeDim, sameShape, shapeStr } from "../shape.js";
import { clone, copyInto, where } from "./elementwise.js";
import { asDType, kernels, release, scalarArray, TORCH_NAME } from "./prepare.js";

/** `a` itself, or a 1-element 1-d view of a 0-d `a`. */
function as1d(a: NDArray): NDArray {
  return a.ndim === 0 ? a.reshape([1]) : a;
}

/** Disposes the views `as1d` made. */
function drop1d(views: readonly NDArray[], origs: readonly NDArray[]): void {
  views.forEach((v, i) => {
    if (v !== origs[i]) v.dispose();
  });
}

/** Throws unless every value of `index` is in `[0, size)` (the first one out, in order). */
function checkRange(index: NDArray, size: number, message: (v: number) => string): void {
  if (!index.isContiguous()) {
    for (const v of index.toArray()) if (v < 0 || v >= size) throw new IndexError(message(v));
    return;
  }
  const data = index.typed();
  const end = index.offset + index.numel();
  for (let i = index.offset; i < end; i++) {
    const v = data[i]!;
    if (v < 0 || v >= size) throw new IndexError(message(v));
  }
}

function checkVectorIndex(name: string, index: NDArray): void {
  if (index.dtype !== "int64" && index.dtype !== "int32") {
    throw new DTypeError(
      name === "index_select"
        ? "index_select(): Expected dtype int32 or int64 for index"
        : `index_add_(): Expected dtype int32/int64 for index but got: ${TORCH_NAME[index.dtype]}`,
    );
  }
  if (index.ndim > 1) {
    throw new IndexError(
      name === "index_select"
        ? "index_select(): Index is supposed to be a vector"
        : `index_add_(): Index is supposed to be a vector, but got dim: ${index.ndim} with type: ${TORCH_NAME[index.dtype]} and size: ${shapeStr(index.shape)}`,
    );
  }
}

/**
 * The entries `index` (a vector of int64/int32) of `x` along `dim`.
 * @example indexSelect(x, 0, fromArray([2, 0], "int64")) // rows 2 and 0
 */
export function indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
  checkVectorIndex("index_select", index);
  const d = normalizeDim(dim, x.ndim);
  checkRange(index, x.shape[d] ?? 1, () => "index out of range in self");
  if (x.ndim === 0) return clone(x);
  const shape = x.shape.slice();
  shape[d] = index.numel();
  const out = NDArray.empty(shape, x.dtype);
  const src = asDType(x, x.dtype);
  const idx = asDType(index, index.dtype);
  const idx1 = as1d(idx);
  kernels().indexSelect(src, d, idx1, out);
  drop1d([idx1], [idx]);
  release(idx, index);
  release(src, x);
  return out;
}

/**
 * In place: `x.select(dim, index[i]) += alpha * src.select(dim, i)` (`index_add_`); repeated
 * indices accumulate.
 * @example indexAdd_(zeros([3]), 0, fromArray([0, 0], "int64"), ones([2])) // [2, 0, 0]
 */
export function indexAdd_(
  x: NDArray,
  dim: number,
  index: NDArray,
  src: NDArray,
  alpha = 1,
): NDArray {
  checkVectorIndex("index_add_", index);
  const d = normalizeDim(dim, x.ndim);
  const m = index.numel();
  const srcSize = src.ndim === 0 ? 1 : src.size(d);
  if (m !== srcSize) {
    throw new RuntimeError(
      `index_add_(): Number of indices (${m}) should be equal to source.size(dim): (${srcSize}), for dim: ${d}`,
    );
  }
  if (x.dtype !== src.dtype) {
    throw new DTypeError(
      `index_add_(): self (${TORCH_NAME[x.dtype]}) and source (${TORCH_NAME[src.dtype]}) must have the same scalar type`,
    );
  }
  const xs = x.shape.filter((_, i) => i !== d);
  const ss = src.shape.filter((_, i) => i !== d);
  if (!sameShape(xs, ss)) {
    const i = xs.findIndex((s, k) => s !== ss[k]);
    throw new ShapeError(
      xs.length === ss.length
        ? `The size of tensor a (${xs[i]}) must match the size of tensor b (${ss[i]}) at non-singleton dimension ${i}`
        : `index_add_(): Source/destination tensor must have same slice shapes. Destination slice shape: ${shapeStr(xs)} and source slice shape: ${shapeStr(ss)}`,
    );
  }
  checkRange(index, x.shape[d] ?? 1, () => "index out of range in self");
  const s = asDType(src, src.dtype);
  const idx = asDType(index, index.dtype);
  const views = [as1d(x), as1d(idx), as1d(s)] as const;
  kernels().indexAdd(views[0], d, views[1], views[2], alpha);
  drop1d(views, [x, idx, s]);
  release(idx, index);
  release(s, src);
  x.storage.bumpVersion();
  return x;
}

/**
 * Out of place `indexAdd_` (`torch.index_add`).
 * @example indexAdd(zeros([3]), 0, fromArray([2], "int64"), ones([1]), 5).toArray() // [0, 0, 5]
 */
export function indexAdd(
  x: NDArray,
  dim: number,
  index: NDArray,
  src: NDArray,
  alpha = 1,
): NDArray {
  return indexAdd_(clone(x), dim, index, src, alpha);
}

/** PyTorch's shape checks of `gather` and `scatter`; returns the normalized dim. */
function checkGatherScatter(
  name: "gather" | "scatter",
  x: NDArray,
  dim: number,
  index: NDArray,
  src?: NDArray,
): number {
  const d = normalizeDim(dim, x.ndim);
  if (index.dtype !== "int64") {
    throw new DTypeError(`${name}(): Expected dtype int64 for index`);
  }
  if (src && src.dtype !== x.dtype) {
    throw new DTypeError("scatter(): Expected self.dtype to be equal to src.dtype");
  }
  const rank = (a: NDArray) => Math.max(a.ndim, 1);
  const size = (a: NDArray, i: number) => a.shape[i] ?? 1;
  const who = name === "gather" ? "input" : "self";
  if (rank(index) !== rank(x)) {
    throw new RuntimeError(`Index tensor must have the same number of dimensions as ${who} tensor`);
  }
  if (src && rank(index) !== rank(src)) {
    throw new RuntimeError("Index tensor must have the same number of dimensions as src tensor");
  }
  for (let i = 0; i < rank(x); i++) {
    const tooBig =
      (i !== d && size(index, i) > size(x, i)) ||
      (src !== undefined && size(index, i) > size(src, i));
    if (!tooBig) continue;
    const is = shapeStr(index.shape);
    const xs = shapeStr(x.shape);
    throw new RuntimeError(
      name === "gather"
        ? `Size does not match at dimension ${i} expected index ${is} to be smaller than self ${xs} apart from dimension ${d}`
        : `Expected index ${is} to be smaller than self ${xs} apart from dimension ${d}${src ? ` and to be smaller size than src ${shapeStr(src.shape)}` : ""}`,
    );
  }
  const n = x.shape[d] ?? 1;
  checkRange(index, n, (v) => `index ${v} is out of bounds for dimension ${d} with size ${n}`);
  return d;
}

/**
 * `out[i][j] = x[i][index[i][j]]` for `dim = 1` (and so on); `out` has `index`'s shape.
 * @example gather(fromArray([[1, 2], [3, 4]]), 1, fromArray([[1], [0]], "int64")) // [[2], [3]]
 */
export function gather(x: NDArray, dim: number, index: NDArray): NDArray {
  const d = checkGatherScatter("gather", x, dim, index);
  const out = NDArray.empty(index.shape, x.dtype);
  const src = asDType(x, x.dtype);
  const idx = asDType(index, index.dtype);
  const views = [as1d(src), as1d(idx), as1d(out)] as const;
  kernels().gather(views[0], d, views[1], views[2]);
  drop1d(views, [src, idx, out]);
  release(idx, index);
  release(src, x);
  return out;
}

function scatterInPlace(
  x: NDArray,
  dim: number,
  index: NDArray,
  src: NDArray | number | boolean,
  reduce: "none" | "add",
): NDArray {
  const tensorSrc = src instanceof NDArray ? src : undefined;
  const d = checkGatherScatter("scatter", x, dim, index, tensorSrc);
  const idx = asDType(index, index.dtype);
  let s: NDArray;
  let scalar: NDArray | undefined;
  if (tensorSrc) s = asDType(tensorSrc, x.dtype);
  else {
    scalar = scalarArray(src as number | boolean, x.dtype);
    s = scalar.expand(index.shape);
  }
  const views = [as1d(x), as1d(idx), as1d(s)] as const;
  kernels().scatter(views[0], d, views[1], views[2], reduce);
  drop1d(views, [x, idx, s]);
  if (scalar) {
    s.dispose();
    scalar.dispose();
  } else release(s, tensorSrc!);
  release(idx, index);
  x.storage.bumpVersion();
  return x;
}

/**
 * In place: `x[i][index[i][j]] = src[i][j]` for `dim = 1` (`src` may be a number).
 * @example scatter_(zeros([2, 3]), 1, fromArray([[2], [0]], "int64"), 7) // [[0, 0, 7], [7, 0, 0]]
 */
export function scatter_(
  x: NDArray,
  dim: number,
  index: NDArray,
  src: NDArray | number | boolean,
): NDArray {
  return scatterInPlace(x, dim, index, src, "none");
}

/**
 * Out of place `scatter_` (`torch.scatter`).
 * @example scatter(zeros([3]), 0, fromArray([1], "int64"), 5).toArray() // [0, 5, 0]
 */
export function scatter(
  x: NDArray,
  dim: number,
  index: NDArray,
  src: NDArray | number | boolean,
): NDArray {
  return scatterInPlace(clone(x), dim, index, src, "none");
}

/**
 * In place: `x[i][index[i][j]] += src[i][j]` for `dim = 1`; repeated indices accumulate.
 * @example scatterAdd_(zeros([2]), 0, fromArray([1, 1], "int64"), ones([2])) // [0, 2]
 */
export function scatterAdd_(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
  return scatterInPlace(x, dim, index, src, "add");
}

/**
 * Out of place `scatterAdd_` (`torch.scatter_add`).
 * @example scatterAdd(zeros([2]), 0, fromArray([1, 1], "int64"), ones([2])).toArray() // [0, 2]
 */
export function scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
  return scatterInPlace(clone(x), dim, index, src, "add");
}

/**
 * `x` with `value` where `mask` (bool, broadcast with `x`) is set; `value` is a number or a 0-d
 * array and is converted to `x`'s dtype.
 * @example maskedFill(fromArray([1, 2]), fromArray([true, false]), 0).toArray() // [0, 2]
 */
export function maskedFill(x: NDArray, mask: NDArray, value: number | boolean | NDArray): NDArray {
  if (mask.dtype !== "bool" && mask.dtype !== "uint8") {
    throw new DTypeError(
      `masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`,
    );
  }
  if (value instanceof NDArray && value.ndim !== 0) {
    throw new ShapeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`,
    );
  }
  const v = value instanceof NDArray ? asDType(value, x.dtype) : scalarArray(value, x.dtype);
  const out = where(mask, v, x);
  if (v !== value) v.dispose();
  return out;
}

/**
 * In place `maskedFill` (`masked_fill_`): `mask` must broadcast to `x`'s shape.
 * @example maskedFill_(x, x.lt(0), 0) // x with negatives zeroed
 */
export function maskedFill_(x: NDArray, mask: NDArray, value: number | boolean | NDArray): NDArray {
  const m = mask.expand(x.shape);
  const filled = maskedFill(x, m, value);
  m.dispose();
  copyInto(x, filled);
  filled.dispose();
  return x;
}

/**
 * One-hot encoding of `int64` class indices: a new last dim of size `numClasses` (by default
 * the largest index plus one), `int64` values.
 * @example oneHot(fromArray([0, 2], "int64")).tolist() // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: NDArray, numClasses = -1): NDArray {
  if (indices.dtype !== "int64")
    throw new DTypeError("one_hot is only applicable to index tensor.");
  const vals = indices.toArray();
  if (vals.length === 0 && numClasses === -1) {
    throw new RuntimeError("Can not infer total number of classes from empty tensor.");
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of vals) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (vals.length > 0 && lo < 0) throw new RuntimeError("Class values must be non-negative.");
  const n = numClasses === -1 ? hi + 1 : numClasses;
  if (vals.length > 0 && hi >= n) {
    throw new RuntimeError("Class values must be smaller than num_classes.");
  }
  const out = NDArray.empty([...indices.shape, n], "int64");
  if (vals.length === 0) return out;
  const idx = asDType(indices, "int64");
  const col = idx.unsqueeze(-1);
  const one = scalarArray(1, "int64");
  const ones = one.expand(col.shape);
  kernels().scatter(out, out.ndim - 1, col, ones, "none");
  for (const a of [ones, one, col]) a.dispose();
  release(idx, indices);
  return out;
}
