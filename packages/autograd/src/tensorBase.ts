/**
 * The core of `Tensor`: an `NDArray` plus autograd state — `requiresGrad`, `grad`, `gradFn`,
 * `isLeaf`, hooks, `retainGrad`, the version counter (the storage's), printing, disposal.
 * Op methods are added by the classes that extend this one (`tensorMath.ts`, …); the final
 * class is `Tensor` in `tensor.ts`.
 */
import {
  formatTensor,
  isFloatingPoint,
  NDArray,
  type NestedArray,
  normalizeDim,
  RuntimeError,
  sameShape,
  ValueError,
} from "@x/storage";
import { isGradEnabled, isInferenceModeEnabled } from "./gradMode.js";
import {
  AccumulateGrad,
  type Edge,
  type Node,
  type RemovableHandle,
  type TensorHook,
} from "./graph.js";
import { moveTensor, noteGradHolder, trackTensor, untrackTensor } from "./memory.js";
import { takeable } from "./ownedGrads.js";
import type { Tensor } from "./tensor.js";

/** @internal Passed to the constructor by ops: the tensor takes over the array's reference. */
export const OWN: unique symbol = Symbol("own");

/** What ops accept where PyTorch takes a tensor or a Python number. */
export type Operand = Tensor | number | boolean;

/** Options of tensor constructors. */
export interface TensorOptions {
  requiresGrad?: boolean;
}

let warnedNonLeafGrad = false;

let regenerateView: ((view: Tensor) => void) | null = null;

/** @internal Installed by `copySlices.ts`: rebuilds a stale view's history. */
export function setViewRegenerator(fn: (view: Tensor) => void): void {
  regenerateView = fn;
}

const NON_LEAF_GRAD =
  "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.";

function alias(d: NDArray): NDArray {
  return d.asStrided(d.shape, d.strides, d.offset);
}

export class TensorBase {
  #data: NDArray;
  #requiresGrad = false;
  #gradFn: Node | null = null;
  #outputNr = 0;
  #grad: Tensor | null = null;
  #accumulator: AccumulateGrad | null = null;
  #retainsGrad = false;
  #base: Tensor | null = null;
  #viewOf: Node | null = null;
  #inference: boolean;
  #disposed = false;
  #isGrad = false;
  /** Whether `.grad` handed the current gradient out (else only this library holds it). */
  #gradSeen = false;

  /**
   * A tensor over `data` (sharing its storage, as `torch.Tensor` over a buffer would).
   *
   * @example
   * const t = new Tensor(fromArray([1, 2]), { requiresGrad: true });
   */
  constructor(data: NDArray, opts?: TensorOptions, own?: typeof OWN) {
    if (!(data instanceof NDArray))
      throw new TypeError("Tensor expects an NDArray from @x/storage");
    this.#data = own === OWN ? data : alias(data);
    this.#inference = isInferenceModeEnabled();
    trackTensor(this as unknown as Tensor, this.#data);
    if (opts?.requiresGrad) this.requiresGrad_(true);
  }

  /** The raw array (from `@x/storage`): numbers, shape, strides, no autograd state. */
  get data(): NDArray {
    if (this.#disposed) {
      throw new RuntimeError(
        "Trying to use a tensor whose memory was disposed (t.dispose() or tidy)",
      );
    }
    return this.#data;
  }

  /** Swaps the storage (another shape is allowed, as in PyTorch); nothing is recorded. */
  set data(v: NDArray | TensorBase) {
    const nd = v instanceof TensorBase ? v.data : v;
    const old = this.data;
    this.#data = alias(nd);
    moveTensor(old, this.#data);
    old.dispose();
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }

  get dtype(): NDArray["dtype"] {
    return this.data.dtype;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.data.shape.length;
  }

  /** `size()` is the shape; `size(d)` one size (negative `d` counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = this.data.shape;
    if (dim === undefined) return s.slice();
    return s[normalizeDim(dim, s.length)] ?? 1;
  }

  dim(): number {
    return this.data.shape.length;
  }

  numel(): number {
    return this.data.numel();
  }

  /** The storage's version counter: bumped by every in-place write through any alias. */
  get version(): number {
    return this.data.storage.version;
  }

  /** PyTorch's spelling of `version`. */
  get _version(): number {
    return this.version;
  }

  get requiresGrad(): boolean {
    return this.#requiresGrad || this.gradFn !== null;
  }

  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /** Sets `requiresGrad` in place (leaves only) and returns this tensor. */
  requiresGrad_(flag = true): this {
    if (this.gradFn !== null) {
      if (flag) return this;
      throw new RuntimeError("you can only change requires_grad flags of leaf variables.");
    }
    if (flag && !isFloatingPoint(this.dtype)) {
      throw new RuntimeError("only Tensors of floating point dtype can require gradients");
    }
    if (flag && this.#inference && !isInferenceModeEnabled()) {
      throw new RuntimeError(
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.",
      );
    }
    this.#requiresGrad = flag;
    return this;
  }

  /** The function that produced this tensor in the graph, or null for a leaf. */
  get gradFn(): Node | null {
    const base = this.#base;
    if (
      base !== null &&
      regenerateView !== null &&
      base.gradFn !== this.#viewOf &&
      !this.#disposed
    ) {
      regenerateView(this as unknown as Tensor);
    }
    return this.#gradFn;
  }

  /** True for tensors not produced by a recorded operation. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * The accumulated gradient of a leaf (or of a non-leaf after `retainGrad()`); null for
   * other non-leaves, with PyTorch's one-time warning.
   */
  get grad(): Tensor | null {
    if (this.gradFn !== null && !this.#retainsGrad && !warnedNonLeafGrad) {
      warnedNonLeafGrad = true;
      console.warn(`UserWarning: ${NON_LEAF_GRAD}`);
    }
    const g = this.#grad;
    if (g !== null) this.#gradSeen = true;
    return g;
  }

  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!sameShape(g.shape, this.shape)) {
        throw new RuntimeError("assigned grad has data of a different size");
      }
      if (g.dtype !== this.dtype)
        throw new RuntimeError("assigned grad has data of a different type");
    }
    this.#setGrad(g, true);
  }

  /**
   * Replaces the gradient. One that was never handed out (read only through `_rawGrad`, by
   * optimizers) is disposed now: nothing else can hold it, and its memory is reused at once
   * instead of waiting for the garbage collector. `seen`: the new one comes from user code.
   */
  #setGrad(g: Tensor | null, seen = false): void {
    const old = this.#grad;
    if (old === g) {
      if (seen && g !== null) this.#gradSeen = true;
      return;
    }
    if (old) {
      (old as TensorBase).#isGrad = false;
      if (!this.#gradSeen) old.dispose();
    }
    this.#grad = g;
    this.#gradSeen = seen && g !== null;
    if (g) {
      (g as TensorBase).#isGrad = true;
      noteGradHolder(this as unknown as Tensor);
    }
  }

  /**
   * @internal The gradient without the non-leaf warning and without handing it out: library
   * code that does not keep it (optimizers, `zeroGrad`) reads it here, so that clearing it can
   * free its memory at once.
   */
  get _rawGrad(): Tensor | null {
    return this.#grad;
  }

  /** @internal True while this tensor is stored as some tensor's `.grad` (kept by `tidy`). */
  get _isGradOfLeaf(): boolean {
    return this.#isGrad;
  }

  /** Whether `retainGrad()` was called on this non-leaf. */
  get retainsGrad(): boolean {
    return this.#retainsGrad;
  }

  /** Keeps `.grad` for this non-leaf tensor during backward (no-op on leaves). */
  retainGrad(): void {
    if (!this.requiresGrad) {
      throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    }
    const fn = this.gradFn;
    if (fn === null || this.#retainsGrad) return;
    this.#retainsGrad = true;
    fn.retainedTensors.set(this.#outputNr, this as unknown as Tensor);
  }

  /**
   * Registers `fn(grad)`, called with this tensor's gradient during backward; it may return a
   * replacement. The handle's `remove()` (or disposing it) unregisters it.
   *
   * @example
   * const h = x.registerHook((g) => g.mul(10));
   * h.remove();
   */
  registerHook(fn: TensorHook): RemovableHandle {
    if (!this.requiresGrad) {
      throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    }
    const node = this.gradFn;
    if (node) return node._addTensorHook(this.#outputNr, fn);
    return this._gradAccumulator()._addTensorHook(0, fn);
  }

  /** Whether this tensor was created in inference mode. */
  isInference(): boolean {
    return this.#inference;
  }

  /** @internal */
  _inferenceAllowed(): boolean {
    return isInferenceModeEnabled();
  }

  /** @internal Which output of `gradFn` this tensor is. */
  get _outputNr(): number {
    return this.#outputNr;
  }

  /** @internal The tensor this one is a view of (a non-view), or null. */
  get _base(): Tensor | null {
    return this.#base;
  }

  /** @internal Marks this tensor as a view of `base` (a non-view tensor). */
  _setBase(base: Tensor | null): void {
    this.#base = base;
    this.#viewOf = base ? base.gradFn : null;
  }

  /** @internal The base history this view's `gradFn` was derived from. */
  _setViewOf(node: Node | null): void {
    this.#viewOf = node;
  }

  /** @internal Attaches this tensor to the graph as output `nr` of `node`. */
  _setGradFn(node: Node | null, nr = 0): void {
    this.#gradFn = node;
    this.#outputNr = nr;
    if (node === null) this.#retainsGrad = false;
    else if (this.#retainsGrad) node.retainedTensors.set(nr, this as unknown as Tensor);
  }

  /** @internal Detaches in place and sets `requiresGrad` (used by `detach_`). */
  _makeLeaf(requiresGrad: boolean): void {
    this.#gradFn = null;
    this.#outputNr = 0;
    this.#retainsGrad = false;
    this.#requiresGrad = requiresGrad;
  }

  /** @internal The node that accumulates this leaf's gradient (created on first use). */
  _gradAccumulator(): AccumulateGrad {
    if (this.#accumulator === null)
      this.#accumulator = new AccumulateGrad(this as unknown as Tensor);
    return this.#accumulator;
  }

  /** @internal Shares another tensor's accumulator (a saved leaf rebuilt after disposal). */
  _shareAccumulator(acc: AccumulateGrad | null): void {
    this.#accumulator = acc;
  }

  /** @internal Where a gradient for this tensor goes, or null when it needs none. */
  _edge(): Edge | null {
    const fn = this.gradFn;
    if (fn !== null) return { node: fn, inputNr: this.#outputNr };
    if (this.#requiresGrad) return { node: this._gradAccumulator(), inputNr: 0 };
    return null;
  }

  /**
   * @internal Adds `g` to `.grad` (PyTorch's AccumulateGrad): the first gradient is stored
   * (a copy, or itself under `createGraph`), later ones are added in place — or out of place
   * when a graph is being recorded. With `mayTake` (the engine's own gradient, which nothing
   * else references), a dense `g` is moved into `.grad` instead of copied, and `true` returned.
   */
  _accumulateGrad(g: Tensor, mayTake = false): boolean {
    if (this.#disposed) return false;
    const cur = this.#grad;
    const recording = isGradEnabled();
    if (cur === null) {
      if (!recording && mayTake && takeable(g.data, this.#data)) {
        this.#setGrad(g._takeOver());
        return true;
      }
      this.#setGrad(recording ? g.clone() : g._detachedCopy());
    } else if (recording) this.#setGrad(cur.add(g));
    else cur._addInPlaceRaw(g);
    return false;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    const d = this.data;
    if (d.numel() !== 1) {
      throw new ValueError("only one element tensors can be converted to Python scalars");
    }
    return d.typed()[d.offset]!;
  }

  /** Nested JS arrays (booleans for `bool` tensors), as PyTorch's `tolist()`. */
  tolist(): NestedArray {
    return this.data.tolist();
  }

  /** True after `dispose()` (or after `tidy` disposed it). */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * Releases this tensor's reference to its storage now (the bytes are freed when no view,
   * graph or other tensor still uses them). Using the tensor afterwards throws.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrackTensor(this.#data);
    this.#data.dispose();
    const g = this.#grad;
    if (g) {
      this.#setGrad(null);
      g.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** PyTorch's repr: `tensor([1., 2.], requires_grad=True)`, `grad_fn=<MulBackward0>`. */
  toString(): string {
    if (this.#disposed) return "tensor(<disposed>)";
    const d = this.#data;
    const suffixes: string[] = [];
    const fn = this.gradFn;
    if (fn) suffixes.push(`grad_fn=<${fn.name}>`);
    else if (this.#requiresGrad) suffixes.push("requires_grad=True");
    return formatTensor(d.toArray(), d.shape, d.dtype, { suffixes });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
