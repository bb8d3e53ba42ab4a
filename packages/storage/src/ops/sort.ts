/**
 * Sorting ops: `sort`, `argsort`, `topk`. They return values and `int64` indices along a dim;
 * NaN sorts as the largest value and equal values keep their order.
 */
import { DTypeError, RuntimeError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { normalizeDim } from "../shape.js";
import { asDType, kernels, release } from "./prepare.js";

/** Runs a sort kernel on `x` (0-d as 1-d) with outputs of size `k` along `d`. */
function sortInto(
  x: NDArray,
  d: number,
  k: number,
  run: (src: NDArray, dim: number, values: NDArray, indices: NDArray) => void,
): [NDArray, NDArray] {
  const shape = x.shape.map((s, i) => (i === d ? k : s));
  const values = NDArray.empty(shape, x.dtype);
  const indices = NDArray.empty(shape, "int64");
  const src = asDType(x, x.dtype);
  if (x.ndim === 0) {
    const s1 = src.reshape([1]);
    const v1 = values.reshape([1]);
    const i1 = indices.reshape([1]);
    run(s1, 0, v1, i1);
    for (const a of [s1, v1, i1]) a.dispose();
  } else run(src, d, values, indices);
  release(src, x);
  return [values, indices];
}

/**
 * Sorts along `dim` (default the last), ascending unless `descending`; returns `[values,
 * indices]`. The sort is always stable (`stable` is accepted for PyTorch's signature).
 * @example sort(fromArray([3, 1, 2]))[1].toArray() // [1, 2, 0]
 */
export function sort(
  x: NDArray,
  dim = -1,
  descending = false,
  _stable = false,
): [NDArray, NDArray] {
  const d = normalizeDim(dim, x.ndim);
  return sortInto(x, d, x.shape[d] ?? 1, (s, dd, v, i) => kernels().sort(s, dd, descending, v, i));
}

/**
 * The indices that sort `x` along `dim` (`sort(…)[1]`).
 * @example argsort(fromArray([3, 1, 2]), -1, true).toArray() // [0, 2, 1]
 */
export function argsort(x: NDArray, dim = -1, descending = false, stable = false): NDArray {
  const [values, indices] = sort(x, dim, descending, stable);
  values.dispose();
  return indices;
}

/**
 * The `k` largest (or smallest, `largest = false`) elements along `dim` and their indices,
 * in sorted order (also when `sorted` is false, which PyTorch allows). Among equal values the
 * lower index comes first (PyTorch leaves the order of ties unspecified).
 * @example topk(fromArray([1, 5, 3]), 2)[0].toArray() // [5, 3]
 */
export function topk(
  x: NDArray,
  k: number,
  dim = -1,
  largest = true,
  _sorted = true,
): [NDArray, NDArray] {
  const d = normalizeDim(dim, x.ndim);
  if (x.dtype === "bool") throw new DTypeError(`"topk_cpu" not implemented for 'Bool'`);
  const size = x.shape[d] ?? 1;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RuntimeError("selected index k out of range");
  }
  // A 0-d array gives itself for k = 0 and k = 1, as in PyTorch.
  const kk = x.ndim === 0 ? 1 : k;
  return sortInto(x, d, kk, (s, dd, v, i) => kernels().topk(s, kk, dd, largest, v, i));
}
