// The process-wide thread setting, as PyTorch's `torch.set_num_threads` / `get_num_threads`
// (default: the number of logical processors), and the choice of thread platform. Where threads
// cannot be used — no SharedArrayBuffer (a page that is not cross-origin isolated), no worker
// API, a heap whose memory is not shared — kernels run on the calling thread and the reason is
// printed once with `console.warn`.

import { detectFeatures } from "../features";
import type { ThreadPlatform } from "./platform";
import { isNode, nodePlatform } from "./platformNode";
import { webPlatform } from "./platformWeb";

let platform: ThreadPlatform | undefined;
let unavailable: string | undefined;
let resolved = false;
let numThreads: number | undefined;
let warned = false;
/** The platform's processor count, read once (asking the OS each time costs microseconds). */
let cpuCount: number | undefined;

/** The platform adapter of this runtime, or undefined (see `threadsUnavailable`). */
export function threadPlatform(): ThreadPlatform | undefined {
  if (resolved) return platform;
  resolved = true;
  const f = detectFeatures();
  if (!f.threads) {
    unavailable = f.threadsUnavailableReason;
    return undefined;
  }
  const p = isNode() ? nodePlatform() : webPlatform();
  if ("unavailable" in p) unavailable = p.unavailable;
  else platform = p;
  return platform;
}

/** Why threads cannot be used here, or undefined when they can. */
export function threadsUnavailable(): string | undefined {
  threadPlatform();
  return unavailable;
}

/** Prints, once per process, why kernels run on one thread. */
export function warnSingleThreaded(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(`@x/kernels-wasm: running on one thread: ${reason}`);
}

/**
 * Sets the number of threads kernels use (the calling thread included), as
 * `torch.set_num_threads`; 1 runs everything on the calling thread.
 *
 * @example
 * setNumThreads(2);
 * getNumThreads(); // 2
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`set_num_threads expects a positive integer, got ${n}`);
  }
  numThreads = n;
  if (n > 1) {
    const reason = threadsUnavailable();
    if (reason) warnSingleThreaded(reason);
  }
}

/**
 * The number of threads kernels use, as `torch.get_num_threads` (default: the number of logical
 * processors). Where threads are unavailable kernels still run on one thread, and the first one
 * large enough to want more says why, once.
 *
 * @example
 * getNumThreads(); // e.g. 8
 */
export function getNumThreads(): number {
  if (numThreads !== undefined) return numThreads;
  const p = threadPlatform();
  if (p) return (cpuCount ??= Math.max(1, p.cpus()));
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
