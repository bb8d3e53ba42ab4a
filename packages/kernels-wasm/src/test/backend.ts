// Test helper: a WASM backend made current for the tests of one file (the previous backend is
// put back after them); a threaded one runs over shared memory and stops its workers after.

import { getBackend, setBackend } from "@x/storage";
import { afterAll, beforeAll } from "vitest";
import {
  createWasmBackend,
  type WasmBackend,
  type WasmBackendOptions,
} from "../backend/wasmBackend";
import { setNumThreads } from "../threads/threads";
import { WasmKernels } from "../wasmKernels";

export interface TestBackendOptions extends WasmBackendOptions {
  /** Kernels over a shared memory (worker threads can run them); the thread count is reset to 1 after. */
  readonly threaded?: boolean;
}

/**
 * Creates a WASM backend and makes it the current one for the tests of the calling file.
 *
 * @example
 * const backend = useWasmBackend({ threaded: true, initialPages: 256 });
 * const k = backend.wasm; // its WasmKernels
 */
export function useWasmBackend(options: TestBackendOptions = {}): WasmBackend {
  const { threaded = false, ...rest } = options;
  const backend = createWasmBackend(
    threaded ? { kernels: WasmKernels.create({ ...rest, shared: true }) } : rest,
  );
  let previous = getBackend();
  beforeAll(() => {
    previous = setBackend(backend);
  });
  afterAll(() => {
    setBackend(previous);
    if (threaded) {
      backend.wasm.threads.close();
      setNumThreads(1);
    }
  });
  return backend;
}

/**
 * A backend over `heap` whose kernels record the name of every WASM export they call (in
 * `calls`), to check which kernels an op takes.
 *
 * @example
 * const { backend, calls } = tracedWasmBackend(useWasmBackend().heap);
 */
export function tracedWasmBackend(
  heap: WasmBackend["heap"],
  options: Omit<WasmBackendOptions, "kernels" | "heap"> = {},
): {
  backend: WasmBackend;
  calls: string[];
} {
  const calls: string[] = [];
  const traced = WasmKernels.create({ heap });
  const raw: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(traced.raw)) {
    raw[name] = (...args: unknown[]) => {
      calls.push(name);
      return (f as (...a: unknown[]) => unknown)(...args);
    };
  }
  (traced as { raw: unknown }).raw = raw;
  return { backend: createWasmBackend({ ...options, kernels: traced }), calls };
}
