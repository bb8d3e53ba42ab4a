/**
 * `Tensor`: an `NDArray` with PyTorch's autograd semantics. The class is assembled from method
 * layers (`tensorBase` → `tensorMath` → `tensorShape` → `tensorReduce` → here); this file adds
 * `backward`, `detach`, copies and dtype conversions.
 */
import {
  type ArrayData,
  binary,
  type DType,
  type Generator,
  isFloatingPoint,
  itemSize,
  type NDArray,
  RuntimeError,
  clone as rawClone,
  sameShape,
} from "@x/storage";
import { backward } from "./autograd.js";
import { noGrad } from "./gradMode.js";
import type { AccumulateGrad, Node } from "./graph.js";
import { type CreationOptions, full, ones, tensor, zeros } from "./ops/creation.js";
import { abs } from "./ops/pointwise.js";
import * as Rn from "./ops/random.js";
import * as V from "./ops/shape.js";
import { OWN } from "./tensorBase.js";
import { TensorReduce } from "./tensorReduce.js";

/** Options of `backward()`. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors for another backward (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher derivatives. */
  createGraph?: boolean;
}

/** Tolerances of `isclose`/`allclose` (PyTorch's defaults: rtol 1e-5, atol 1e-8). */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

export class Tensor extends TensorReduce {
  /** @internal A tensor rebuilt from a saved array, sharing the original's graph identity. */
  static _fromSaved(
    d: NDArray,
    requiresGrad: boolean,
    gradFn: Node | null,
    outputNr: number,
    acc: AccumulateGrad | null,
  ): Tensor {
    const t = new Tensor(d);
    if (gradFn) t._setGradFn(gradFn, outputNr);
    else if (requiresGrad) {
      t._makeLeaf(true);
      t._shareAccumulator(acc);
    }
    return t;
  }

  /**
   * Computes the gradient of this tensor w.r.t. the graph leaves and accumulates it in their
   * `.grad`. `gradient` is required unless this tensor has one element.
   *
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.mul(x).sum().backward();
   * x.grad; // tensor([2., 4.])
   */
  backward(gradient?: Tensor | number | null, opts: BackwardOptions = {}): void {
    backward(this, gradient ?? null, opts);
  }

  /** A new leaf sharing this tensor's storage (and version counter), without grad. */
  detach(): Tensor {
    const t = new Tensor(this.data);
    return t;
  }

  /** Detaches this tensor from the graph in place (a leaf that does not require grad). */
  detach_(): this {
    if (this._base !== null) {
      throw new RuntimeError(
        "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.",
      );
    }
    this._makeLeaf(false);
    return this;
  }

  /** A copy; the gradient flows back through it. */
  clone(): Tensor {
    return V.clone(this);
  }

  /** This tensor when contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return V.contiguous(this);
  }

  /** A copy converted to `dtype` (this tensor itself when it already has it). */
  to(dtype: DType, opts?: { copy?: boolean }): Tensor {
    return V.to(this, dtype, opts);
  }

  /** The dtype name (`t.type()`), or a conversion (`t.type("float64")`). */
  type(): string;
  type(dtype: DType): Tensor;
  type(dtype?: DType): string | Tensor {
    return dtype === undefined ? this.dtype : this.to(dtype);
  }

  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  int(): Tensor {
    return this.to("int32");
  }
  long(): Tensor {
    return this.to("int64");
  }
  bool(): Tensor {
    return this.to("bool");
  }
  byte(): Tensor {
    return this.to("uint8");
  }
  /** This tensor (there is one device). */
  cpu(): this {
    return this;
  }

  isContiguous(): boolean {
    return this.data.isContiguous();
  }
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }
  /** Strides in elements (`stride()`), or one of them. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const s = this.data.strides;
    if (dim === undefined) return s.slice();
    return s[dim < 0 ? dim + s.length : dim]!;
  }
  storageOffset(): number {
    return this.data.offset;
  }
  elementSize(): number {
    return itemSize(this.dtype);
  }

  uniform_(from?: number, to?: number, opts?: { generator?: Generator }): Tensor {
    return Rn.uniform_(this, from, to, opts);
  }
  normal_(mean?: number, std?: number, opts?: { generator?: Generator }): Tensor {
    return Rn.normal_(this, mean, std, opts);
  }
  bernoulli_(p?: number | Tensor, opts?: { generator?: Generator }): Tensor {
    return Rn.bernoulli_(this, p, opts);
  }

  /** Zeros with this tensor's dtype (`new_zeros`). */
  newZeros(size: readonly number[], opts: CreationOptions = {}): Tensor {
    return zeros(size, { dtype: this.dtype, ...opts });
  }
  /** Ones with this tensor's dtype (`new_ones`). */
  newOnes(size: readonly number[], opts: CreationOptions = {}): Tensor {
    return ones(size, { dtype: this.dtype, ...opts });
  }
  /** `fillValue` with this tensor's dtype (`new_full`). */
  newFull(size: readonly number[], fillValue: number, opts: CreationOptions = {}): Tensor {
    return full(size, fillValue, { dtype: this.dtype, ...opts });
  }
  /** An uninitialized (here: zero) tensor with this tensor's dtype (`new_empty`). */
  newEmpty(size: readonly number[], opts: CreationOptions = {}): Tensor {
    return zeros(size, { dtype: this.dtype, ...opts });
  }
  /** A tensor from `data` with this tensor's dtype (`new_tensor`). */
  newTensor(data: ArrayData, opts: CreationOptions = {}): Tensor {
    return tensor(data, { dtype: this.dtype, ...opts });
  }

  /** True when both tensors have the same shape and values (`torch.equal`). */
  equal(other: Tensor): boolean {
    if (!sameShape(this.shape, other.shape)) return false;
    const a = this.data.toArray();
    const b = other.data.toArray();
    return a.every((v, i) => v === b[i]);
  }

  /** Elementwise `|a - b| <= atol + rtol·|b|` (bool), NaN equal only with `equalNan`. */
  isclose(other: Tensor | number, opts: CloseOptions = {}): Tensor {
    const rtol = opts.rtol ?? 1e-5;
    const atol = opts.atol ?? 1e-8;
    return noGrad(() => {
      const b = typeof other === "number" ? other : other.detach();
      const a = this.detach();
      const close = a
        .sub(b)
        .abs()
        .le(
          abs(typeof b === "number" ? tensor(b, { dtype: a.dtype }) : b)
            .mul(rtol)
            .add(atol),
        );
      const same = a.eq(b);
      const r = close.logicalOr(same);
      return opts.equalNan
        ? r.logicalOr(a.isnan().logicalAnd(typeof b === "number" ? Number.isNaN(b) : b.isnan()))
        : r;
    });
  }

  /** Whether every element is close to `other` (`torch.allclose`). */
  allclose(other: Tensor | number, opts: CloseOptions = {}): boolean {
    return this.isclose(other, opts).all().item() !== 0;
  }

  /** @internal A contiguous copy that is not part of any graph. */
  _detachedCopy(): Tensor {
    return new Tensor(rawClone(this.data), undefined, OWN);
  }

  /** @internal A plain tensor that takes over this one's storage (this one is disposed). */
  _takeOver(): Tensor {
    const d = this.data;
    d.storage.retain(); // the new tensor's reference to `d`, taken before this one drops its own
    const t = new Tensor(d, undefined, OWN);
    this.dispose();
    return t;
  }

  /** @internal `this += g` on the raw storage (gradient accumulation, nothing recorded). */
  _addInPlaceRaw(g: Tensor): void {
    binary("add", this.data, g.data, this.data);
  }
}
