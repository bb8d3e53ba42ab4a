// Decides how many threads a kernel gets and hands out the work. A kernel estimates its
// single-thread time; below MIN_PARALLEL_MICROS it stays on the calling thread (a dispatch and
// a join cost a few microseconds even when the workers spin). Sleeping workers are woken for
// a large kernel; for a smaller one they are only pinged, so that they spin for the kernels that
// follow, and the calling thread does the work. The pool is created (and resized) lazily to
// `getNumThreads() - 1` workers on the first kernel large enough to want it. Kernels made of
// independent items (the images of a convolution) go through a shared queue (`runItems`): every
// thread claims items until none is left, so a worker that starts late costs nothing but its
// share, and the calling thread never waits for a worker that has not started.

import type { WasmHeap } from "../memory";
import type { WasmModule } from "../wasmApi";
import { ThreadPool, WorkerJobError } from "./pool";
import { getNumThreads, threadPlatform, threadsUnavailable, warnSingleThreaded } from "./threads";
import { MAX_ARGS, PROGRAM_RECORD, QUEUE_RECORD, queueField } from "./workerSource";

/** A call of a queued item: an export, its arguments, and the arguments (bit mask) to relocate. */
export type ItemCall = (name: string, args: readonly number[], relocate?: number) => void;

/** The most items of one queued kernel (the queue's index has 16 bits). */
export const MAX_ITEMS = 0xffff;
/** Worker slots the item queue has room for (workers beyond take no items). */
const QUEUE_SLOTS = 1024;
/** How long the calling thread spins on queued items of other threads before it sleeps (ms). */
const ITEMS_SPIN_MS = 2;

const clock = (globalThis as { performance?: { now(): number } }).performance ?? Date;

/** Kernels estimated below this many microseconds on one thread stay on the calling thread. */
export const MIN_PARALLEL_MICROS = 25;
/**
 * Kernels estimated below this wake no sleeping worker for themselves (they only ping it, so it
 * spins for the kernels that follow): a round trip to a sleeping worker measured ~65 µs here, to
 * a spinning one ~1.5 µs, so a split pays once each half saves more than the wake-up.
 */
const WAKE_MICROS = 150;

/**
 * The threads of one heap: its pool, per-thread scratch buffers and the dispatch policy.
 *
 * @example
 * const T = d.plan(estimateMicros);
 * for (let t = 1; t < T; t++) d.post(t, "gemm_f32", argsOf(t));
 * runPart0(); d.join(T);
 */
export class Dispatcher {
  readonly #heap: WasmHeap;
  readonly #module: WasmModule;
  readonly #names: readonly string[];
  readonly #index: Map<string, number>;
  readonly #shared: boolean;
  readonly #scratch = new Map<string, number>();
  #pool: ThreadPool | undefined;
  #ids: number[] = [];
  /** The shared item queue (i32 fields, then one delta per worker slot); never freed. */
  #queue = 0;
  #generation = 0;
  /** Arenas: one per worker slot, and the calling thread's; all of `#arenaBytes`. */
  #arenas: number[] = [];
  #arena = 0;
  #arenaBytes = 0;
  #records: Float64Array = new Float64Array(0);
  #offsets: number[] = [];
  #workerItems = 0;
  readonly #exports: Readonly<Record<string, (...a: number[]) => unknown>> | undefined;

  constructor(
    heap: WasmHeap,
    module: WasmModule,
    names: readonly string[],
    shared: boolean,
    exports?: Readonly<Record<string, (...a: number[]) => unknown>>,
  ) {
    this.#exports = exports;
    this.#heap = heap;
    this.#module = module;
    this.#names = names;
    this.#index = new Map(names.map((n, i) => [n, i]));
    this.#shared = shared;
  }

  /** The number of threads (≥ 1, the calling thread included) for a kernel of `micros`. */
  plan(micros: number): number {
    if (micros < MIN_PARALLEL_MICROS) return 1;
    const want = getNumThreads();
    if (want <= 1) return 1;
    const platform = threadPlatform();
    if (!platform) {
      warnSingleThreaded(threadsUnavailable() ?? "threads are unavailable");
      return 1;
    }
    if (!this.#shared) {
      warnSingleThreaded(
        "the backend's WebAssembly memory is not shared (create it with shared: true)",
      );
      return 1;
    }
    let pool = this.#pool;
    if (!pool) {
      pool = new ThreadPool(platform, this.#heap, this.#module, this.#names, want - 1);
      this.#pool = pool;
    } else if (pool.size !== want - 1) pool.resize(want - 1);
    const ids = this.#ids;
    ids.length = 0;
    for (let w = 0; w < want - 1; w++) {
      if (!pool.ready(w) || !pool.idle(w)) continue;
      if (pool.sleeping(w) && micros < WAKE_MICROS) pool.wake(w);
      else ids.push(w);
    }
    return 1 + ids.length;
  }

  /** Posts part `t` (1 ≤ t < plan's result) of a kernel: `exports[name](...args)`. */
  post(t: number, name: string, args: ArrayLike<number>): void {
    const fn = this.#index.get(name);
    if (fn === undefined) throw new Error(`no kernel ${name}`);
    this.#pool!.post(this.#ids[t - 1]!, fn, args);
  }

  /**
   * Posts part `t` as a program: the calls run in order on that worker. Arguments are numbers
   * (pointers, counts, scalars); at most MAX_ARGS per call.
   */
  postCalls(t: number, calls: readonly (readonly [string, ArrayLike<number>])[]): void {
    const p = this.scratch("program", t, Math.max(1, calls.length) * PROGRAM_RECORD * 8);
    const f64 = new Float64Array(this.#heap.views.buffer, p, calls.length * PROGRAM_RECORD);
    calls.forEach(([name, args], r) => {
      const fn = this.#index.get(name);
      if (fn === undefined) throw new Error(`no kernel ${name}`);
      if (args.length > MAX_ARGS)
        throw new RangeError(`a call takes at most ${MAX_ARGS} arguments`);
      f64[r * PROGRAM_RECORD] = fn;
      for (let i = 0; i < args.length; i++) f64[r * PROGRAM_RECORD + 1 + i] = args[i]!;
    });
    this.#pool!.post(this.#ids[t - 1]!, -3, [p, calls.length]);
  }

  /** Waits for parts 1 … T-1. */
  join(T: number): void {
    for (let t = 1; t < T; t++) this.#pool!.join(this.#ids[t - 1]!);
  }

  /** How many queued items (`runItems`) the workers have run, since this dispatcher was made. */
  get workerItems(): number {
    return this.#workerItems;
  }

  /**
   * The calling thread's arena of at least `bytes` (every worker has one of the same size): the
   * per-thread scratch of queued items. An item's arguments that point into the arena are given
   * as pointers into the calling thread's one and marked for relocation; each worker adds the
   * distance to its own.
   */
  arena(bytes: number): number {
    if (bytes > this.#arenaBytes || this.#arena === 0) {
      if (this.#arena !== 0) this.#heap.free(this.#arena);
      for (const p of this.#arenas) this.#heap.free(p);
      this.#arenas = [];
      this.#arenaBytes = Math.max(bytes, this.#arenaBytes, 16);
      this.#arena = this.#heap.alloc(this.#arenaBytes);
    }
    return this.#arena;
  }

  /**
   * Runs items 0 … count-1 (each a sequence of calls that `item(i, call)` makes, independent of
   * the others and of the thread that runs it: per-thread scratch lives in `arena`) on the
   * calling thread and, when the whole (about `micros` on one thread) is worth it, on the
   * workers, every thread claiming the next unclaimed item until none is left. On one thread,
   * `whole` (when given) runs instead of the items: the same work in fewer calls.
   *
   * @example
   * d.runItems(N, micros, (n, call) => call("im2col_f32", [...args, col], 1 << 17));
   */
  runItems(
    count: number,
    micros: number,
    item: (i: number, call: ItemCall) => void,
    whole?: () => void,
  ): void {
    const direct = this.#directCall();
    const T = count > 1 && count <= MAX_ITEMS ? Math.min(count, this.plan(micros)) : 1;
    if (T === 1) {
      if (whole) whole();
      else for (let i = 0; i < count; i++) item(i, direct);
      return;
    }
    // record every item, then let the threads claim them
    const offsets = this.#offsets;
    offsets.length = 0;
    let n = 0;
    let rec = this.#records;
    const record: ItemCall = (name, args, relocate = 0) => {
      const fn = this.#index.get(name);
      if (fn === undefined) throw new Error(`no kernel ${name}`);
      if (args.length > MAX_ARGS)
        throw new RangeError(`a call takes at most ${MAX_ARGS} arguments`);
      if ((n + 1) * QUEUE_RECORD > rec.length) {
        const grown = new Float64Array(Math.max(64, 2 * (n + 1)) * QUEUE_RECORD);
        grown.set(rec);
        rec = grown;
      }
      const q = n * QUEUE_RECORD;
      rec[q] = fn;
      rec[q + 1] = relocate;
      for (let j = 0; j < args.length; j++) rec[q + 2 + j] = args[j]!;
      rec.fill(0, q + 2 + args.length, q + QUEUE_RECORD);
      n++;
    };
    for (let i = 0; i < count; i++) {
      offsets.push(n);
      item(i, record);
    }
    offsets.push(n);
    this.#records = rec;
    const heap = this.#heap;
    const recordsPtr = this.scratch("queue-records", 0, Math.max(1, n) * QUEUE_RECORD * 8);
    const offsetsPtr = this.scratch("queue-offsets", 0, (count + 1) * 4);
    const views = heap.views;
    views.f64.set(rec.subarray(0, n * QUEUE_RECORD), recordsPtr / 8);
    views.i32.set(offsets, offsetsPtr / 4);
    const q = this.#queueBlock() / 4;
    const i32 = views.i32;
    this.#generation = (this.#generation + 1) & 0x7fff;
    const gen = this.#generation;
    // the new generation first: a worker posted for an earlier kernel that only now tries to
    // claim sees it and stops, before it could pair that kernel's exhausted index with this
    // kernel's count (and run, and count as finished, an item of this kernel twice)
    Atomics.store(i32, q + queueField.state, gen << 16);
    i32[q + queueField.finished] = 0;
    i32[q + queueField.count] = count;
    i32[q + queueField.records] = recordsPtr;
    i32[q + queueField.offsets] = offsetsPtr;
    i32[q + queueField.error] = 0;
    const workers = this.#ids.slice(0, T - 1).filter((w) => w < QUEUE_SLOTS);
    for (const w of workers) {
      i32[q + queueField.deltas + w] =
        this.#arenaBytes > 0 ? this.#workerArena(w) - this.#arena : 0;
    }
    for (const w of workers) this.#pool!.post(w, -4, [q * 4, gen, w]);
    // the calling thread's share: claim, run from the records, count
    let failure: unknown;
    let mine = 0;
    for (;;) {
      const st = Atomics.load(i32, q + queueField.state);
      const i = st & 0xffff;
      if (i >= count) break;
      if (Atomics.compareExchange(i32, q + queueField.state, st, st + 1) !== st) continue;
      mine++;
      try {
        for (let r = offsets[i]!; r < offsets[i + 1]!; r++) this.#replay(rec, r, direct);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(i32, q + queueField.finished, 1);
    }
    this.#awaitItems(i32, q, count);
    this.#workerItems += count - mine;
    if (failure !== undefined) throw failure;
    if (i32[q + queueField.error] === 1) {
      throw new WorkerJobError("@x/kernels-wasm: a kernel failed in a worker thread");
    }
  }

  #replay(rec: Float64Array, r: number, direct: ItemCall): void {
    const q = r * QUEUE_RECORD;
    const fn = this.#names[rec[q]!]!;
    const args: number[] = [];
    for (let j = 0; j < MAX_ARGS; j++) args.push(rec[q + 2 + j]!);
    direct(fn, args);
  }

  /** Waits until `count` items of the queue at i32 index q are finished. */
  #awaitItems(i32: Int32Array, q: number, count: number): void {
    let done = Atomics.load(i32, q + queueField.finished);
    if (done >= count) return;
    const canWait = threadPlatform()?.canWait ?? false;
    const t0 = clock.now();
    for (let k = 1; done < count; k++) {
      if ((k & 255) === 0 && canWait && clock.now() - t0 >= ITEMS_SPIN_MS) {
        Atomics.store(i32, q + queueField.callerWaiting, 1);
        Atomics.wait(i32, q + queueField.finished, done, 50);
        Atomics.store(i32, q + queueField.callerWaiting, 0);
      }
      done = Atomics.load(i32, q + queueField.finished);
    }
  }

  #queueBlock(): number {
    if (this.#queue === 0) {
      this.#queue = this.#heap.allocZeroed((queueField.deltas + QUEUE_SLOTS) * 4);
    }
    return this.#queue;
  }

  #workerArena(w: number): number {
    let p = this.#arenas[w];
    if (p === undefined) {
      p = this.#heap.alloc(this.#arenaBytes);
      this.#arenas[w] = p;
    }
    return p;
  }

  #directCall(): ItemCall {
    const fns = this.#exports;
    if (!fns)
      throw new Error("runItems needs the module's exports (the Dispatcher's 5th argument)");
    return (name, args) => fns[name]!(...args);
  }

  /** A scratch block of `bytes` for thread `t` under `key`, kept for reuse. */
  scratch(key: string, t: number, bytes: number): number {
    const k = `${key}/${t}`;
    let p = this.#scratch.get(k);
    if (p !== undefined && (this.#heap.sizeOf(p) ?? 0) >= bytes) return p;
    if (p !== undefined) this.#heap.free(p);
    p = this.#heap.alloc(bytes);
    this.#scratch.set(k, p);
    return p;
  }

  /** Stops the workers (a later kernel starts them again). */
  close(): void {
    this.#pool?.close();
    this.#pool = undefined;
  }
}
