/**
 * Creating tensors: from JS data (`tensor`), filled (`zeros`, `ones`, `full`, `empty`), ranges
 * (`arange`, `linspace`), `eye`, random (`rand`, `randn`, `randint`, `randperm`) and the
 * `*Like` variants. Sizes are accepted as `(2, 4)` or `([2, 4])`, options last.
 */
import {
  type ArrayData,
  type DType,
  fromArray,
  type Generator,
  NDArray,
  arange as rawArange,
  clone as rawClone,
  eye as rawEye,
  full as rawFull,
  linspace as rawLinspace,
  rand as rawRand,
  randint as rawRandint,
  randn as rawRandn,
  randperm as rawRandperm,
} from "@x/storage";
import { Tensor } from "../tensor.js";
import { OWN } from "../tensorBase.js";

/** Options of the creation functions. */
export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  generator?: Generator;
}

type SizeArgs<O> = (number | readonly number[] | O | undefined)[];

function parseSize<O extends object>(args: SizeArgs<O>): [number[], O] {
  let opts = {} as O;
  const rest = args.slice();
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === "object" && !Array.isArray(last)) {
    opts = last as O;
    rest.pop();
  }
  while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
  if (rest.length === 1 && Array.isArray(rest[0])) return [(rest[0] as number[]).slice(), opts];
  for (const s of rest) {
    if (typeof s !== "number")
      throw new TypeError("sizes must be numbers, or one array of numbers");
  }
  return [rest as number[], opts];
}

function make(nd: NDArray, opts: CreationOptions): Tensor {
  return new Tensor(nd, { requiresGrad: opts.requiresGrad ?? false }, OWN);
}

/**
 * A tensor from nested arrays, a typed array, a number, an `NDArray` or a tensor (copied).
 * JS numbers default to `float32`; booleans to `bool`; typed arrays keep their type.
 *
 * @example
 * tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * tensor([1, 2], { dtype: "int64" });
 */
export function tensor(data: ArrayData | NDArray | Tensor, opts: CreationOptions = {}): Tensor {
  let nd: NDArray;
  if (data instanceof Tensor) data = data.data;
  if (data instanceof NDArray) {
    nd = opts.dtype && opts.dtype !== data.dtype ? castCopy(data, opts.dtype) : rawClone(data);
  } else nd = fromArray(data, opts.dtype);
  return make(nd, opts);
}

function castCopy(d: NDArray, dtype: DType): NDArray {
  const out = NDArray.empty(d.shape, dtype);
  d.storage.backend.kernels.copy(d, out);
  return out;
}

/** Wraps an `NDArray` without copying (the tensor shares its storage). */
export function fromNDArray(data: NDArray, opts: { requiresGrad?: boolean } = {}): Tensor {
  return new Tensor(data, opts);
}

/** @example zeros(2, 3); zeros([2, 3], { dtype: "float64" }) */
export function zeros(...args: SizeArgs<CreationOptions>): Tensor {
  const [shape, opts] = parseSize(args);
  return make(NDArray.empty(shape, opts.dtype), opts);
}

/** @example ones(2, 3) */
export function ones(...args: SizeArgs<CreationOptions>): Tensor {
  const [shape, opts] = parseSize(args);
  return make(rawFull(shape, 1, opts.dtype), opts);
}

/** Uninitialized in PyTorch; zero-filled here. @example empty(2, 3) */
export function empty(...args: SizeArgs<CreationOptions>): Tensor {
  return zeros(...args);
}

/** Every element `fillValue`. @example full([2, 2], 7) */
export function full(
  size: readonly number[],
  fillValue: number | boolean,
  opts: CreationOptions = {},
): Tensor {
  return make(rawFull(size, fillValue, opts.dtype), opts);
}

/**
 * `[start, end)` by `step`; integer arguments give `int64` (as PyTorch).
 * @example arange(5); arange(1, 2, 0.25)
 */
export function arange(
  start: number,
  end?: number | CreationOptions,
  step?: number | CreationOptions,
  opts: CreationOptions = {},
): Tensor {
  if (typeof end === "object") return make(rawArange(start, undefined, 1, end.dtype), end);
  if (typeof step === "object") return make(rawArange(start, end, 1, step.dtype), step);
  return make(rawArange(start, end, step ?? 1, opts.dtype), opts);
}

/** `steps` evenly spaced values from `start` to `end`. @example linspace(0, 1, 5) */
export function linspace(
  start: number,
  end: number,
  steps: number,
  opts: CreationOptions = {},
): Tensor {
  return make(rawLinspace(start, end, steps, opts.dtype), opts);
}

/** The identity matrix. @example eye(3); eye(2, 3) */
export function eye(n: number, m?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (typeof m === "object") return make(rawEye(n, n, m.dtype), m);
  return make(rawEye(n, m ?? n, opts.dtype), opts);
}

/** Uniform on `[0, 1)`, drawn as PyTorch's CPU generator draws. @example manualSeed(0); rand(2, 3) */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSize(args);
  return make(rawRand(shape, opts.dtype, opts.generator), opts);
}

/** Standard normal, as PyTorch draws. @example randn(4) */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSize(args);
  return make(rawRandn(shape, opts.dtype, opts.generator), opts);
}

/**
 * Integers uniform in `[low, high)` (`int64`): `randint(high, size)` or `randint(low, high, size)`.
 * @example randint(0, 10, [8])
 */
export function randint(
  a: number,
  b: number | readonly number[],
  c?: readonly number[] | RandomOptions,
  d: RandomOptions = {},
): Tensor {
  if (Array.isArray(b)) {
    const opts = (c as RandomOptions | undefined) ?? {};
    return make(rawRandint(0, a, b as number[], opts.dtype, opts.generator), opts);
  }
  return make(rawRandint(a, b as number, c as number[], d.dtype, d.generator), d);
}

/** A random permutation of `0 … n-1` (`int64`). @example randperm(10) */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  return make(rawRandperm(n, opts.dtype, opts.generator), opts);
}

function likeOpts(t: Tensor, opts: CreationOptions): CreationOptions {
  return { dtype: opts.dtype ?? t.dtype, requiresGrad: opts.requiresGrad ?? false };
}

/** Zeros of `t`'s shape and dtype. @example zerosLike(t) */
export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return zeros(t.shape, likeOpts(t, opts));
}

/** Ones of `t`'s shape and dtype. */
export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return ones(t.shape, likeOpts(t, opts));
}

/** `empty` of `t`'s shape and dtype. */
export function emptyLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return zeros(t.shape, likeOpts(t, opts));
}

/** `fillValue` in `t`'s shape and dtype. */
export function fullLike(
  t: Tensor,
  fillValue: number | boolean,
  opts: CreationOptions = {},
): Tensor {
  return full(t.shape, fillValue, likeOpts(t, opts));
}

/** `rand` of `t`'s shape and dtype. */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, { ...likeOpts(t, opts), generator: opts.generator });
}

/** `randn` of `t`'s shape and dtype. */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, { ...likeOpts(t, opts), generator: opts.generator });
}

/** `randint(low, high)` in `t`'s shape. */
export function randintLike(
  t: Tensor,
  low: number,
  high?: number,
  opts: RandomOptions = {},
): Tensor {
  const [lo, hi] = high === undefined ? [0, low] : [low, high];
  return randint(lo, hi, t.shape, { ...likeOpts(t, opts), generator: opts.generator });
}
