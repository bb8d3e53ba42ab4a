/**
 * Memory accounting and deterministic freeing: live tensors, bytes held by saved tensors and by
 * gradients (`memory()`), and `tidy(fn)`, which disposes every tensor created inside `fn` that
 * is not returned (nor kept with `keep`, nor stored as some leaf's `.grad`).
 *
 * Buffers may live outside the JS heap (the WASM backend), so the byte counts come from the
 * storages; a `FinalizationRegistry` in `@x/storage` frees what was forgotten (and tells how
 * many tensors went with it).
 */
import { itemSize, type NDArray, onStorageCollected, storageStats } from "@x/storage";
import type { Tensor } from "./tensor.js";

/** Counters updated by the tensor and graph code. */
export const stats = { tensors: 0, savedBytes: 0, savedTensors: 0 };

// A tensor is counted until disposed, or until the garbage collector reclaims its storage (the
// storage reports how many counted tensors used it): no finalization record per tensor.
onStorageCollected((owners) => {
  stats.tensors -= owners;
});

type Scope = { tensors: Tensor[] };
const scopes: Scope[] = [];
const kept = new WeakSet<Tensor>();
let capture: Tensor[] | null = null;

/** Called by every tensor constructor: counts it and records it in the innermost `tidy`. */
export function trackTensor(t: Tensor, data: NDArray): void {
  stats.tensors++;
  data.storage._addOwners(1);
  if (capture !== null) capture.push(t);
  else {
    const s = scopes[scopes.length - 1];
    if (s) s.tensors.push(t);
  }
}

/**
 * @internal Makes new tensors go to `list` (not to the enclosing `tidy`) until the next call;
 * returns the previous list. The backward engine collects what built-in code creates, to free
 * it as soon as it is consumed.
 */
export function captureTensors(list: Tensor[] | null): Tensor[] | null {
  const prev = capture;
  capture = list;
  return prev;
}

/** @internal Records a captured tensor that user code may now hold in the innermost `tidy`. */
export function adoptTensor(t: Tensor): void {
  const s = scopes[scopes.length - 1];
  if (s) s.tensors.push(t);
}

/** Called when a tensor is disposed (before it lets go of `data`). */
export function untrackTensor(data: NDArray): void {
  stats.tensors--;
  data.storage._addOwners(-1);
}

/** Called when a live tensor moves from `from` to `to` (`t.data = …`). */
export function moveTensor(from: NDArray, to: NDArray): void {
  from.storage._addOwners(-1);
  to.storage._addOwners(1);
}

/** Snapshot of memory use (`x.memory()`). */
export interface MemoryInfo {
  /** Tensors created and not yet disposed nor collected. */
  tensors: number;
  /** Live storages (views share one) and their bytes, across backends. */
  storages: number;
  bytes: number;
  /** Tensors saved for backward by graphs not yet run (or retained), and their bytes. */
  savedTensors: number;
  savedBytes: number;
  /** Bytes held by `.grad` tensors of live leaves. */
  gradBytes: number;
}

const gradHolders = new Set<WeakRef<Tensor>>();
const gradHolderSeen = new WeakSet<Tensor>();

/** Remembers a tensor whose `.grad` was set, so `memory()` can count its bytes. */
export function noteGradHolder(t: Tensor): void {
  if (gradHolderSeen.has(t)) return;
  gradHolderSeen.add(t);
  gradHolders.add(new WeakRef(t));
}

/**
 * Live tensors and bytes, and how much is held by saved tensors and gradients.
 *
 * @example
 * const before = memory().tensors;
 * tidy(() => x.mul(2).sum());
 * memory().tensors - before; // 1: the returned sum
 */
export function memory(): MemoryInfo {
  let gradBytes = 0;
  for (const ref of gradHolders) {
    const t = ref.deref();
    const g = t === undefined || t.isDisposed ? null : t._rawGrad;
    if (!g || g.isDisposed) {
      gradHolders.delete(ref);
      if (t) gradHolderSeen.delete(t);
      continue;
    }
    gradBytes += g.numel() * itemSize(g.dtype);
  }
  return {
    tensors: stats.tensors,
    storages: storageStats.storages,
    bytes: storageStats.bytes,
    savedTensors: stats.savedTensors,
    savedBytes: stats.savedBytes,
    gradBytes,
  };
}

/** Keeps `t` from being disposed by the enclosing `tidy` calls. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

function collect(v: unknown, out: Set<unknown>, depth: number): void {
  if (v === null || typeof v !== "object" || depth > 4) return;
  if (out.has(v)) return;
  out.add(v);
  if (Array.isArray(v)) for (const e of v) collect(e, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const e of Object.values(v)) collect(e, out, depth + 1);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns (directly or
 * in arrays/plain objects), those kept with `keep()`, and gradients stored on leaves. Tensors
 * saved for backward stay usable: the graph holds its own reference to their storage.
 *
 * @example
 * const loss = tidy(() => model(input).sub(target).square().mean());
 */
export function tidy<T>(fn: () => T): T {
  const s: Scope = { tensors: [] };
  scopes.push(s);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const returned = new Set<unknown>();
  collect(result, returned, 0);
  const outer = scopes[scopes.length - 1];
  for (const t of s.tensors) {
    if (t.isDisposed) continue;
    if (returned.has(t) || kept.has(t) || t._isGradOfLeaf) {
      if (outer && !kept.has(t)) outer.tensors.push(t);
      continue;
    }
    t.dispose();
  }
  return result;
}
