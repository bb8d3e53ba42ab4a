/**
 * Tensors saved for backward (PyTorch's `SavedVariable`): the graph's own reference to the
 * storage, the storage version at save time, and the checks made when backward reads them —
 * freed after backward ("Trying to backward through the graph a second time …") and modified
 * in place since ("one of the variables needed for gradient computation has been modified by
 * an inplace operation …"). The version counter lives on the storage, so writes through any
 * alias — `.data`, `detach()`, views — are caught.
 */
import { itemSize, type NDArray, RuntimeError, TORCH_NAME } from "@x/storage";
import { isAnomalyEnabled } from "./gradMode.js";
import type { AccumulateGrad, Node } from "./graph.js";
import { stats } from "./memory.js";
import type { Tensor } from "./tensor.js";

/** PyTorch's message for using a freed graph. */
export const BACKWARD_TWICE =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

const names = new WeakMap<Tensor, string>();

/**
 * Attaches a name to a tensor (used by `@x/nn` for parameters: `fc1.weight`), shown in the
 * version-counter error when that tensor was modified in place after being saved.
 *
 * @example
 * setTensorName(weight, "fc1.weight");
 */
export function setTensorName(t: Tensor, name: string | null): void {
  if (name === null) names.delete(t);
  else names.set(t, name);
}

/** The name attached with `setTensorName` (or `a view of NAME` for a view of a named tensor). */
export function tensorName(t: Tensor): string | null {
  const own = names.get(t);
  if (own !== undefined) return own;
  for (let b = t._base; b !== null; b = b._base) {
    const n = names.get(b);
    if (n !== undefined) return `a view of ${n}`;
  }
  return null;
}

/** A saved tensor's entry in the counts of `memory()`. */
interface Handle {
  bytes: number;
  live: boolean;
  registered: boolean;
}

// Uncounts the saved tensors of graphs dropped without a backward.
const savedRegistry = new FinalizationRegistry<Handle>((h) => {
  if (h.live) {
    stats.savedBytes -= h.bytes;
    stats.savedTensors--;
  }
});

// Saved tensors not registered yet: most are released by a backward within the same training
// step, and registering then unregistering each costs more than a small op. Those still alive
// are registered every `PENDING_LIMIT` saves and at the end of the current task (a microtask):
// before then, their finalizer could not have run anyway.
const PENDING_LIMIT = 1024;
const pending: SavedTensor[] = [];
let sweepQueued = false;

function sweepPending(): void {
  sweepQueued = false;
  for (let i = 0; i < pending.length; i++) pending[i]!._register();
  pending.length = 0;
}

function queueRegistration(s: SavedTensor): void {
  pending.push(s);
  if (pending.length >= PENDING_LIMIT) sweepPending();
  else if (!sweepQueued) {
    sweepQueued = true;
    queueMicrotask(sweepPending);
  }
}

/** Type name as PyTorch prints it in messages: `torch.FloatTensor`. */
export function torchTypeName(d: NDArray["dtype"]): string {
  return `torch.${TORCH_NAME[d]}Tensor`;
}

/** A tensor saved by a node, checked when backward reads it back. */
export class SavedTensor {
  #tensor: Tensor | null;
  #data: NDArray | null;
  readonly #version: number;
  readonly #gradFn: Node | null;
  readonly #outputNr: number;
  readonly #accumulator: AccumulateGrad | null;
  readonly #requiresGrad: boolean;
  readonly #name: string | null;
  readonly #handle: Handle;

  /** Saves `t` (an input, or an output of `saver` when `isOutput`). */
  constructor(t: Tensor, saver: Node | null, isOutput: boolean) {
    if (t.isInference() && !t._inferenceAllowed()) {
      throw new RuntimeError(
        "Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.",
      );
    }
    const d = t.data;
    this.#tensor = t;
    // The graph's own reference to the storage. NDArrays never change, so `d` itself is kept
    // (with one more reference to its storage, dropped by `release`).
    d.storage.retain();
    this.#data = d;
    this.#version = d.storage.version;
    const fn = t.gradFn;
    this.#gradFn = isOutput ? saver : fn;
    this.#outputNr = t._outputNr;
    this.#requiresGrad = t.requiresGrad;
    this.#accumulator = fn === null && this.#requiresGrad ? t._gradAccumulator() : null;
    this.#name = tensorName(t);
    this.#handle = { bytes: d.numel() * itemSize(d.dtype), live: true, registered: false };
    stats.savedBytes += this.#handle.bytes;
    stats.savedTensors++;
    queueRegistration(this);
  }

  /** @internal Registers this saved tensor with the finalizer (unless already released). */
  _register(): void {
    const h = this.#handle;
    if (!h.live || h.registered) return;
    h.registered = true;
    savedRegistry.register(this, h, h);
  }

  /** The saved tensor, after checking it was neither freed nor modified in place. */
  unpack(): Tensor {
    const d = this.#data;
    if (d === null) throw new RuntimeError(BACKWARD_TWICE);
    const now = d.storage.version;
    if (now !== this.#version) {
      const of = this.#gradFn ? `, which is output ${this.#outputNr} of ${this.#gradFn.name},` : "";
      const named = this.#name ? ` (${this.#name})` : "";
      const hint = isAnomalyEnabled()
        ? "Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!"
        : "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).";
      throw new RuntimeError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${torchTypeName(d.dtype)} [${d.shape.join(", ")}]]${named}${of} is at version ${now}; expected version ${this.#version} instead. ${hint}`,
      );
    }
    const t = this.#tensor;
    if (t && !t.isDisposed && (t.data === d || sameView(t.data, d)) && t.gradFn === this.#gradFn) {
      return t;
    }
    return this.#rebuild(d);
  }

  #rebuild(d: NDArray): Tensor {
    const ctor = this.#tensor!.constructor as unknown as {
      _fromSaved(
        d: NDArray,
        requiresGrad: boolean,
        gradFn: Node | null,
        outputNr: number,
        acc: AccumulateGrad | null,
      ): Tensor;
    };
    return ctor._fromSaved(d, this.#requiresGrad, this.#gradFn, this.#outputNr, this.#accumulator);
  }

  /** Frees the saved reference; a later `unpack` throws the backward-twice error. */
  release(): void {
    if (this.#data === null) return;
    this.#data.storage.release();
    this.#data = null;
    this.#tensor = null;
    if (this.#handle.live) {
      this.#handle.live = false;
      stats.savedBytes -= this.#handle.bytes;
      stats.savedTensors--;
      if (this.#handle.registered) savedRegistry.unregister(this.#handle);
    }
  }

  get released(): boolean {
    return this.#data === null;
  }
}

function sameView(a: NDArray, b: NDArray): boolean {
  if (a.storage !== b.storage || a.offset !== b.offset || a.dtype !== b.dtype) return false;
  if (a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) {
    if (a.shape[i] !== b.shape[i] || a.strides[i] !== b.strides[i]) return false;
  }
  return true;
}
