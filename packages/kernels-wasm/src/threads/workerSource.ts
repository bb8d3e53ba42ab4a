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
   * program: `count` (argument 1) records of PROGRAM_RECORD f64 at byte address argument 0; -4
   * takes items from a shared queue (arguments: the queue's byte address, its generation, the
   * worker's slot index), see `queueField`.
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

/**
 * i32 indices of the fields of a shared item queue (one per heap, never freed). Items are runs of
 * call records; every thread of a kernel claims items one at a time with a compare-and-swap on
 * `state` (generation << 16 | next item), so a thread that starts late — asleep, descheduled —
 * takes fewer items instead of holding the others up, and one that arrives after the kernel
 * (a stale generation) takes none. Records are read only after a successful claim, while the
 * kernel is still running, so they may be rewritten by the next kernel.
 */
export const queueField = {
  /** generation << 16 | index of the next unclaimed item. */
  state: 0,
  /** Items finished (by any thread). */
  finished: 1,
  /** Number of items. */
  count: 2,
  /** Byte address of the records (QUEUE_RECORD f64 each). */
  records: 3,
  /** Byte address of count + 1 i32: item i is records [offsets[i], offsets[i+1]). */
  offsets: 4,
  /** 1 once an item has thrown. */
  error: 5,
  /** 1 while the caller sleeps on `finished`. */
  callerWaiting: 6,
  /** First of one i32 per worker slot: added to the relocated arguments of its records. */
  deltas: 8,
} as const;
/** f64 per queue record: the export index, a bit mask of the arguments to relocate, MAX_ARGS arguments. */
export const QUEUE_RECORD = MAX_ARGS + 2;

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
  // records may lie beyond the views of a memory that has grown since they were made
  function refresh() {
    var mb = init.memory.buffer;
    if (mb.byteLength !== buf.byteLength) {
      buf = mb;
      i32 = new Int32Array(buf);
      f64 = new Float64Array(buf);
    }
  }
  var args = new Array(${MAX_ARGS});
  // claims items of the queue at i32 index q while its generation is gen; w: this worker's slot
  function takeItems(q, gen, w) {
    for (;;) {
      var st = Atomics.load(i32, q + ${queueField.state});
      if (st >>> 16 !== gen || (st & 0xffff) >= i32[q + ${queueField.count}]) return;
      if (Atomics.compareExchange(i32, q + ${queueField.state}, st, st + 1) !== st) continue;
      var item = st & 0xffff;
      var delta = i32[q + ${queueField.deltas} + w];
      var recs = i32[q + ${queueField.records}] / 8;
      var offs = i32[q + ${queueField.offsets}] >> 2;
      try {
        for (var r = i32[offs + item], end = i32[offs + item + 1]; r < end; r++) {
          var p = recs + r * ${MAX_ARGS + 2};
          var mask = f64[p + 1];
          for (var j = 0; j < ${MAX_ARGS}; j++) {
            // relocated arguments only: adding 0 to the others would turn -0 into +0
            args[j] = (mask >> j) & 1 ? f64[p + 2 + j] + delta : f64[p + 2 + j];
          }
          fns[f64[p]](${Array.from({ length: MAX_ARGS }, (_, i) => `args[${i}]`).join(", ")});
        }
      } catch (e) {
        Atomics.store(i32, q + ${queueField.error}, 1);
      }
      Atomics.add(i32, q + ${queueField.finished}, 1);
      if (Atomics.load(i32, q + ${queueField.callerWaiting}) === 1) {
        Atomics.notify(i32, q + ${queueField.finished});
      }
    }
  }
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
        refresh();
        var n = f64[a + 1];
        for (var r = 0, q = f64[a] / 8; r < n; r++, q += ${MAX_ARGS + 1}) {
          fns[f64[q]](${argList("q", 1)});
        }
      } else if (f === -4) {
        refresh();
        takeItems(f64[a] >> 2, f64[a + 1], f64[a + 2]);
      }
    } catch (e) {
      Atomics.store(i32, ERR, 1);
    }
    Atomics.store(i32, DONE, s);
    if (Atomics.load(i32, WAITING) === 1) Atomics.notify(i32, DONE);
  }
}
`;
