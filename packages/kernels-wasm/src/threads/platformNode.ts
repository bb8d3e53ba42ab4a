// The Node.js thread platform: `worker_threads` workers started from source text (`eval`),
// unreferenced so that idle workers never keep the process alive. The module is obtained with
// `process.getBuiltinModule` (Node ≥ 20.16), synchronously and without an import statement, so
// this file costs nothing where it is not used.

import type { PlatformResult, WorkerHandle } from "./platform";
import { WORKER_MAIN, type WorkerInit } from "./workerSource";

interface NodeWorker {
  unref(): void;
  terminate(): unknown;
}
interface WorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}
interface NodeOs {
  availableParallelism?: () => number;
  cpus(): unknown[];
}
interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Whether this runtime is Node.js. */
export function isNode(): boolean {
  const proc = (globalThis as { process?: NodeProcess }).process;
  return typeof proc?.versions?.node === "string";
}

/**
 * The Node platform, or why there is none.
 *
 * @example
 * const p = nodePlatform();
 * if ("unavailable" in p) console.warn(p.unavailable);
 */
export function nodePlatform(): PlatformResult {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== "function") {
    return {
      unavailable: `Node ${proc?.versions?.node} lacks process.getBuiltinModule (Node ≥ 20.16)`,
    };
  }
  const wt = get("node:worker_threads") as WorkerThreads | undefined;
  const os = get("node:os") as NodeOs | undefined;
  if (!wt) return { unavailable: "node:worker_threads is not available" };
  const source = `${WORKER_MAIN}\nxWorkerMain(require("node:worker_threads").workerData);\n`;
  return {
    name: "node",
    canWait: true,
    cpus: () => os?.availableParallelism?.() ?? os?.cpus().length ?? 1,
    spawn(init: WorkerInit): WorkerHandle {
      const w = new wt.Worker(source, { eval: true, workerData: init });
      w.unref();
      return { terminate: () => void w.terminate() };
    },
  };
}
