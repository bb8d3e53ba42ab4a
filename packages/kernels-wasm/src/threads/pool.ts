// A pool of worker threads over one shared WebAssembly memory. The control block (one slot per
// worker, in the heap) carries each job: the export's index and up to MAX_ARGS numbers. The
// caller posts jobs (`post`), runs its own share, then `join`s: it spins on each worker's `done`
// and, where this thread may block and a job runs long, sleeps in `Atomics.wait`. Workers start
// asynchronously; until a worker reports ready it gets no work, so the first kernels after
// `setNumThreads` run with fewer threads instead of waiting for workers to boot.

import type { WasmHeap } from "../memory";
import type { WasmMemory, WasmModule } from "../wasmApi";
import type { ThreadPlatform, WorkerHandle } from "./platform";
import { ARGS_OFFSET, MAX_ARGS, SLOT_BYTES, slotField } from "./workerSource";

/** How long a worker spins after a job before it sleeps (microseconds). */
export const SPIN_MICROS = 200;
/** How long the caller spins on a job before it sleeps, where it may (milliseconds). */
const JOIN_SPIN_MS = 2;

const clock = (globalThis as { performance?: { now(): number } }).performance ?? Date;

/** Thrown by `join` when a job failed in a worker. */
export class WorkerJobError extends Error {
  override readonly name = "WorkerJobError";
}

/**
 * Worker threads serving kernel calls on a shared heap.
 *
 * @example
 * const pool = new ThreadPool(platform, heap, module, names, 1);
 * if (pool.ready(0)) { pool.post(0, names.indexOf("gemm_f32"), args); pool.join(0); }
 */
export class ThreadPool {
  readonly #platform: ThreadPlatform;
  readonly #heap: WasmHeap;
  readonly #control: number;
  readonly #capacity: number;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #workers: WorkerHandle[] = [];
  readonly #seq: number[] = [];
  readonly #ready: boolean[] = [];
  readonly #init: { module: WasmModule; memory: WasmMemory; names: readonly string[] };

  /** Starts `count` workers (at most `capacity`, the slots reserved). */
  constructor(
    platform: ThreadPlatform,
    heap: WasmHeap,
    module: WasmModule,
    names: readonly string[],
    count: number,
    capacity = Math.max(count, 64),
  ) {
    this.#platform = platform;
    this.#heap = heap;
    this.#capacity = capacity;
    this.#control = heap.allocZeroed(capacity * SLOT_BYTES);
    const buffer = heap.views.buffer;
    this.#i32 = new Int32Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#init = { module, memory: heap.memory, names };
    this.resize(count);
  }

  /** Number of workers (started or starting). */
  get size(): number {
    return this.#workers.length;
  }

  /** Starts or stops workers so that there are `count` (at most the capacity). */
  resize(count: number): void {
    const n = Math.min(Math.max(0, count), this.#capacity);
    while (this.#workers.length > n) {
      const w = this.#workers.length - 1;
      this.#workers.pop()!.terminate();
      this.#ready.pop();
      this.#seq.pop();
      this.#i32.fill(0, this.#slot(w), this.#slot(w) + SLOT_BYTES / 4);
    }
    while (this.#workers.length < n) {
      const w = this.#workers.length;
      this.#seq.push(0);
      this.#ready.push(false);
      this.#workers.push(
        this.#platform.spawn({
          ...this.#init,
          slot: this.#control + w * SLOT_BYTES,
          spinMicros: SPIN_MICROS,
        }),
      );
    }
  }

  #slot(w: number): number {
    return (this.#control + w * SLOT_BYTES) >> 2;
  }

  /** Whether worker `w` has started and can take jobs. */
  ready(w: number): boolean {
    if (this.#ready[w]) return true;
    if (w >= this.#workers.length) return false;
    const r = Atomics.load(this.#i32, this.#slot(w) + slotField.ready) === 1;
    this.#ready[w] = r;
    return r;
  }

  /** The number of workers ready, counting from worker 0 (at most `max`). */
  readyCount(max = this.#workers.length): number {
    let n = 0;
    while (n < max && this.ready(n)) n++;
    return n;
  }

  /** Whether worker `w` has finished its last job (it may take another). */
  idle(w: number): boolean {
    return Atomics.load(this.#i32, this.#slot(w) + slotField.done) === this.#seq[w];
  }

  /** Whether worker `w` is asleep (a job would first have to wake it). */
  sleeping(w: number): boolean {
    return Atomics.load(this.#i32, this.#slot(w) + slotField.sleeping) === 1;
  }

  /** Posts `exports[names[fn]](...args)` to worker `w` (ready, and joined since its last job). */
  post(w: number, fn: number, args: ArrayLike<number>): void {
    if (args.length > MAX_ARGS) throw new RangeError(`a job takes at most ${MAX_ARGS} arguments`);
    const s = this.#slot(w);
    const a = (this.#control + w * SLOT_BYTES + ARGS_OFFSET) >> 3;
    const f64 = this.#f64;
    for (let i = 0; i < args.length; i++) f64[a + i] = args[i]!;
    this.#i32[s + slotField.fn] = fn;
    const seq = (this.#seq[w]! + 1) | 0;
    this.#seq[w] = seq;
    Atomics.store(this.#i32, s + slotField.seq, seq);
    if (Atomics.load(this.#i32, s + slotField.sleeping) === 1) {
      Atomics.notify(this.#i32, s + slotField.seq, 1);
    }
  }

  /** Wakes worker `w` without giving it work (so that it spins for the next kernels). */
  wake(w: number): void {
    this.post(w, -1, []);
  }

  /** Waits until worker `w` has finished its last job; throws if the job threw. */
  join(w: number): void {
    const s = this.#slot(w);
    const i32 = this.#i32;
    const seq = this.#seq[w]!;
    let done = Atomics.load(i32, s + slotField.done);
    if (done !== seq) {
      const t0 = clock.now();
      for (let k = 1; done !== seq; k++) {
        if ((k & 255) === 0 && this.#platform.canWait && clock.now() - t0 >= JOIN_SPIN_MS) {
          Atomics.store(i32, s + slotField.callerWaiting, 1);
          Atomics.wait(i32, s + slotField.done, done, 50);
          Atomics.store(i32, s + slotField.callerWaiting, 0);
        }
        done = Atomics.load(i32, s + slotField.done);
      }
    }
    if (Atomics.load(i32, s + slotField.error) === 1) {
      Atomics.store(i32, s + slotField.error, 0);
      throw new WorkerJobError("@x/kernels-wasm: a kernel failed in a worker thread");
    }
  }

  /** Stops every worker and frees the control block. */
  close(): void {
    this.resize(0);
    this.#heap.free(this.#control);
  }
}
