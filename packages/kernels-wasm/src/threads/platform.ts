// What a thread pool needs from the platform, implemented by `platformNode.ts` (worker_threads)
// and `platformWeb.ts` (Web Workers); `currentPlatform` picks the one this runtime has.

import type { WorkerInit } from "./workerSource";

/** A started worker. */
export interface WorkerHandle {
  terminate(): void;
}

/** Starting workers and what the calling thread may do. */
export interface ThreadPlatform {
  readonly name: string;
  /** Logical processors available to this process. */
  cpus(): number;
  /** Starts a worker running `WORKER_MAIN` with `init`; it must not keep the process alive. */
  spawn(init: WorkerInit): WorkerHandle;
  /** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
  readonly canWait: boolean;
}

/** A platform adapter, or the reason there is none. */
export type PlatformResult = ThreadPlatform | { readonly unavailable: string };
