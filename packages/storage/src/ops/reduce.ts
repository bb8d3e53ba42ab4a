/**
 * Reductions over NDArrays with PyTorch's semantics: `sum`, `mean`, `prod`, `amax`, `amin`,
 * `all`, `any`, `nansum`, `variance`/`std`, `norm`, `logsumexp`. `dim` may be a number, a list
 * (an empty list, `null` or omitted means every dim), negative dims count from the end;
 * `keepdim` keeps reduced dims with size 1. Integer and bool inputs sum to `int64`.
 */
import { type DType, getDefaultDType, isFloatingPoint, isIntegral } from "../dtype.js";
import { DTypeError, IndexError, RuntimeError, ValueError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { normalizeDims } from "../shape.js";
import { asDType, kernels, release, TORCH_NAME } from "./prepare.js";

/** A dim, a list of dims, or `null`/`undefined` for all of them. */
export type Dims = number | readonly number[] | null | undefined;

/** The normalized dims a reduction runs over (all of them when `dim` is empty or absent). */
function reducedDims(x: NDArray, dim: Dims): number[] {
  const all = x.shape.map((_, d) => d);
  if (dim === undefined || dim === null) return all;
  const list = typeof dim === "number" ? [dim] : dim;
  if (list.length === 0) return all;
  // A 0-d array accepts dim 0 / -1 and has nothing to reduce.
  return normalizeDims(list, x.ndim).filter((d) => d < x.ndim);
}

/** Moves the storage reference of a fresh contiguous `out` into an array of `shape`. */
function reshapeOwned(out: NDArray, shape: readonly number[]): NDArray {
  return new NDArray(out.storage, out.dtype, shape.slice());
}

/**
 * Runs a keepdim-layout reduction kernel: casts `x` to `srcDType`, allocates the output of
 * `outDType`, drops the reduced dims unless `keepdim`.
 */
function runReduce(
  x: NDArray,
  red: readonly number[],
  keepdim: boolean,
  outDType: DType,
  srcDType: DType,
  kernel: (src: NDArray, out: NDArray) => void,
): NDArray {
  const keepShape = x.shape.map((s, d) => (red.includes(d) ? 1 : s));
  const src = asDType(x, srcDType);
  // with no element to reduce, the kernel may leave the output to its zero initial value
  const out =
    x.numel() > 0 ? NDArray.uninit(keepShape, outDType) : NDArray.empty(keepShape, outDType);
  kernel(src, out);
  release(src, x);
  if (keepdim) return out;
  return reshapeOwned(
    out,
    x.shape.filter((_, d) => !red.includes(d)),
  );
}

/** PyTorch's checks for `amax`/`max`-style reductions, which have no identity. */
function checkNonEmpty(name: string, x: NDArray, dim: Dims, red: readonly number[]): void {
  if (x.numel() !== 0) return;
  const none = dim === undefined || dim === null || (typeof dim !== "number" && dim.length === 0);
  if (none) {
    throw new RuntimeError(
      `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
    );
  }
  for (const d of red) {
    if (x.shape[d] === 0) {
      throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
    }
  }
}

function sumLike(
  op: "sum" | "prod" | "nansum",
  x: NDArray,
  dim: Dims,
  keepdim: boolean,
  dtype?: DType,
): NDArray {
  const out = dtype ?? (isIntegral(x.dtype, true) ? "int64" : x.dtype);
  return runReduce(x, reducedDims(x, dim), keepdim, out, out, (s, o) => kernels().reduce[op](s, o));
}

/**
 * Sum over `dim` (all dims when omitted). Integer and bool inputs give `int64`; `dtype` casts
 * the input first.
 * @example sum(fromArray([[1, 2], [3, 4]]), 1).toArray() // [3, 7]
 */
export function sum(x: NDArray, dim?: Dims, keepdim = false, dtype?: DType): NDArray {
  return sumLike("sum", x, dim, keepdim, dtype);
}

/**
 * Sum treating NaN as zero.
 * @example nansum(fromArray([1, NaN, 2])).item() // 3
 */
export function nansum(x: NDArray, dim?: Dims, keepdim = false, dtype?: DType): NDArray {
  return sumLike("nansum", x, dim, keepdim, dtype);
}

/**
 * Product over one `dim` (all elements when omitted); integers and bool give `int64`.
 * @example prod(fromArray([[1, 2], [3, 4]]), 0).toArray() // [3, 8]
 */
export function prod(x: NDArray, dim?: number | null, keepdim = false, dtype?: DType): NDArray {
  return sumLike("prod", x, dim, keepdim, dtype);
}

/**
 * Mean over `dim`; the input (or `dtype`) must be floating point.
 * @example mean(fromArray([[1, 2], [3, 4]]), 0).toArray() // [2, 3]
 */
export function mean(x: NDArray, dim?: Dims, keepdim = false, dtype?: DType): NDArray {
  const out = dtype ?? x.dtype;
  if (!isFloatingPoint(out)) {
    const which = dtype === undefined ? "Input dtype" : "Optional dtype";
    throw new DTypeError(
      `mean(): could not infer output dtype. ${which} must be either a floating point or complex dtype. Got: ${TORCH_NAME[out]}`,
    );
  }
  return runReduce(x, reducedDims(x, dim), keepdim, out, out, (s, o) =>
    kernels().reduce.mean(s, o),
  );
}

function extreme(name: "amax" | "amin" | "max" | "min", x: NDArray, dim: Dims, keepdim: boolean) {
  const red = reducedDims(x, dim);
  checkNonEmpty(name, x, dim, red);
  const op = name === "amax" || name === "max" ? "amax" : "amin";
  return runReduce(x, red, keepdim, x.dtype, x.dtype, (s, o) => kernels().reduce[op](s, o));
}

/**
 * Maximum over `dim` (all dims when omitted or `[]`); NaN propagates.
 * @example amax(fromArray([[1, 5], [3, 4]]), 0).toArray() // [3, 5]
 */
export function amax(x: NDArray, dim: Dims = [], keepdim = false): NDArray {
  return extreme("amax", x, dim, keepdim);
}

/**
 * Minimum over `dim` (all dims when omitted or `[]`); NaN propagates.
 * @example amin(fromArray([[1, 5], [3, 4]]), 1).toArray() // [1, 3]
 */
export function amin(x: NDArray, dim: Dims = [], keepdim = false): NDArray {
  return extreme("amin", x, dim, keepdim);
}

/**
 * The maximum of all elements as a 0-d array (`torch.max(x)`); see `maxDim` for values and
 * indices along a dim.
 * @example max(fromArray([1, 7, 3])).item() // 7
 */
export function max(x: NDArray): NDArray {
  return extreme("max", x, undefined, false);
}

/**
 * The minimum of all elements as a 0-d array (`torch.min(x)`).
 * @example min(fromArray([1, 7, 3])).item() // 1
 */
export function min(x: NDArray): NDArray {
  return extreme("min", x, undefined, false);
}

function logical(op: "all" | "any", x: NDArray, dim: Dims, keepdim: boolean): NDArray {
  const out = x.dtype === "uint8" ? "uint8" : "bool";
  return runReduce(x, reducedDims(x, dim), keepdim, out, x.dtype, (s, o) =>
    kernels().reduce[op](s, o),
  );
}

/**
 * True when every element is non-zero (`bool`; `uint8` for `uint8` input).
 * @example all(fromArray([true, false])).item() // 0
 */
export function all(x: NDArray, dim?: Dims, keepdim = false): NDArray {
  return logical("all", x, dim, keepdim);
}

/**
 * True when some element is non-zero.
 * @example any(fromArray([true, false])).item() // 1
 */
export function any(x: NDArray, dim?: Dims, keepdim = false): NDArray {
  return logical("any", x, dim, keepdim);
}

function checkFloatVar(x: NDArray): void {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError("std and var only support floating point and complex dtypes");
  }
}

/**
 * Variance over `dim` with `correction` (1: Bessel's, PyTorch's `unbiased=True`; 0: biased).
 * Named `variance` because `var` is a keyword.
 * @example variance(fromArray([1, 2, 3, 4])).item() // 1.6666…
 */
export function variance(x: NDArray, dim?: Dims, correction = 1, keepdim = false): NDArray {
  checkFloatVar(x);
  return runReduce(x, reducedDims(x, dim), keepdim, x.dtype, x.dtype, (s, o) =>
    kernels().variance(s, correction, false, o),
  );
}

/**
 * Standard deviation over `dim` with `correction` (see `variance`).
 * @example std(fromArray([1, 2, 3, 4]), undefined, 0).item() // 1.1180…
 */
export function std(x: NDArray, dim?: Dims, correction = 1, keepdim = false): NDArray {
  checkFloatVar(x);
  return runReduce(x, reducedDims(x, dim), keepdim, x.dtype, x.dtype, (s, o) =>
    kernels().variance(s, correction, true, o),
  );
}

/**
 * The `p`-norm over `dim` (all elements when omitted): `p` a number (`Infinity`, `-Infinity`
 * and 0 included) or `"fro"` (2). The nuclear norm is not supported.
 * @example norm(fromArray([3, 4])).item() // 5
 */
export function norm(
  x: NDArray,
  p: number | "fro" | "nuc" = "fro",
  dim?: Dims,
  keepdim = false,
): NDArray {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(
      `norm(): input dtype should be either floating point or complex. Got ${TORCH_NAME[x.dtype]} instead.`,
    );
  }
  if (p === "nuc") throw new ValueError("norm(): the nuclear norm ('nuc') is not supported");
  const pv = p === "fro" ? 2 : p;
  if (typeof pv !== "number" || Number.isNaN(pv)) {
    throw new ValueError(`norm(): unsupported p ${String(p)}`);
  }
  return runReduce(x, reducedDims(x, dim), keepdim, x.dtype, x.dtype, (s, o) =>
    kernels().norm(s, pv, o),
  );
}

/**
 * `log(sum(exp(x)))` over `dim`, computed stably; integer inputs give the default float dtype.
 * @example logsumexp(fromArray([0, 0]), 0).item() // 0.6931…
 */
export function logsumexp(x: NDArray, dim: Dims, keepdim = false): NDArray {
  const out = isFloatingPoint(x.dtype) ? x.dtype : getDefaultDType();
  return runReduce(x, reducedDims(x, dim), keepdim, out, out, (s, o) => kernels().logsumexp(s, o));
}

function argReduceOp(
  name: "max" | "min" | "argmax" | "argmin",
  x: NDArray,
  dim: number,
  keepdim: boolean,
  withValues: boolean,
): [NDArray | null, NDArray] {
  const largest = name === "max" || name === "argmax";
  if (x.ndim === 0) {
    // A 0-d array is its own max; dim must be 0 or -1.
    reducedDims(x, dim);
    const flat = x.reshape([1]);
    const [v, i] = argReduceOp(name, flat, 0, false, withValues);
    flat.dispose();
    return [v, i];
  }
  const [d] = reducedDims(x, dim) as [number];
  if (x.shape[d] === 0) {
    throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  }
  const keepShape = x.shape.map((s, k) => (k === d ? 1 : s));
  const src = asDType(x, x.dtype);
  let values = withValues ? NDArray.empty(keepShape, x.dtype) : null;
  let indices = NDArray.empty(keepShape, "int64");
  kernels().argReduce(src, d, largest, values, indices);
  release(src, x);
  if (!keepdim) {
    const shape = x.shape.filter((_, k) => k !== d);
    values = values && reshapeOwned(values, shape);
    indices = reshapeOwned(indices, shape);
  }
  return [values, indices];
}

/**
 * The maximum along `dim` and the index of its first occurrence (`torch.max(x, dim)`); NaN
 * counts as the maximum.
 * @example maxDim(fromArray([[1, 5], [7, 2]]), 1) // [values [5, 7], indices [1, 0]]
 */
export function maxDim(x: NDArray, dim: number, keepdim = false): [NDArray, NDArray] {
  const [v, i] = argReduceOp("max", x, dim, keepdim, true);
  return [v!, i];
}

/**
 * The minimum along `dim` and the index of its first occurrence (`torch.min(x, dim)`).
 * @example minDim(fromArray([[1, 5], [7, 2]]), 1) // [values [1, 2], indices [0, 1]]
 */
export function minDim(x: NDArray, dim: number, keepdim = false): [NDArray, NDArray] {
  const [v, i] = argReduceOp("min", x, dim, keepdim, true);
  return [v!, i];
}

function argExtreme(
  name: "argmax" | "argmin",
  x: NDArray,
  dim: number | null | undefined,
  keepdim: boolean,
): NDArray {
  if (x.dtype === "bool") throw new DTypeError(`"${name}_cpu" not implemented for 'Bool'`);
  if (dim !== undefined && dim !== null) return argReduceOp(name, x, dim, keepdim, false)[1];
  if (x.numel() === 0) {
    throw new IndexError(
      `${name}(): Expected reduction dim to be specified for input.numel() == 0.`,
    );
  }
  const flat = x.reshape([-1]);
  const [, idx] = argReduceOp(name, flat, 0, true, false);
  flat.dispose();
  return reshapeOwned(idx, keepdim ? x.shape.map(() => 1) : []);
}

/**
 * Index of the first maximum along `dim`, or in the flattened array when `dim` is omitted.
 * @example argmax(fromArray([1, 9, 9])).item() // 1
 */
export function argmax(x: NDArray, dim?: number | null, keepdim = false): NDArray {
  return argExtreme("argmax", x, dim, keepdim);
}

/**
 * Index of the first minimum along `dim`, or in the flattened array when `dim` is omitted.
 * @example argmin(fromArray([[4, 0], [0, 1]]), 1).toArray() // [1, 0]
 */
export function argmin(x: NDArray, dim?: number | null, keepdim = false): NDArray {
  return argExtreme("argmin", x, dim, keepdim);
}
