/**
 * NDArray: a dtype, a shape, strides and an offset over a refcounted `Storage`. Raw numbers
 * only — no gradient state, and the object is not extensible, so `a.requiresGrad = true` is a
 * compile error in TypeScript and a `TypeError` in strict JavaScript.
 *
 * View methods (`view`, `permute`, `narrow`, …) alias the storage; in-place methods (`fill_`,
 * `add_`, …) write through it and bump the storage's version counter.
 */
import { getBackend } from "./backend.js";
import { checkDType, type DType, getDefaultDType, itemSize, type TypedArray } from "./dtype.js";
import { IndexError, RuntimeError, ShapeError, ValueError } from "./errors.js";
import { formatTensor } from "./format.js";
import { binary, cast, clone, copyInto, unary, unaryParam, where } from "./ops/elementwise.js";
import { bernoulli_, normal_, uniform_ } from "./ops/random.js";
import {
  contiguousStrides,
  inferSize,
  normalizeDim,
  numel,
  type Shape,
  shapeStr,
  viewStrides,
} from "./shape.js";
import { Storage } from "./storage.js";

/** Nested JS arrays of numbers or booleans, as `tolist()` returns and `fromArray` accepts. */
export type NestedArray = number | boolean | NestedArray[];

export class NDArray {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: Shape;
  readonly offset: number;
  readonly storage: Storage;

  /** Wraps `storage` (taking one reference to it). Prefer `NDArray.empty` and the ops. */
  constructor(storage: Storage, dtype: DType, shape: Shape, strides?: Shape, offset = 0) {
    this.storage = storage;
    this.dtype = dtype;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    Object.preventExtensions(this);
  }

  /** A new contiguous array with zeroed memory. */
  static empty(shape: Shape, dtype: DType = getDefaultDType()): NDArray {
    checkDType(dtype);
    for (const s of shape) {
      if (!Number.isInteger(s) || s < 0) {
        throw new ValueError(
          `Trying to create tensor with negative dimension ${s}: ${shapeStr(shape)}`,
        );
      }
    }
    const storage = new Storage(getBackend(), numel(shape) * itemSize(dtype));
    return new NDArray(storage, dtype, shape.slice());
  }

  /**
   * @internal A new contiguous array whose contents are unspecified (WASM memory is not
   * cleared), for op outputs that a kernel overwrites entirely. `shape` is kept as given (the
   * caller does not change it afterwards) and must be valid.
   */
  static uninit(shape: Shape, dtype: DType): NDArray {
    let n = itemSize(dtype);
    for (let i = 0; i < shape.length; i++) n *= shape[i]!;
    const storage = new Storage(getBackend(), n, false);
    return new NDArray(storage, dtype, shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dimensions (as `Tensor.dim()`). */
  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return numel(this.shape);
  }

  /** `size()` is the shape; `size(d)` one size, negative `d` counting from the end. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.ndim)] ?? 1;
  }

  /** The storage as a typed array of this dtype (index with `offset` and `strides`). */
  typed(): TypedArray {
    return this.storage.typed(this.dtype);
  }

  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const s = this.shape[i]!;
      if (s === 1) continue;
      if (s === 0) return true;
      if (this.strides[i] !== expected) return false;
      expected *= s;
    }
    return true;
  }

  /** A view over the same storage (another reference to it). */
  asStrided(shape: Shape, strides: Shape, offset: number = this.offset): NDArray {
    if (shape.length !== strides.length) {
      throw new ShapeError(
        `mismatch in length of strides and shape (${strides.length} vs ${shape.length})`,
      );
    }
    // this array's own shape and strides are never modified: they can be shared, not copied
    return this.#alias(
      shape === this.shape ? shape : shape.slice(),
      strides === this.strides ? strides : strides.slice(),
      offset,
    );
  }

  /** A view taking `shape` and `strides` as they are (arrays made for it, of equal lengths). */
  #alias(shape: Shape, strides: Shape, offset: number = this.offset): NDArray {
    return new NDArray(this.storage.retain(), this.dtype, shape, strides, offset);
  }

  /** Aliases the storage with another shape; throws PyTorch's message when strides forbid it. */
  view(...shape: number[] | [Shape]): NDArray {
    const req = flatShape(shape);
    const target = inferSize(req, this.numel());
    const st = viewStrides(this.shape, this.strides, target);
    if (st === null) {
      throw new ShapeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
      );
    }
    return this.#alias(target, st);
  }

  /** `view` when possible, else a contiguous copy. */
  reshape(...shape: number[] | [Shape]): NDArray {
    const target = inferSize(flatShape(shape), this.numel());
    const st = viewStrides(this.shape, this.strides, target);
    if (st !== null) return this.#alias(target, st);
    return this.contiguous().#viewOwned(target);
  }

  #viewOwned(shape: number[]): NDArray {
    // `this` is a fresh copy nobody else holds: move its storage reference to the new view.
    return new NDArray(this.storage, this.dtype, shape, contiguousStrides(shape), this.offset);
  }

  permute(...dims: number[] | [Shape]): NDArray {
    const d = flatShape(dims);
    const n = this.ndim;
    if (d.length !== n) {
      throw new ShapeError(
        `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${n} is not equal to len(dims) = ${d.length}`,
      );
    }
    const seen = new Array<boolean>(n).fill(false);
    const shape = new Array<number>(n);
    const strides = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const k = normalizeDim(d[i]!, n);
      if (seen[k]) throw new ValueError("permute(): duplicate dims are not allowed.");
      seen[k] = true;
      shape[i] = this.shape[k]!;
      strides[i] = this.strides[k]!;
    }
    return this.#alias(shape, strides);
  }

  transpose(dim0: number, dim1: number): NDArray {
    const n = this.ndim;
    const a = normalizeDim(dim0, n);
    const b = normalizeDim(dim1, n);
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape[a] = this.shape[b]!;
    shape[b] = this.shape[a]!;
    strides[a] = this.strides[b]!;
    strides[b] = this.strides[a]!;
    return this.#alias(shape, strides);
  }

  /** Transpose of a matrix; 0-d and 1-d arrays are returned as views unchanged. */
  t(): NDArray {
    if (this.ndim > 2) {
      throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    }
    return this.ndim < 2 ? this.#alias(this.shape, this.strides) : this.transpose(0, 1);
  }

  /** Broadcasts size-1 dims to `shape` (`-1` keeps a size) with stride 0. */
  expand(...sizes: number[] | [Shape]): NDArray {
    const req = flatShape(sizes);
    const n = req.length;
    if (n < this.ndim) {
      throw new ShapeError(
        `expand(torch.FloatTensor{${shapeStr(this.shape)}}, size=${shapeStr(req)}): the number of sizes provided (${n}) must be greater or equal to the number of dimensions in the tensor (${this.ndim})`,
      );
    }
    const shape = new Array<number>(n);
    const strides = new Array<number>(n);
    for (let i = n - 1; i >= 0; i--) {
      const j = i - (n - this.ndim);
      const want = req[i]!;
      if (j < 0) {
        if (want < 0) {
          throw new ShapeError(
            `The expanded size of the tensor (${want}) isn't allowed in a leading, non-existing dimension ${i}`,
          );
        }
        shape[i] = want;
        strides[i] = 0;
        continue;
      }
      const have = this.shape[j]!;
      if (want === -1 || want === have) {
        shape[i] = have;
        strides[i] = this.strides[j]!;
      } else if (have === 1) {
        shape[i] = want;
        strides[i] = 0;
      } else {
        throw new ShapeError(
          `The expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${shapeStr(req)}.  Tensor sizes: ${shapeStr(this.shape)}`,
        );
      }
    }
    return this.#alias(shape, strides);
  }

  /** Elements `start … start+length-1` of `dim`. */
  narrow(dim: number, start: number, length: number): NDArray {
    const d = normalizeDim(dim, this.ndim);
    const size = this.shape[d]!;
    if (start < -size || start > size) {
      throw new IndexError(
        `start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`,
      );
    }
    if (start < 0) start += size;
    if (length < 0 || start + length > size) {
      throw new IndexError(
        `start (${start}) + length (${length}) exceeds dimension size (${size}).`,
      );
    }
    return this.slice(d, start, start + length);
  }

  /**
   * Python's `a[start:end:step]` along `dim`: negative indices count from the end and bounds are
   * clamped; `step` must be positive as in PyTorch.
   */
  slice(dim: number, start = 0, end: number = Number.MAX_SAFE_INTEGER, step = 1): NDArray {
    const d = normalizeDim(dim, this.ndim);
    if (step <= 0 || !Number.isInteger(step)) throw new ValueError("slice step must be positive");
    const size = this.shape[d]!;
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
    const s = clamp(start);
    const e = Math.max(clamp(end), s);
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape[d] = Math.ceil((e - s) / step);
    strides[d] = this.strides[d]! * step;
    return this.#alias(shape, strides, this.offset + s * this.strides[d]!);
  }

  /** Index `index` of `dim`, removing that dim. */
  select(dim: number, index: number): NDArray {
    const d = normalizeDim(dim, this.ndim);
    const size = this.shape[d]!;
    if (index < -size || index >= size) {
      throw new IndexError(`index ${index} is out of bounds for dimension ${d} with size ${size}`);
    }
    if (index < 0) index += size;
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape.splice(d, 1);
    strides.splice(d, 1);
    return this.#alias(shape, strides, this.offset + index * this.strides[d]!);
  }

  /** Removes size-1 dims (all of them, or the given ones when they have size 1). */
  squeeze(dim?: number | readonly number[]): NDArray {
    const n = this.ndim;
    const drop = new Array<boolean>(n).fill(false);
    if (dim === undefined) for (let i = 0; i < n; i++) drop[i] = this.shape[i] === 1;
    else {
      for (const x of typeof dim === "number" ? [dim] : dim) {
        const k = normalizeDim(x, n);
        if (n > 0) drop[k] = this.shape[k] === 1;
      }
    }
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < n; i++) {
      if (drop[i]) continue;
      shape.push(this.shape[i]!);
      strides.push(this.strides[i]!);
    }
    return this.#alias(shape, strides);
  }

  unsqueeze(dim: number): NDArray {
    const d = normalizeDim(dim, this.ndim + 1);
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    const st = d < this.ndim ? this.shape[d]! * this.strides[d]! : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, st);
    return this.#alias(shape, strides);
  }

  /** Merges dims `startDim … endDim` into one (a view when the layout allows). */
  flatten(startDim = 0, endDim = -1): NDArray {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normalizeDim(startDim, this.ndim);
    const e = normalizeDim(endDim, this.ndim);
    if (s > e)
      throw new ValueError("flatten() has invalid args: start_dim cannot come after end_dim");
    if (s === e) return this.#alias(this.shape, this.strides);
    const shape = [
      ...this.shape.slice(0, s),
      numel(this.shape.slice(s, e + 1)),
      ...this.shape.slice(e + 1),
    ];
    return this.reshape(shape);
  }

  /** Splits `dim` into `sizes` (one may be -1). */
  unflatten(dim: number, sizes: Shape): NDArray {
    const d = normalizeDim(dim, this.ndim);
    const inner = inferSize(sizes, this.shape[d]!);
    return this.view([...this.shape.slice(0, d), ...inner, ...this.shape.slice(d + 1)]);
  }

  /** The diagonal of dims `dim1`, `dim2` (offset `offset`) as the last dim. */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): NDArray {
    const n = this.ndim;
    const a = normalizeDim(dim1, n);
    const b = normalizeDim(dim2, n);
    if (a === b) throw new ValueError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
    let len: number;
    let off = this.offset;
    if (offset >= 0) {
      len = Math.max(Math.min(this.shape[a]!, this.shape[b]! - offset), 0);
      off += offset * this.strides[b]!;
    } else {
      len = Math.max(Math.min(this.shape[a]! + offset, this.shape[b]!), 0);
      off -= offset * this.strides[a]!;
    }
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i === a || i === b) continue;
      shape.push(this.shape[i]!);
      strides.push(this.strides[i]!);
    }
    shape.push(len);
    strides.push(this.strides[a]! + this.strides[b]!);
    return this.#alias(shape, strides, len === 0 ? this.offset : off);
  }

  /** This array when contiguous (another reference), else a contiguous copy. */
  contiguous(): NDArray {
    if (this.isContiguous()) return this.#alias(this.shape, this.strides);
    const out = NDArray.uninit(this.shape, this.dtype);
    this.storage.backend.kernels.copy(this, out);
    return out;
  }

  /** The single value of a one-element array. */
  item(): number {
    if (this.numel() !== 1) {
      throw new RuntimeError(
        `a Tensor with ${this.numel()} elements cannot be converted to Scalar`,
      );
    }
    return this.typed()[this.offset]!;
  }

  /** The values in row-major order. */
  toArray(): number[] {
    const n = this.numel();
    const out = new Array<number>(n);
    if (n === 0) return out;
    const data = this.typed();
    const nd = this.ndim;
    const idx = new Array<number>(nd).fill(0);
    let off = this.offset;
    for (let i = 0; i < n; i++) {
      out[i] = data[off]!;
      for (let d = nd - 1; d >= 0; d--) {
        if (++idx[d]! < this.shape[d]!) {
          off += this.strides[d]!;
          break;
        }
        off -= (idx[d]! - 1) * this.strides[d]!;
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Nested JS arrays (booleans for `bool`), as PyTorch's `tolist()`. */
  tolist(): NestedArray {
    const flat = this.toArray();
    const isBool = this.dtype === "bool";
    const build = (d: number, start: number): NestedArray => {
      if (d === this.ndim) return isBool ? flat[start] !== 0 : flat[start]!;
      const size = this.shape[d]!;
      const step = numel(this.shape.slice(d + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < size; i++) out.push(build(d + 1, start + i * step));
      return out;
    };
    return build(0, 0);
  }

  // In-place raw ops: they write through this view (and every alias of its storage), bump the
  // storage's version counter, and record nothing in any graph.

  /** Every element set to `value`. */
  fill_(value: number | boolean): this {
    copyInto(this, value);
    return this;
  }

  zero_(): this {
    return this.fill_(0);
  }

  /** Copies `src` (broadcast, converted to this dtype) into this array. */
  copy_(src: NDArray): this {
    copyInto(this, src);
    return this;
  }

  /** `this += alpha * other`. */
  add_(other: NDArray | number, alpha = 1): this {
    const o = alpha === 1 ? other : scaled(other, alpha);
    binary("add", this, o, this);
    if (o !== other && o instanceof NDArray) o.dispose();
    return this;
  }

  /** `this -= alpha * other`. */
  sub_(other: NDArray | number, alpha = 1): this {
    const o = alpha === 1 ? other : scaled(other, alpha);
    binary("sub", this, o, this);
    if (o !== other && o instanceof NDArray) o.dispose();
    return this;
  }

  mul_(other: NDArray | number): this {
    binary("mul", this, other, this);
    return this;
  }

  div_(other: NDArray | number): this {
    binary("div", this, other, this);
    return this;
  }

  pow_(exponent: NDArray | number): this {
    binary("pow", this, exponent, this);
    return this;
  }

  /** Clamps into `[min, max]` (either may be omitted). */
  clamp_(min?: number | null, max?: number | null): this {
    unaryParam("clamp", this, min ?? Number.NaN, max ?? Number.NaN, this);
    return this;
  }

  neg_(): this {
    unary("neg", this, this);
    return this;
  }

  abs_(): this {
    unary("abs", this, this);
    return this;
  }

  sqrt_(): this {
    unary("sqrt", this, this);
    return this;
  }

  exp_(): this {
    unary("exp", this, this);
    return this;
  }

  /** `this += value * t1 * t2`. */
  addcmul_(t1: NDArray, t2: NDArray, value = 1): this {
    const prod = binary("mul", t1, t2);
    this.add_(prod, value);
    prod.dispose();
    return this;
  }

  /** `this += value * t1 / t2`. */
  addcdiv_(t1: NDArray, t2: NDArray, value = 1): this {
    const q = binary("div", t1, t2);
    this.add_(q, value);
    q.dispose();
    return this;
  }

  /** Sets elements where `mask` is true to `value`. */
  maskedFill_(mask: NDArray, value: number): this {
    const filled = where(mask, value, this);
    copyInto(this, filled);
    filled.dispose();
    return this;
  }

  /** Uniform values in `[from, to)` from PyTorch's generator. */
  uniform_(from = 0, to = 1): this {
    uniform_(this, from, to);
    return this;
  }

  /** Normal values from PyTorch's generator. */
  normal_(mean = 0, std = 1): this {
    normal_(this, mean, std);
    return this;
  }

  /** 1 with probability `p`, else 0. */
  bernoulli_(p = 0.5): this {
    bernoulli_(this, p);
    return this;
  }

  /** A contiguous copy. */
  clone(): NDArray {
    return clone(this);
  }

  /** A copy converted to `dtype` (this array itself, another reference, when equal). */
  to(dtype: DType): NDArray {
    return dtype === this.dtype ? this.#alias(this.shape, this.strides) : cast(this, dtype);
  }

  /** Drops this array's reference to its storage (freed when no view is left). */
  dispose(): void {
    this.storage.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** PyTorch's repr: `tensor([[0.1000, 0.2000]])`. */
  toString(): string {
    return formatTensor(this.toArray(), this.shape, this.dtype);
  }
}

function scaled(x: NDArray | number, alpha: number): NDArray | number {
  return typeof x === "number" ? x * alpha : binary("mul", x, alpha);
}

/** Accepts sizes given as `(2, 4)` or `([2, 4])`. */
export function flatShape(args: readonly (number | Shape)[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as Shape).slice();
  return args as number[];
}
