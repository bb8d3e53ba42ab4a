// The code every worker thread runs, as JavaScript source text (so it needs no build step and no
// file: the platform adapters start it from a string). A worker instantiates the kernel module
// over the shared memory, marks itself ready in its slot of the control block, then serves jobs:
// it spins on its sequence number for a while after each job (waking a sleeping thread costs
// tens of microseconds, a spinning one a fraction of one), then sleeps in `Atomics.wait`.

/** Bytes per worker slot in the control block (a few cache lines, no false sharing). */
export const SLOT_BYTES = 256;
/** Most arguments of one job (f64 each). */
export const MAX_ARGS = 24;

/** i32 indices of the fields of a slot, relative to the slot's first i32. */
export const slotField = {
  /** Job sequence number, bumped by the caller to post a job. */
  seq: 0,
  /** 1 while the worker sleeps in `Atomics.wait` on `seq`. */
  sleeping: 1,
  /**
   * The kernel's export index; -1 is a no-op (a wake-up), -2 asks the worker to exit, -3 runs a
   * program: `count` (argument 1) records of PROGRAM_RECORD f64 at byte address argument 0.
   */
  fn: 2,
  /** The `seq` of the last finished job. */
  done: 3,
  /** 1 once a job has thrown. */
  error: 4,
  /** 1 while the caller sleeps on `done`. */
  callerWaiting: 5,
  /** 1 once the worker is ready. */
  ready: 6,
} as const;
/** Byte offset of the f64 arguments in a slot. */
export const ARGS_OFFSET = 32;

/** What a worker receives: the module, the memory, its slot and the export names by index. */
export interface WorkerInit {
  readonly module: object;
  readonly memory: object;
  /** Byte address of this worker's slot. */
  readonly slot: number;
  readonly names: readonly string[];
  /** How long to spin after a job before sleeping, in microseconds. */
  readonly spinMicros: number;
}

/** f64 per record of a program: the export index, then MAX_ARGS arguments. */
export const PROGRAM_RECORD = MAX_ARGS + 1;

const argList = (base: string, from: number) =>
  Array.from({ length: MAX_ARGS }, (_, i) => `f64[${base} + ${from + i}]`).join(", ");

/**
 * Source of `function xWorkerMain(init)`: the worker's whole life. Platform adapters append the
 * line that obtains `init` and calls it.
 */
export const WORKER_MAIN = `
function xWorkerMain(init) {
  "use strict";
  var ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory, log: Math.log } }).exports;
  var fns = init.names.map(function (n) { return ex[n]; });
  var buf = init.memory.buffer;
  var i32 = new Int32Array(buf);
  var f64 = new Float64Array(buf);
  var base = init.slot >> 2;
  var SEQ = base + ${slotField.seq}, SLEEP = base + ${slotField.sleeping}, FN = base + ${slotField.fn};
  var DONE = base + ${slotField.done}, ERR = base + ${slotField.error};
  var WAITING = base + ${slotField.callerWaiting};
  var a = (init.slot + ${ARGS_OFFSET}) >> 3;
  var spinMs = init.spinMicros / 1000;
  var last = Atomics.load(i32, SEQ);
  Atomics.store(i32, base + ${slotField.ready}, 1);
  for (;;) {
    var s = Atomics.load(i32, SEQ);
    if (s === last) {
      var t0 = performance.now();
      var k = 0;
      while ((s = Atomics.load(i32, SEQ)) === last) {
        if ((++k & 255) === 0 && performance.now() - t0 > spinMs) {
          Atomics.store(i32, SLEEP, 1);
          Atomics.wait(i32, SEQ, last);
          Atomics.store(i32, SLEEP, 0);
          t0 = performance.now();
        }
      }
    }
    last = s;
    var f = i32[FN];
    if (f === -2) return;
    try {
      if (f >= 0) {
        fns[f](${argList("a", 0)});
      } else if (f === -3) {
        // the program may lie beyond the views of a memory that has grown since
        var mb = init.memory.buffer;
        if (mb.byteLength !== buf.byteLength) {
          buf = mb;
          i32 = new Int32Array(buf);
          f64 = new Float64Array(buf);
        }
        var n = f64[a + 1];
        for (var r = 0, q = f64[a] / 8; r < n; r++, q += ${MAX_ARGS + 1}) {
          fns[f64[q]](${argList("q", 1)});
        }
      }
    } catch (e) {
      Atomics.store(i32, ERR, 1);
    }
    Atomics.store(i32, DONE, s);
    if (Atomics.load(i32, WAITING) === 1) Atomics.notify(i32, DONE);
  }
}
`;
