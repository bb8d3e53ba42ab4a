// The browser thread platform: Web Workers started from a blob URL holding the worker source;
// the module and the shared memory arrive in the first message. Needs a cross-origin isolated
// page (SharedArrayBuffer); the main thread of a page never blocks, it spins.

import type { PlatformResult, WorkerHandle } from "./platform";
import { WORKER_MAIN, type WorkerInit } from "./workerSource";

interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}
interface WebGlobals {
  Worker?: new (url: string) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string };
  navigator?: { hardwareConcurrency?: number };
  WorkerGlobalScope?: unknown;
}

/**
 * The Web Worker platform, or why there is none.
 *
 * @example
 * const p = webPlatform();
 */
export function webPlatform(): PlatformResult {
  const g = globalThis as WebGlobals;
  const { Worker, Blob, URL } = g;
  if (typeof Worker !== "function" || typeof Blob !== "function" || !URL) {
    return { unavailable: "this runtime has no Web Workers" };
  }
  const source = `${WORKER_MAIN}\nself.onmessage = function (e) { self.onmessage = null; xWorkerMain(e.data); };\n`;
  let url: string | undefined;
  return {
    name: "web",
    canWait: g.WorkerGlobalScope !== undefined,
    cpus: () => g.navigator?.hardwareConcurrency ?? 1,
    spawn(init: WorkerInit): WorkerHandle {
      url ??= URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const w = new Worker(url);
      w.postMessage(init);
      return { terminate: () => w.terminate() };
    },
  };
}
