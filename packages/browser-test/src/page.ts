// The page script of the browser test, bundled with x and run in Chromium (on a page's main
// thread, or in a dedicated worker): it trains a tiny MLP for a few steps on the backend x picked
// (WASM) and on the reference backend, runs kernels large enough for worker threads on both, and
// reports what it saw (`window.__result` / `__error`, or a message from the worker) for the
// harness in scripts/ to assert.

import { detectFeatures, threadsUnavailable, type WasmBackend } from "@x/kernels-wasm";
import * as x from "x";

/** What the page reports. */
export interface PageResult {
  /** Whether x ran in a dedicated worker (which may block in `Atomics.wait`). */
  readonly inWorker: boolean;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  /** `x.getBackend().name` when the page loaded. */
  readonly backend: string;
  readonly features: { simd: boolean; threads: boolean; relaxedSimd: boolean };
  /** Why threads are unavailable (`threadsUnavailable()`), or null. */
  readonly threadsUnavailable: string | null;
  /** `x.getNumThreads()` before the page set anything. */
  readonly defaultNumThreads: number;
  /** `x.getNumThreads()` during the matmul. */
  readonly numThreads: number;
  /** Threads a large kernel got (once workers were ready): the WASM dispatcher's plan. */
  readonly threadsUsed: number;
  /** Milliseconds until every worker was ready (0 without threads). */
  readonly workersReadyMs: number;
  readonly matmul: {
    readonly n: number;
    /** Largest |wasm − reference| over the whole product. */
    readonly maxAbsDiff: number;
    /** Largest |reference| (the scale of maxAbsDiff). */
    readonly maxAbs: number;
    /** A few entries of each, to eyeball. */
    readonly wasm: readonly number[];
    readonly reference: readonly number[];
    readonly wasmMs: number;
  };
  /** Loss at each training step, on each backend. */
  readonly losses: { readonly wasm: readonly number[]; readonly reference: readonly number[] };
  /** Kernel families that split work over threads, each against the reference backend. */
  readonly checks: readonly Check[];
  /** WASM memory bytes before and after the checks (they grow it while workers run). */
  readonly memoryBytes: { readonly before: number; readonly after: number };
  /** Every console.warn of the page, in order. */
  readonly warnings: readonly string[];
  /** How many warnings there were after setup, training and the first large kernel. */
  readonly warningsAfter: {
    readonly setup: number;
    readonly training: number;
    readonly firstLargeKernel: number;
  };
  /** Whether the page called `x.setNumThreads` (only where the default is 1). */
  readonly setNumThreads: boolean;
}

/** One computation on the WASM backend against the reference backend. */
export interface Check {
  readonly name: string;
  /** Threads a large kernel would get just before it ran (the dispatcher's plan). */
  readonly threads: number;
  readonly maxAbsDiff: number;
  readonly maxAbs: number;
}

declare global {
  interface Window {
    __result?: PageResult;
    __error?: string;
  }
}

const MATMUL_N = 256;
/** Whether this script runs in a (dedicated) worker rather than on a page's main thread. */
const inWorker = typeof window === "undefined";
const STEPS = 5;

const warnings: string[] = [];
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  warnings.push(args.map(String).join(" "));
  warn(...args);
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function flat(t: x.Tensor): number[] {
  return t.flatten().tolist() as number[];
}

/** The product of two seeded random n×n matrices, flattened, on the current backend. */
function matmul(n: number): number[] {
  x.manualSeed(1);
  const a = x.randn(n, n);
  const b = x.randn(n, n);
  return flat(x.matmul(a, b));
}

/** The digits-like MLP: 8×8 images in, 10 classes out. */
class Mlp extends x.nn.Module {
  fc1 = new x.nn.Linear(64, 32);
  fc2 = new x.nn.Linear(32, 10);
  forward(input: x.Tensor): x.Tensor {
    return this.fc2(this.fc1(input).relu());
  }
}

/** The loss of each of STEPS SGD steps of the MLP on seeded random data. */
function train(): number[] {
  x.manualSeed(0);
  const model = new Mlp();
  const opt = new x.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const inputs = x.randn(16, 64);
  const targets = x.randint(0, 10, [16]);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    opt.zeroGrad();
    const loss = x.F.crossEntropy(model(inputs), targets);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

/** Flattened outputs of `fn` on the current backend (it seeds its own randomness). */
function outputs(fn: () => x.Tensor[]): number[] {
  return fn().flatMap(flat);
}

/** Runs `fn` on WASM (with its threads, if any) and on the reference backend; compares. */
function compare(name: string, fn: () => x.Tensor[]): Check {
  const backend = x.getBackend() as WasmBackend;
  const threads = backend.wasm.threads.plan(1e6);
  const got = outputs(fn);
  x.useBackend("reference");
  const want = outputs(fn);
  x.useBackend("wasm");
  let maxAbsDiff = got.length === want.length ? 0 : Number.POSITIVE_INFINITY;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i]! - want[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
  }
  return { name, threads, maxAbsDiff, maxAbs };
}

/** A convolution, forward and backward (the kernels post programs of calls to the workers). */
function conv(): x.Tensor[] {
  x.manualSeed(2);
  const input = x.randn(8, 16, 16, 16, { requiresGrad: true });
  const weight = x.randn(32, 16, 3, 3, { requiresGrad: true });
  const out = x.conv2d(input, weight, null, { padding: 1 });
  out.relu().sum().backward();
  return [out, input.grad!, weight.grad!];
}

/** Elementwise and row-wise kernels over a million elements (split into ranges per thread). */
function elementwise(): x.Tensor[] {
  x.manualSeed(3);
  const a = x.randn(1024, 1024);
  const b = x.randn(1024, 1024);
  return [a.add(b).exp(), a.sum(1), x.softmax(b, 1).narrow(0, 0, 4)];
}

/**
 * A matmul whose operands lie beyond the memory the workers saw when they started: run after a
 * ballast has grown the memory, its 3 MiB operands are of a size class never freed before, so
 * they are carved above the ballast.
 */
function grownMatmul(): x.Tensor[] {
  x.manualSeed(4);
  return [x.matmul(x.randn(64, 12288), x.randn(12288, 64))];
}

async function main(): Promise<PageResult> {
  const backend = x.getBackend().name;
  const f = detectFeatures();
  const defaultNumThreads = x.getNumThreads();
  const numThreads = Math.max(2, defaultNumThreads);
  // the default is every logical processor; where that is one, ask for two
  if (numThreads !== defaultNumThreads) x.setNumThreads(numThreads);
  const setup = warnings.length;

  const wasmLosses = train();
  const training = warnings.length;

  // The first large kernel starts the workers (or says once why there are none); workers start
  // asynchronously, so the page yields until they are ready: a page's main thread never blocks.
  matmul(MATMUL_N);
  const firstLargeKernel = warnings.length;
  let threadsUsed = 1;
  let workersReadyMs = 0;
  if (backend === "wasm" && f.threads) {
    const dispatcher = (x.getBackend() as WasmBackend).wasm.threads;
    const t0 = performance.now();
    threadsUsed = dispatcher.plan(1e6);
    while (threadsUsed < numThreads && performance.now() - t0 < 30_000) {
      await sleep(20);
      threadsUsed = dispatcher.plan(1e6);
    }
    workersReadyMs = performance.now() - t0;
  }
  const t1 = performance.now();
  const wasmProduct = matmul(MATMUL_N);
  const wasmMs = performance.now() - t1;
  matmul(MATMUL_N); // a third large kernel: the fallback must still have warned only once

  const heap = (x.getBackend() as WasmBackend).heap;
  const before = heap.stats.memoryBytes;
  const checks = [compare("conv2d", conv), compare("elementwise", elementwise)];
  const ballast = x.zeros(before / 2); // 2× the memory's bytes: it must grow
  checks.push(compare("matmul after growth", grownMatmul));
  const after = heap.stats.memoryBytes;
  ballast.dispose();

  x.useBackend("reference");
  const refLosses = train();
  const refProduct = matmul(MATMUL_N);
  x.useBackend("wasm");

  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < refProduct.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(wasmProduct[i]! - refProduct[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(refProduct[i]!));
  }
  const picks = [0, 1, MATMUL_N + 7, (MATMUL_N * MATMUL_N) >> 1, MATMUL_N * MATMUL_N - 1];
  return {
    inWorker,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    backend,
    features: { simd: f.simd, threads: f.threads, relaxedSimd: f.relaxedSimd },
    threadsUnavailable: threadsUnavailable() ?? null,
    defaultNumThreads,
    numThreads: x.getNumThreads(),
    threadsUsed,
    workersReadyMs,
    matmul: {
      n: MATMUL_N,
      maxAbsDiff,
      maxAbs,
      wasm: picks.map((i) => wasmProduct[i]!),
      reference: picks.map((i) => refProduct[i]!),
      wasmMs,
    },
    losses: { wasm: wasmLosses, reference: refLosses },
    checks,
    memoryBytes: { before, after },
    warnings,
    warningsAfter: { setup, training, firstLargeKernel },
    setNumThreads: numThreads !== defaultNumThreads,
  };
}

/** In a page, sets `window.__result` or `__error`; in a worker, posts `{ result }` or `{ error }`. */
function report(message: { result?: PageResult; error?: string }): void {
  if (inWorker) {
    (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);
  } else {
    window.__result = message.result;
    window.__error = message.error;
  }
}

main().then(
  (result) => report({ result }),
  (e: unknown) =>
    report({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) }),
);
