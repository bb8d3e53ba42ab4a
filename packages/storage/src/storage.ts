/**
 * Storage: a refcounted byte buffer owned by a backend, shared by every view of it, with the
 * version counter that every in-place write through any alias bumps.
 *
 * The bytes may live outside the JS heap (WASM linear memory): nothing above the backend may
 * assume an `ArrayBuffer` of its own. `typed(dtype)` gives a typed-array view that is refreshed
 * when the backend's memory has grown.
 */
import type { Allocation, Backend } from "./backend.js";
import { type DType, itemSize, type TypedArray, typedArrayOf } from "./dtype.js";
import { RuntimeError } from "./errors.js";

interface Held {
  backend: Backend;
  /** Null once freed (so that nothing keeps a freed JS-heap buffer reachable). */
  allocation: Allocation | null;
  byteLength: number;
  /** Objects counted elsewhere that use this storage (tensors), see `onStorageCollected`. */
  owners: number;
}

/** Live storages and bytes, across all backends (`memory()` reports these). */
export const storageStats = { storages: 0, bytes: 0 };

function freeHeld(h: Held): void {
  storageStats.storages--;
  storageStats.bytes -= h.byteLength;
  h.backend.free(h.allocation!);
  h.allocation = null;
}

let collected: ((owners: number) => void) | null = null;

/**
 * @internal Sets the function told how many owners (`Storage._addOwners`) a storage had when
 * the garbage collector reclaimed it: `@x/autograd` counts live tensors this way, with no
 * finalization record of their own (one per op would cost more than a small op).
 */
export function onStorageCollected(fn: ((owners: number) => void) | null): void {
  collected = fn;
}

// Frees what users forgot to dispose, once the Storage object itself is unreachable.
const registry = new FinalizationRegistry<Held>((h) => {
  freeHeld(h);
  if (h.owners !== 0 && collected !== null) collected(h.owners);
});

// Storages not registered yet. Most storages are freed within microseconds of their creation
// (an op's temporaries, gradients consumed at once), and registering then unregistering one
// costs more than a small op: only those still alive when the list is swept get registered.
// The list is swept every `PENDING_LIMIT` storages and at the end of the current task (a
// microtask), so a forgotten storage is left to the garbage collector as before — its finalizer
// could not run before the task ends anyway.
const PENDING_LIMIT = 1024;
const pending: Storage[] = [];
let sweepQueued = false;

function sweepPending(): void {
  sweepQueued = false;
  for (let i = 0; i < pending.length; i++) pending[i]!._register();
  pending.length = 0;
}

function queueRegistration(s: Storage): void {
  pending.push(s);
  if (pending.length >= PENDING_LIMIT) sweepPending();
  else if (!sweepQueued) {
    sweepQueued = true;
    queueMicrotask(sweepPending);
  }
}

export class Storage {
  readonly backend: Backend;
  readonly byteLength: number;
  #allocation: Allocation | null;
  #held: Held;
  #refs = 1;
  #version = 0;
  #view: TypedArray | null = null;
  #viewDType: DType | null = null;
  #registered = false;

  /** `byteLength` bytes on `backend`: zero-filled, or unspecified when `zeroed` is false. */
  constructor(backend: Backend, byteLength: number, zeroed = true) {
    this.backend = backend;
    this.byteLength = byteLength;
    this.#allocation = backend.alloc(byteLength, zeroed);
    this.#held = { backend, allocation: this.#allocation, byteLength, owners: 0 };
    storageStats.storages++;
    storageStats.bytes += byteLength;
    queueRegistration(this);
  }

  /** @internal Registers this storage with the finalizer (unless already freed). */
  _register(): void {
    if (this.#allocation === null || this.#registered) return;
    this.#registered = true;
    registry.register(this, this.#held, this);
  }

  /** Bumped by every in-place write through any alias of this storage. */
  get version(): number {
    return this.#version;
  }

  bumpVersion(): void {
    this.#version++;
  }

  /** References held by views; the bytes are freed when it reaches zero. */
  get refCount(): number {
    return this.#refs;
  }

  get disposed(): boolean {
    return this.#allocation === null;
  }

  /** Byte offset of this storage in `buffer` (a pointer, for WASM kernels). */
  get ptr(): number {
    return this.#live().ptr;
  }

  /** The backing memory (may be replaced when a backend's memory grows). */
  get buffer(): ArrayBufferLike {
    return this.#live().buffer;
  }

  /** A typed view of the whole storage as `dtype` elements. */
  typed(dtype: DType): TypedArray {
    const a = this.#live();
    const v = this.#view;
    if (v !== null && this.#viewDType === dtype && v.buffer === a.buffer) return v;
    const n = Math.floor(this.byteLength / itemSize(dtype));
    const view = typedArrayOf(dtype, a.buffer, a.ptr, n);
    this.#view = view;
    this.#viewDType = dtype;
    return view;
  }

  /**
   * @internal Notes `delta` more (or fewer) owners: objects counted elsewhere that hold a view
   * of this storage, reported to `onStorageCollected` if the garbage collector reclaims it.
   */
  _addOwners(delta: number): void {
    this.#held.owners += delta;
  }

  retain(): this {
    this.#live();
    this.#refs++;
    return this;
  }

  /** Drops one reference; frees the bytes when none is left. */
  release(): void {
    if (this.#allocation === null) return;
    if (--this.#refs <= 0) this.#free();
  }

  /** Frees the bytes now, whatever the reference count. */
  dispose(): void {
    if (this.#allocation !== null) this.#free();
  }

  #free(): void {
    if (this.#registered) registry.unregister(this);
    freeHeld(this.#held);
    this.#allocation = null;
    this.#view = null;
    this.#refs = 0;
  }

  #live(): Allocation {
    const a = this.#allocation;
    if (a === null) throw new RuntimeError("Trying to use a tensor whose memory was disposed");
    return a;
  }
}
