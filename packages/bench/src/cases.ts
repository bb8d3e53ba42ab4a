/**
 * The workloads of issue 5, as cases: what one iteration is, its unit, how to turn seconds per
 * iteration into that unit, whether it is also run on all threads, and how many repetitions a
 * process makes. `--quick` keeps every workload but with smaller sizes and fewer repetitions.
 */

export type WorkloadId = "matmul" | "mlp" | "cnn" | "add" | "elementwise" | "digits";

export const WORKLOADS: readonly WorkloadId[] = [
  "matmul",
  "mlp",
  "cnn",
  "add",
  "elementwise",
  "digits",
];

/** How many iterations a process times, and when it stops. */
export interface RepPolicy {
  /** Untimed iterations first (JIT, kernel compilation, caches). */
  readonly warmup: number;
  readonly minReps: number;
  readonly maxReps: number;
  /** Keep timing until this much time has been spent (after `minReps`). */
  readonly minSeconds: number;
  /** Stop after this much time once two iterations are timed, even below `minReps`. */
  readonly maxSeconds: number;
}

/** Parameters of a case; which ones are set depends on the workload. */
export interface CaseParams {
  /** matmul: n of n×n×n; elementwise: element count. */
  readonly n?: number;
  /** add: whether the operands require grad. */
  readonly grad?: boolean;
  /** add: ops per iteration. */
  readonly ops?: number;
  readonly batch?: number;
  readonly lr?: number;
  /** digits: epochs and rows used. */
  readonly epochs?: number;
  readonly rows?: number;
  /** digits: stop after the epoch that passes this many seconds, and extrapolate. */
  readonly budget?: number;
}

export interface Case {
  /** Stable id, used in JSON lines: `matmul:512`, `add:grad`, `digits:10ep`. */
  readonly id: string;
  readonly workload: WorkloadId;
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** Also measured with all threads (systems that have threads). */
  readonly threaded: boolean;
  readonly params: CaseParams;
  readonly reps: RepPolicy;
}

/** Options that choose the cases. */
export interface CaseOptions {
  readonly quick: boolean;
  /** Only these workloads (all when absent or empty). */
  readonly workloads?: readonly WorkloadId[];
}

const ADD_OPS = 10_000;

/** Converts seconds per iteration into the case's unit. */
export function metric(c: Case, seconds: number): number {
  const p = c.params;
  switch (c.workload) {
    case "matmul":
      return (2 * (p.n ?? 0) ** 3) / seconds / 1e9; // GFLOP/s
    case "mlp":
    case "cnn":
      return seconds * 1e3; // ms per step
    case "add":
      return (seconds / (p.ops ?? ADD_OPS)) * 1e6; // µs per op
    case "elementwise":
      return (16 * (p.n ?? 0)) / seconds / 1e9; // GB/s: a, b, c read and the result written, float32
    case "digits":
      return seconds; // s per training run
  }
}

/** Flops of fully connected layers of widths `w` on a batch: forward, weight and input gradients
 * (none for the first layer's input). */
function linearFlops(batch: number, w: readonly number[]): number {
  let f = 0;
  for (let i = 0; i + 1 < w.length; i++) f += 2 * batch * w[i]! * w[i + 1]! * (i === 0 ? 2 : 3);
  return f;
}

/** Flops of a 3×3 convolution (Cin → Cout, oH·oW outputs per image) on a batch: forward and the
 * weight gradient, plus the input gradient unless it is the first layer. */
function conv3x3Flops(batch: number, cin: number, cout: number, outPixels: number, first: boolean) {
  return 2 * batch * cin * cout * 9 * outPixels * (first ? 2 : 3);
}

/**
 * Floating-point operations of one iteration: the products (matmul, convolutions, linear
 * layers: the forward and the backward that training runs), not the elementwise work; undefined
 * where the work is memory traffic or overhead. With the measured SIMD128 ceiling this gives the
 * least time any SIMD128 implementation could take.
 *
 * @example
 * flopsPerIteration(makeCases({ quick: false, workloads: ["mlp"] })[0]!); // 64,454,656
 */
export function flopsPerIteration(c: Case): number | undefined {
  const p = c.params;
  switch (c.workload) {
    case "matmul":
      return 2 * (p.n ?? 0) ** 3;
    case "mlp":
      return linearFlops(p.batch ?? 64, [784, 256, 128, 10]);
    case "cnn": {
      const b = p.batch ?? 32;
      return (
        conv3x3Flops(b, 1, 16, 26 * 26, true) +
        conv3x3Flops(b, 16, 32, 11 * 11, false) +
        2 * b * 800 * 10 * 3
      );
    }
    case "digits": {
      // every row once per epoch; padding 1 keeps the 8×8 images
      const perImage =
        conv3x3Flops(1, 1, 16, 64, true) +
        conv3x3Flops(1, 16, 32, 64, false) +
        linearFlops(1, [512, 64, 10]) +
        2 * 512 * 64; // the first linear layer's input gradient (it follows the convolutions)
      return perImage * (p.rows ?? 1500) * (p.epochs ?? 10);
    }
    default:
      return undefined;
  }
}

/** Seconds per iteration from a value in the case's unit (the inverse of `metric`). */
export function secondsPer(c: Case, value: number): number {
  return c.higherIsBetter ? metric(c, 1) / value : value / metric(c, 1);
}

/** Speed of `a` relative to `b` (> 1: `a` is faster), whichever way the unit goes. */
export function speedup(c: Case, a: number, b: number): number {
  return c.higherIsBetter ? a / b : b / a;
}

/** The cases to run. */
export function makeCases(opts: CaseOptions): Case[] {
  const q = opts.quick;
  const want = (w: WorkloadId): boolean =>
    !opts.workloads || opts.workloads.length === 0 || opts.workloads.includes(w);
  const policy = (full: RepPolicy): RepPolicy =>
    q ? { warmup: 1, minReps: 3, maxReps: 20, minSeconds: 0.1, maxSeconds: 2 } : full;
  const out: Case[] = [];
  if (want("matmul")) {
    for (const n of q ? [128, 256] : [128, 256, 512, 1024]) {
      out.push({
        id: `matmul:${n}`,
        workload: "matmul",
        label: `matmul ${n}³`,
        unit: "GFLOP/s",
        higherIsBetter: true,
        threaded: true,
        params: { n },
        reps: policy({ warmup: 2, minReps: 5, maxReps: 200, minSeconds: 1, maxSeconds: 8 }),
      });
    }
  }
  const step = policy({ warmup: 3, minReps: 5, maxReps: 200, minSeconds: 1, maxSeconds: 10 });
  if (want("mlp")) {
    out.push({
      id: "mlp",
      workload: "mlp",
      label: "MLP step 784-256-128-10, b64",
      unit: "ms",
      higherIsBetter: false,
      threaded: true,
      params: { batch: 64, lr: 0.01 },
      reps: step,
    });
  }
  if (want("cnn")) {
    out.push({
      id: "cnn",
      workload: "cnn",
      label: "CNN step 32×1×28×28",
      unit: "ms",
      higherIsBetter: false,
      threaded: true,
      params: { batch: 32, lr: 0.01 },
      reps: step,
    });
  }
  if (want("add")) {
    for (const grad of [false, true]) {
      out.push({
        id: grad ? "add:grad" : "add:nograd",
        workload: "add",
        label: `add 4 elems, grad ${grad ? "on" : "off"}`,
        unit: "µs/op",
        higherIsBetter: false,
        threaded: false,
        params: { grad, ops: ADD_OPS },
        reps: policy({ warmup: 1, minReps: 5, maxReps: 50, minSeconds: 0.5, maxSeconds: 10 }),
      });
    }
  }
  if (want("elementwise")) {
    for (const n of q ? [1e6] : [1e6, 1e7]) {
      out.push({
        id: `elementwise:${n}`,
        workload: "elementwise",
        label: `a*b+c, ${n === 1e6 ? "1e6" : "1e7"}`,
        unit: "GB/s",
        higherIsBetter: true,
        // large elementwise kernels split over the threads: a 1-thread and an all-threads row
        threaded: true,
        params: { n },
        reps: policy({ warmup: 2, minReps: 5, maxReps: 100, minSeconds: 0.5, maxSeconds: 8 }),
      });
    }
  }
  if (want("digits")) {
    const epochs = q ? 1 : 10;
    out.push({
      id: `digits:${epochs}ep`,
      workload: "digits",
      label: `digits CNN, ${epochs} epoch${epochs > 1 ? "s" : ""}`,
      unit: "s",
      higherIsBetter: false,
      threaded: true,
      params: { epochs, rows: 1500, batch: 32, lr: 1e-3, budget: q ? 15 : 60 },
      // One whole run per process, cold: a user's run includes its warm-up.
      reps: { warmup: 0, minReps: 1, maxReps: 1, minSeconds: 0, maxSeconds: 0 },
    });
  }
  return out;
}
