/**
 * The backward engine's bookkeeping of intermediate gradients: which ones only the engine
 * holds (made by built-in formulas, never shown to user code), so that they are freed as soon
 * as they are consumed, accumulated in place and moved into `.grad` instead of copied.
 */
import { itemSize, type NDArray, sameShape } from "@x/storage";
import { adoptTensor } from "./memory.js";
import type { Tensor } from "./tensor.js";

/**
 * Gradients that only the engine holds (made by built-in formulas or by the engine itself, and
 * never shown to user code), with the number of input-buffer slots holding each: freed as soon
 * as the last slot is consumed, accumulated in place when exclusive, and moved (not copied)
 * into a leaf's `.grad`. Without this, every intermediate gradient would wait for the garbage
 * collector (whose finalizers never run inside a synchronous training loop).
 */
export class OwnedGrads {
  readonly #refs = new Map<Tensor, number>();

  /** Marks `t` (just made) as engine-owned, held by no slot yet. */
  own(t: Tensor): void {
    if (!this.#refs.has(t)) this.#refs.set(t, 0);
  }

  /** Slots holding `t` (undefined when not owned). */
  refs(t: Tensor): number | undefined {
    return this.#refs.get(t);
  }

  /** One more slot holds `t`. */
  hold(t: Tensor): void {
    const c = this.#refs.get(t);
    if (c !== undefined) this.#refs.set(t, c + 1);
  }

  /** One slot let go of `t`: frees it when none is left. */
  drop(t: Tensor): void {
    const c = this.#refs.get(t);
    if (c === undefined) return;
    if (c <= 1) {
      this.#refs.delete(t);
      t.dispose();
    } else this.#refs.set(t, c - 1);
  }

  /** Frees `t` if owned and held by no slot. */
  sweep(t: Tensor | null | undefined): void {
    if (t && this.#refs.get(t) === 0) {
      this.#refs.delete(t);
      t.dispose();
    }
  }

  /** User code sees `t` now: it is no longer the engine's to free. */
  escape(t: Tensor | null | undefined): void {
    if (t && this.#refs.delete(t)) adoptTensor(t);
  }

  /** `t` was moved into a leaf's `.grad`. */
  forget(t: Tensor): void {
    this.#refs.delete(t);
  }

  /** Frees everything still owned (after an error). */
  clear(): void {
    for (const t of this.#refs.keys()) t.dispose();
    this.#refs.clear();
  }
}

/**
 * Sorts what built-in code just made (`made`, emptied): the gradients it returned in `out`
 * become engine-owned, the rest are temporaries, freed now.
 */
export function keepReturned(
  made: Tensor[],
  out: readonly (Tensor | null)[],
  owned: OwnedGrads,
): void {
  for (const t of made) {
    if (out.includes(t)) owned.own(t);
    else t.dispose();
  }
  made.length = 0;
}

/** Whether `t` is the only user of its storage and dense, so it may be written in place. */
export function exclusive(t: Tensor): boolean {
  const d = t.data;
  return d.storage.refCount === 1 && d.isContiguous();
}

/** Whether `g` can become the `.grad` of a tensor over `v` as is: dense, alone in its storage. */
export function takeable(g: NDArray, v: NDArray): boolean {
  return (
    g.storage.refCount === 1 &&
    g.offset === 0 &&
    g.dtype === v.dtype &&
    g.isContiguous() &&
    v.isContiguous() &&
    sameShape(g.shape, v.shape) &&
    g.storage.byteLength === g.numel() * itemSize(g.dtype)
  );
}
