/**
 * Reductions (`sum`, `mean`, `prod`, `max`, `var`, `norm`, `logsumexp`…), scans (`cumsum`,
 * `cumprod`), `softmax`/`logSoftmax`, `sort`/`topk` and the non-differentiable `argmax`,
 * `all`, `any`. `dim` is a number or a list (omitted: every dim); options last.
 */

import type { DType } from "@x/storage";
import * as S from "@x/storage";
import { record, record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";
import { plain } from "./operands.js";
import { to } from "./shape.js";

/** A dim, a list of dims, or null/undefined for every dim. */
export type Dims = number | readonly number[] | null | undefined;

/** Options of reductions. */
export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}

/** `values` and `indices`, as PyTorch's named tuple (also an array `[values, indices]`). */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

function pair(v: Tensor, i: Tensor): ValuesIndices {
  return Object.assign([v, i] as [Tensor, Tensor], { values: v, indices: i });
}

function dimList(x: Tensor, dim: Dims): number[] | null {
  if (dim === undefined || dim === null) return null;
  const list = typeof dim === "number" ? [dim] : dim.slice();
  if (list.length === 0) return null;
  return list.map((d) => S.normalizeDim(d, x.ndim)).filter((d) => d < Math.max(x.ndim, 1));
}

function split<O>(dim: Dims | O, opts: O | undefined): [Dims, O] {
  if (dim !== null && typeof dim === "object" && !Array.isArray(dim)) return [undefined, dim as O];
  return [dim as Dims, (opts ?? {}) as O];
}

/**
 * Sum over `dim` (all dims when omitted).
 * @example sum(tensor([[1, 2], [3, 4]]), 1) // tensor([3., 7.])
 */
export function sum(self: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  const [d, o] = split(dim, opts);
  const x = o.dtype ? to(self, o.dtype) : self;
  const dims = dimList(x, d);
  const keepdim = o.keepdim ?? false;
  return record1(
    "sum",
    { self: x, dim: dims, keepdim, inputShape: x.shape },
    S.sum(x.data, dims, keepdim),
  );
}

/** Sum treating NaN as zero. @example nansum(tensor([1, NaN])) // tensor(1.) */
export function nansum(self: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  const [d, o] = split(dim, opts);
  const x = o.dtype ? to(self, o.dtype) : self;
  const dims = dimList(x, d);
  const keepdim = o.keepdim ?? false;
  return record1(
    "nansum",
    { self: x, dim: dims, keepdim, inputShape: x.shape },
    S.nansum(x.data, dims, keepdim),
  );
}

/** Mean over `dim`. @example mean(tensor([1, 2, 3])) // tensor(2.) */
export function mean(self: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
  const [d, o] = split(dim, opts);
  const x = o.dtype ? to(self, o.dtype) : self;
  const dims = dimList(x, d);
  const keepdim = o.keepdim ?? false;
  return record1(
    "mean",
    { self: x, dim: dims, keepdim, inputShape: x.shape },
    S.mean(x.data, dims, keepdim),
  );
}

/** Product over one `dim` (all elements when omitted). @example prod(tensor([2, 3])) // tensor(6.) */
export function prod(
  self: Tensor,
  dim?: number | null | ReduceOptions,
  opts?: ReduceOptions,
): Tensor {
  const [d, o] = split(dim, opts);
  const x = o.dtype ? to(self, o.dtype) : self;
  const dd = d === undefined || d === null ? null : S.normalizeDim(d as number, x.ndim);
  const keepdim = o.keepdim ?? false;
  return record1("prod", { self: x, dim: dd, keepdim }, S.prod(x.data, dd, keepdim));
}

/** Maximum over `dim` (every dim when omitted). @example amax(tensor([[1, 5], [3, 4]]), 0) */
export function amax(self: Tensor, dim: Dims = [], opts: { keepdim?: boolean } = {}): Tensor {
  const dims = dimList(self, dim);
  const keepdim = opts.keepdim ?? false;
  return record1("amax", { self, dim: dims, keepdim }, S.amax(self.data, dims ?? [], keepdim));
}

/** Minimum over `dim` (every dim when omitted). */
export function amin(self: Tensor, dim: Dims = [], opts: { keepdim?: boolean } = {}): Tensor {
  const dims = dimList(self, dim);
  const keepdim = opts.keepdim ?? false;
  return record1("amin", { self, dim: dims, keepdim }, S.amin(self.data, dims ?? [], keepdim));
}

/**
 * `max(x)`: the largest element; `max(x, dim)`: `[values, indices]` along `dim`;
 * `max(x, other)`: elementwise `maximum`.
 * @example max(tensor([[1, 5], [7, 2]]), 1).indices // tensor([1, 0])
 */
export function max(self: Tensor): Tensor;
export function max(self: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function max(self: Tensor, other: Tensor): Tensor;
export function max(
  self: Tensor,
  dim?: number | Tensor,
  opts: { keepdim?: boolean } = {},
): Tensor | ValuesIndices {
  if (dim === undefined) return record1("maxAll", { self }, S.max(self.data));
  if (typeof dim === "object") return self.maximum(dim);
  const keepdim = opts.keepdim ?? false;
  const d = S.normalizeDim(dim, self.ndim);
  const [v, i] = S.maxDim(self.data, d, keepdim);
  const [tv, ti] = record("maxDim", { self, dim: d, keepdim, inputShape: self.shape }, [v, i]);
  return pair(tv!, ti!);
}

/** `min(x)`, `min(x, dim)` (`[values, indices]`) or `min(x, other)`, as `max`. */
export function min(self: Tensor): Tensor;
export function min(self: Tensor, dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
export function min(self: Tensor, other: Tensor): Tensor;
export function min(
  self: Tensor,
  dim?: number | Tensor,
  opts: { keepdim?: boolean } = {},
): Tensor | ValuesIndices {
  if (dim === undefined) return record1("minAll", { self }, S.min(self.data));
  if (typeof dim === "object") return self.minimum(dim);
  const keepdim = opts.keepdim ?? false;
  const d = S.normalizeDim(dim, self.ndim);
  const [v, i] = S.minDim(self.data, d, keepdim);
  const [tv, ti] = record("minDim", { self, dim: d, keepdim, inputShape: self.shape }, [v, i]);
  return pair(tv!, ti!);
}

/** Index of the first maximum (flattened when `dim` is omitted). @example argmax(tensor([1, 9])) // tensor(1) */
export function argmax(
  self: Tensor,
  dim?: number | null,
  opts: { keepdim?: boolean } = {},
): Tensor {
  return plain(S.argmax(self.data, dim, opts.keepdim ?? false));
}

/** Index of the first minimum. */
export function argmin(
  self: Tensor,
  dim?: number | null,
  opts: { keepdim?: boolean } = {},
): Tensor {
  return plain(S.argmin(self.data, dim, opts.keepdim ?? false));
}

/** Whether every element is non-zero (bool). */
export function all(self: Tensor, dim?: Dims, opts: { keepdim?: boolean } = {}): Tensor {
  return plain(S.all(self.data, dim, opts.keepdim ?? false));
}

/** Whether some element is non-zero (bool). */
export function any(self: Tensor, dim?: Dims, opts: { keepdim?: boolean } = {}): Tensor {
  return plain(S.any(self.data, dim, opts.keepdim ?? false));
}

/** Options of `var`/`std`: `unbiased` (PyTorch 1.x) or `correction` (2.x), `keepdim`. */
export interface VarOptions {
  unbiased?: boolean;
  correction?: number;
  keepdim?: boolean;
}

function correctionOf(o: VarOptions): number {
  if (o.correction !== undefined) return o.correction;
  return o.unbiased === false ? 0 : 1;
}

/**
 * Variance over `dim` (`torch.var`; `var` is a JavaScript keyword, the method is `t.var()`).
 * @example variance(tensor([1, 2, 3, 4])) // tensor(1.6667)
 */
export function variance(self: Tensor, dim?: Dims | VarOptions, opts?: VarOptions): Tensor {
  const [d, o] = split(dim, opts);
  const dims = dimList(self, d);
  const c = correctionOf(o);
  const keepdim = o.keepdim ?? false;
  return record1(
    "variance",
    { self, dim: dims, correction: c, keepdim },
    S.variance(self.data, dims, c, keepdim),
  );
}

/** Standard deviation over `dim`. @example std(tensor([1, 2, 3, 4])) // tensor(1.2910) */
export function std(self: Tensor, dim?: Dims | VarOptions, opts?: VarOptions): Tensor {
  const [d, o] = split(dim, opts);
  const dims = dimList(self, d);
  const c = correctionOf(o);
  const keepdim = o.keepdim ?? false;
  return record1(
    "std",
    { self, dim: dims, correction: c, keepdim },
    S.std(self.data, dims, c, keepdim),
  );
}

/**
 * The `p`-norm (`"fro"`: 2) over `dim` (every element when omitted).
 * @example norm(tensor([3, 4])) // tensor(5.)
 */
export function norm(
  self: Tensor,
  p: number | "fro" = "fro",
  dim?: Dims | { dim?: Dims; keepdim?: boolean },
  opts: { keepdim?: boolean } = {},
): Tensor {
  let d: Dims;
  let keepdim = opts.keepdim ?? false;
  if (dim !== null && typeof dim === "object" && !Array.isArray(dim)) {
    const o = dim as { dim?: Dims; keepdim?: boolean };
    d = o.dim;
    keepdim = o.keepdim ?? keepdim;
  } else d = dim as Dims;
  const dims = dimList(self, d);
  const pv = p === "fro" ? 2 : p;
  return record1("norm", { self, p: pv, dim: dims, keepdim }, S.norm(self.data, pv, dims, keepdim));
}

/** `log Σ exp(x)` over `dim`, computed stably. @example logsumexp(tensor([0, 0]), 0) // tensor(0.6931) */
export function logsumexp(self: Tensor, dim: Dims, opts: { keepdim?: boolean } = {}): Tensor {
  const dims = dimList(self, dim);
  const keepdim = opts.keepdim ?? false;
  return record1("logsumexp", { self, dim: dims, keepdim }, S.logsumexp(self.data, dims, keepdim));
}

/** Cumulative sum along `dim`. @example cumsum(tensor([1, 2, 3]), 0) // tensor([1., 3., 6.]) */
export function cumsum(self: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const x = opts.dtype ? to(self, opts.dtype) : self;
  const d = S.normalizeDim(dim, x.ndim);
  return record1("cumsum", { self: x, dim: d }, S.cumsum(x.data, d));
}

/** Cumulative product along `dim`. @example cumprod(tensor([1, 2, 3]), 0) // tensor([1., 2., 6.]) */
export function cumprod(self: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const x = opts.dtype ? to(self, opts.dtype) : self;
  const d = S.normalizeDim(dim, x.ndim);
  return record1("cumprod", { self: x, dim: d }, S.cumprod(x.data, d));
}

/** `exp(x)/Σexp(x)` along `dim`. @example softmax(tensor([0, 0]), 0) // tensor([0.5000, 0.5000]) */
export function softmax(self: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const x = opts.dtype ? to(self, opts.dtype) : self;
  const d = S.normalizeDim(dim, x.ndim);
  return record1("softmax", { self: x, dim: d }, S.softmax(x.data, d));
}

/** `x - logsumexp(x)` along `dim`. @example logSoftmax(tensor([0, 0]), 0) // tensor([-0.6931, -0.6931]) */
export function logSoftmax(self: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const x = opts.dtype ? to(self, opts.dtype) : self;
  const d = S.normalizeDim(dim, x.ndim);
  return record1("logSoftmax", { self: x, dim: d }, S.logSoftmax(x.data, d));
}

/**
 * Sorts along `dim` (default last): `[values, indices]`.
 * @example sort(tensor([3, 1, 2])).indices // tensor([1, 2, 0])
 */
export function sort(
  self: Tensor,
  dim: number | { dim?: number; descending?: boolean; stable?: boolean } = -1,
  opts: { descending?: boolean; stable?: boolean } = {},
): ValuesIndices {
  let d = -1;
  let o = opts;
  if (typeof dim === "object") {
    o = dim;
    d = dim.dim ?? -1;
  } else d = dim;
  const nd = self.ndim === 0 ? 0 : S.normalizeDim(d, self.ndim);
  const descending = o.descending ?? false;
  const [v, i] = S.sort(self.data, nd, descending, o.stable ?? false);
  const [tv, ti] = record("sort", { self, dim: nd, descending, inputShape: self.shape }, [v, i]);
  return pair(tv!, ti!);
}

/** Indices that sort along `dim`. */
export function argsort(
  self: Tensor,
  dim = -1,
  opts: { descending?: boolean; stable?: boolean } = {},
): Tensor {
  return plain(S.argsort(self.data, dim, opts.descending ?? false, opts.stable ?? false));
}

/**
 * The `k` largest (or smallest) along `dim`, sorted: `[values, indices]`.
 * @example topk(tensor([1, 5, 3]), 2).values // tensor([5., 3.])
 */
export function topk(
  self: Tensor,
  k: number,
  dim = -1,
  opts: { largest?: boolean; sorted?: boolean } = {},
): ValuesIndices {
  const nd = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  const largest = opts.largest ?? true;
  const [v, i] = S.topk(self.data, k, nd, largest, opts.sorted ?? true);
  const [tv, ti] = record("topk", { self, k, dim: nd, largest, inputShape: self.shape }, [v, i]);
  return pair(tv!, ti!);
}

/**
 * Sums `self` down to `shape` (leading dims removed, size-1 dims kept), as broadcasting's
 * gradient does (`Tensor.sum_to_size`).
 * @example sumToSize(ones(2, 3), [1, 3]) // tensor([[2., 2., 2.]])
 */
export function sumToSize(self: Tensor, shape: readonly number[]): Tensor {
  const lead = self.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < self.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && self.shape[i] !== 1)) dims.push(i);
  }
  if (dims.length === 0) return self;
  const s = sum(self, dims, { keepdim: true });
  return lead > 0 ? s.view(shape) : s;
}
