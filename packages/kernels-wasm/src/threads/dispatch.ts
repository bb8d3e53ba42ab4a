// Decides how many threads a kernel gets and hands out the work. A kernel estimates its
// single-thread time; below MIN_PARALLEL_MICROS it stays on the calling thread (a dispatch and
// a join cost a few microseconds even when the workers spin). Sleeping workers are woken for
// a large kernel; for a smaller one they are only pinged, so that they spin for the kernels that
// follow, and the calling thread does the work. The pool is created (and resized) lazily to
// `getNumThreads() - 1` workers on the first kernel large enough to want it.

import type { WasmHeap } from "../memory";
import type { WasmModule } from "../wasmApi";
import { ThreadPool } from "./pool";
import { getNumThreads, threadPlatform, threadsUnavailable, warnSingleThreaded } from "./threads";
import { MAX_ARGS, PROGRAM_RECORD } from "./workerSource";

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

  constructor(heap: WasmHeap, module: WasmModule, names: readonly string[], shared: boolean) {
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
