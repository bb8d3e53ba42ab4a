// An allocator over one WebAssembly.Memory: 16-byte aligned blocks in size classes (16-byte steps
// up to 256 B, then four classes per power of two), per-class free lists for reuse, a bump pointer
// that grows the memory geometrically, and typed-array views refreshed after every growth.
// Exhausting the 4 GiB wasm32 address space throws `WasmOutOfMemoryError`, never a crash.

import { ModuleBuilder } from "./asm/moduleBuilder";
import { type WasmMemory, wasmApi } from "./wasmApi";

/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The most pages a wasm32 memory can have (4 GiB). */
export const MAX_PAGES = 65536;
/** Alignment of every block, in bytes (one v128). */
export const ALIGN = 16;

const SMALL_LIMIT = 256;
const SMALL_CLASSES = SMALL_LIMIT / ALIGN;

/** Thrown when an allocation cannot be satisfied within the memory's maximum size. */
export class WasmOutOfMemoryError extends Error {
  override readonly name = "WasmOutOfMemoryError";
}

/** Typed views over the whole memory; replaced (not updated) when the memory grows. */
export interface HeapViews {
  readonly buffer: ArrayBufferLike;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

/** Counters of a heap. */
export interface HeapStats {
  /** Bytes in live blocks (rounded up to their size class). */
  readonly liveBytes: number;
  /** Number of live blocks. */
  readonly liveBlocks: number;
  /** Bytes in freed blocks waiting for reuse. */
  readonly freeBytes: number;
  /** End of the highest block ever carved (the bump pointer). */
  readonly topBytes: number;
  /** Current size of the memory. */
  readonly memoryBytes: number;
}

/** Options of a heap that creates its own memory. */
export interface HeapOptions {
  /** Initial size in pages. Default 16 (1 MiB). */
  readonly initialPages?: number;
  /** Maximum size in pages, at most 65536 (4 GiB). Default 65536. */
  readonly maximumPages?: number;
  /** A shared memory (for worker threads). Default false. */
  readonly shared?: boolean;
  /** Bytes at the start of the memory never handed out (address 0 stays invalid). Default 1024. */
  readonly reservedBytes?: number;
  /**
   * Memory size from which the first growth prints, once, where unreferenced tensors go (see
   * `GROWTH_WARNING`). Default 1 GiB; `Infinity` never warns.
   */
  readonly warnAtBytes?: number;
}

/**
 * Printed once per heap when the memory first grows past `warnAtBytes`. Storages that nothing
 * references are freed by a FinalizationRegistry, whose callbacks run only between tasks of the
 * event loop: a synchronous training loop that neither disposes nor uses `tidy` keeps every
 * step's tensors until it ends (seen: 2.7 GB after 600 CNN steps, and each step slower from the
 * fresh pages it touches).
 */
export const GROWTH_WARNING =
  "tensors that nothing references any more are freed only between tasks of the event loop, " +
  "so a synchronous loop keeps every step's tensors until it returns: free each step's " +
  "tensors with x.tidy(() => { ... }), `using`, or dispose()";

/**
 * The size class of a request: its index and its block size.
 *
 * @example
 * sizeClass(100); // { index: 6, bytes: 112 }
 * sizeClass(1000); // { index: 23, bytes: 1024 }
 */
export function sizeClass(bytes: number): { index: number; bytes: number } {
  const index = classIndex(bytes);
  return { index, bytes: classBytes(index) };
}

/** The size class index of a request (`sizeClass(bytes).index`, without an object). */
function classIndex(bytes: number): number {
  if (bytes <= SMALL_LIMIT) return bytes <= ALIGN ? 0 : ((bytes + ALIGN - 1) >>> 4) - 1;
  const k = 31 - Math.clz32(bytes - 1); // 2^k < bytes <= 2^(k+1), k >= 8
  if (k >= 31) return sizeClassSlow(bytes).index;
  const base = 1 << k;
  const j = Math.ceil((bytes - base) / (base >>> 2)); // 1..4
  return SMALL_CLASSES + (k - 8) * 4 + (j - 1);
}

function sizeClassSlow(bytes: number): { index: number; bytes: number } {
  if (bytes <= SMALL_LIMIT) {
    const index = Math.max(1, Math.ceil(bytes / ALIGN)) - 1;
    return { index, bytes: (index + 1) * ALIGN };
  }
  const k = 31 - Math.clz32(bytes - 1); // 2^k < bytes <= 2^(k+1), k >= 8
  const base = 2 ** k;
  const step = base / 4;
  const j = Math.ceil((bytes - base) / step); // 1..4
  return { index: SMALL_CLASSES + (k - 8) * 4 + (j - 1), bytes: base + j * step };
}

/** `memory.fill` of a tiny module over `memory` (shared or not). */
function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
}

function fillFunction(memory: WasmMemory): (dst: number, value: number, len: number) => void {
  const shared = isShared(memory);
  const m = new ModuleBuilder();
  m.importMemory(
    "env",
    "memory",
    shared ? { initial: 1, maximum: MAX_PAGES, shared } : { initial: 1 },
  );
  m.func({ name: "fill", params: { dst: "i32", value: "i32", len: "i32" } }, (b, p) => {
    b.memoryFill(p.dst.get(), p.value.get(), p.len.get());
  });
  const api = wasmApi();
  const instance = new api.Instance(new api.Module(m.toBytes()), { env: { memory } });
  return instance.exports.fill as (dst: number, value: number, len: number) => void;
}

function makeViews(buffer: ArrayBufferLike): HeapViews {
  return {
    buffer,
    u8: new Uint8Array(buffer),
    i32: new Int32Array(buffer),
    u32: new Uint32Array(buffer),
    f32: new Float32Array(buffer),
    f64: new Float64Array(buffer),
  };
}

/**
 * A size-class allocator over a WebAssembly memory.
 *
 * @example
 * const heap = new WasmHeap();
 * const p = heap.alloc(4 * 1000); // 16-byte aligned byte address
 * heap.views.f32.fill(1, p / 4, p / 4 + 1000);
 * heap.free(p); // the next alloc of that class reuses p
 */
export class WasmHeap {
  /** The memory the blocks live in; pass it to the kernel module's imports. */
  readonly memory: WasmMemory;
  readonly #maxBytes: number;
  readonly #free: number[][] = [];
  readonly #live = new Map<number, number>(); // address -> class index (alloc/free)
  readonly #oversized = new Map<number, number>(); // allocBlock blocks of a larger class
  #blocks = 0; // live allocBlock blocks
  #taken = 0; // class index of the last #take
  #takenClean = false; // whether the last #take's block had never been handed out (so is zero)
  #clean: number; // bytes from here up were never handed out (memory starts and grows zeroed)
  #fill: ((dst: number, value: number, len: number) => void) | undefined;
  /** Size from which zeroing calls memory.fill (TypedArray fill is slow on shared memory). */
  readonly #fillFrom: number;
  readonly #growListeners = new Set<(views: HeapViews) => void>();
  #views: HeapViews;
  #top: number;
  #liveBytes = 0;
  #freeBytes = 0;
  readonly #warnAt: number;

  /** Wraps `memory` (with its `maximumPages`), or creates a memory from the options. */
  constructor(options: HeapOptions & { readonly memory?: WasmMemory } = {}) {
    const maximumPages = options.maximumPages ?? MAX_PAGES;
    if (!Number.isInteger(maximumPages) || maximumPages < 1 || maximumPages > MAX_PAGES) {
      throw new RangeError(`maximumPages must be an integer in [1, ${MAX_PAGES}]`);
    }
    this.memory =
      options.memory ??
      new (wasmApi().Memory)({
        initial: Math.min(options.initialPages ?? 16, maximumPages),
        maximum: maximumPages,
        shared: options.shared ?? false,
      });
    this.#maxBytes = maximumPages * PAGE_BYTES;
    this.#views = makeViews(this.memory.buffer);
    this.#fillFrom = isShared(this.memory) ? 64 : 1 << 18;
    this.#warnAt = options.warnAtBytes ?? 2 ** 30;
    const reserved = options.reservedBytes ?? 1024;
    this.#top = Math.max(ALIGN, Math.ceil(reserved / ALIGN) * ALIGN);
    // a memory of our own is all zeros above the reserved bytes; one given to us may not be
    this.#clean = options.memory ? this.#maxBytes : this.#top;
  }

  /** Typed views over the current memory buffer (refreshed after growth). */
  get views(): HeapViews {
    return this.#views;
  }

  /** Re-reads `memory.buffer` (for growth done outside this heap); returns the views. */
  refresh(): HeapViews {
    const buffer = this.memory.buffer;
    if (buffer !== this.#views.buffer || buffer.byteLength !== this.#views.u8.byteLength) {
      this.#views = makeViews(buffer);
      for (const listener of this.#growListeners) listener(this.#views);
    }
    return this.#views;
  }

  /** Calls `listener` with the new views after each growth; returns an unsubscribe function. */
  onGrow(listener: (views: HeapViews) => void): () => void {
    this.#growListeners.add(listener);
    return () => this.#growListeners.delete(listener);
  }

  /** Counters: live, free and total bytes. */
  get stats(): HeapStats {
    return {
      liveBytes: this.#liveBytes,
      liveBlocks: this.#live.size + this.#blocks,
      freeBytes: this.#freeBytes,
      topBytes: this.#top,
      memoryBytes: this.#views.buffer.byteLength,
    };
  }

  /**
   * Allocates a 16-byte aligned block of at least `bytes` bytes (contents unspecified) and returns
   * its byte address. Throws `WasmOutOfMemoryError` when the memory cannot hold it.
   */
  alloc(bytes: number): number {
    const ptr = this.#take(bytes);
    this.#live.set(ptr, this.#taken);
    return ptr;
  }

  /** Allocates like `alloc` and zero-fills the block. */
  allocZeroed(bytes: number): number {
    const ptr = this.alloc(bytes);
    if (!this.#takenClean) this.zero(ptr, bytes);
    return ptr;
  }

  /**
   * Allocates a zero-filled block (left as it is when `zeroed` is false) that the caller frees
   * with `freeBlock(ptr, bytes)`, giving the same `bytes`: no per-block bookkeeping (the
   * storages of a backend, which keep their size).
   *
   * @example
   * const p = heap.allocBlock(64);
   * heap.freeBlock(p, 64);
   */
  allocBlock(bytes: number, zeroed = true): number {
    const ptr = this.#take(bytes);
    if (this.#taken !== classIndex(bytes)) this.#oversized.set(ptr, this.#taken);
    this.#blocks++;
    // memory never handed out is still zero: no pass over it (its pages are not even touched)
    if (zeroed && !this.#takenClean) this.zero(ptr, bytes);
    return ptr;
  }

  /** Frees a block of `allocBlock(bytes)`. */
  freeBlock(ptr: number, bytes: number): void {
    let index = classIndex(bytes);
    if (this.#oversized.size !== 0) {
      const larger = this.#oversized.get(ptr);
      if (larger !== undefined) {
        this.#oversized.delete(ptr);
        index = larger;
      }
    }
    this.#blocks--;
    this.#release(ptr, index);
  }

  /** Frees a block returned by `alloc`; freeing anything else (or twice) throws. */
  free(ptr: number): void {
    const index = this.#live.get(ptr);
    if (index === undefined) throw new Error(`free: ${ptr} is not a live block of this heap`);
    this.#live.delete(ptr);
    this.#release(ptr, index);
  }

  /**
   * Zeroes `bytes` bytes at `ptr` (a few stores for tiny ranges, else WebAssembly's memset, far
   * faster than `TypedArray.prototype.fill` on a shared memory).
   *
   * @example
   * heap.zero(p, 4 * n);
   */
  zero(ptr: number, bytes: number): void {
    if (bytes <= 64) {
      // a few stores beat any call for tiny ranges
      if (((ptr | bytes) & 7) === 0) {
        const f64 = this.#views.f64;
        for (let i = ptr >>> 3, end = (ptr + bytes) >>> 3; i < end; i++) f64[i] = 0;
      } else {
        const u8 = this.#views.u8;
        for (let i = ptr, end = ptr + bytes; i < end; i++) u8[i] = 0;
      }
    } else if (bytes < this.#fillFrom) this.#views.u8.fill(0, ptr, ptr + bytes);
    else {
      // WebAssembly's memory.fill is a memset, also on a shared memory (where fill is not)
      this.#fill ??= fillFunction(this.memory);
      this.#fill(ptr, 0, bytes);
    }
  }

  /** Takes a block of `bytes`' class (or a larger free one); its class index is left in #taken. */
  #take(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new RangeError(`alloc: size must be a non-negative number of bytes, got ${bytes}`);
    }
    if (bytes > this.#maxBytes) throw this.#outOfMemory(bytes);
    const index = classIndex(bytes);
    const size = classBytes(index);
    const list = this.#free[index];
    let ptr = list === undefined || list.length === 0 ? undefined : list.pop();
    if (ptr !== undefined) {
      this.#freeBytes -= size;
      this.#takenClean = false;
    } else if (this.#top + size <= this.#maxBytes) {
      if (this.#top + size > this.#views.u8.length) this.#ensure(this.#top + size);
      ptr = this.#top;
      this.#top += size;
      this.#takenClean = ptr >= this.#clean;
      if (this.#top > this.#clean) this.#clean = this.#top;
    } else {
      return this.#takeLarger(bytes, index);
    }
    this.#taken = index;
    this.#liveBytes += size;
    return ptr;
  }

  #release(ptr: number, index: number): void {
    const size = classBytes(index);
    this.#liveBytes -= size;
    if (ptr + size === this.#top) {
      this.#top = ptr;
      return;
    }
    let list = this.#free[index];
    if (!list) {
      list = [];
      this.#free[index] = list;
    }
    list.push(ptr);
    this.#freeBytes += size;
  }

  /** The usable size of a live block, or `undefined` if `ptr` is not one. */
  sizeOf(ptr: number): number | undefined {
    const index = this.#live.get(ptr);
    return index === undefined ? undefined : classBytes(index);
  }

  /** Drops every free list (their blocks stay carved; used after bulk frees to bound lists). */
  trim(): void {
    this.#free.length = 0;
    this.#freeBytes = 0;
  }

  #ensure(end: number): void {
    const have = this.#views.buffer.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE_BYTES;
    const needPages = Math.ceil((end - have) / PAGE_BYTES);
    const maxPages = this.#maxBytes / PAGE_BYTES;
    // Grow geometrically (by half the current size, capped at 1 GiB) to amortise growth.
    const want = Math.min(
      Math.max(needPages, Math.ceil(havePages / 2)),
      16384,
      maxPages - havePages,
    );
    try {
      this.memory.grow(Math.max(want, needPages));
    } catch {
      try {
        this.memory.grow(needPages);
      } catch (err) {
        throw this.#outOfMemory(end - this.#top, err);
      }
    }
    this.refresh();
    const grown = this.#views.buffer.byteLength;
    if (have < this.#warnAt && grown >= this.#warnAt) {
      const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
      console.warn(
        `@x/kernels-wasm: WebAssembly memory grew to ${mib(grown)} ` +
          `(live blocks: ${mib(this.#liveBytes)}, free-listed ${mib(this.#freeBytes)}); ` +
          GROWTH_WARNING,
      );
    }
  }

  #takeLarger(bytes: number, index: number): number {
    for (let i = index + 1; i < this.#free.length; i++) {
      const ptr = this.#free[i]?.pop();
      if (ptr === undefined) continue;
      const size = classBytes(i);
      this.#freeBytes -= size;
      this.#liveBytes += size;
      this.#taken = i;
      this.#takenClean = false;
      return ptr;
    }
    throw this.#outOfMemory(bytes);
  }

  #outOfMemory(bytes: number, cause?: unknown): WasmOutOfMemoryError {
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    return new WasmOutOfMemoryError(
      `WebAssembly memory exhausted: cannot allocate ${bytes} bytes ` +
        `(live ${mib(this.#liveBytes)} in ${this.#live.size} blocks, ` +
        `free-listed ${mib(this.#freeBytes)}, limit ${mib(this.#maxBytes)}` +
        `${this.#maxBytes === MAX_PAGES * PAGE_BYTES ? ", the 4 GiB wasm32 address space" : ""}). ` +
        "Dispose tensors that are no longer needed.",
      cause === undefined ? undefined : { cause },
    );
  }
}

function classBytes(index: number): number {
  if (index < SMALL_CLASSES) return (index + 1) * ALIGN;
  const k = 8 + Math.floor((index - SMALL_CLASSES) / 4);
  const j = ((index - SMALL_CLASSES) % 4) + 1;
  return 2 ** k + j * 2 ** (k - 2);
}
