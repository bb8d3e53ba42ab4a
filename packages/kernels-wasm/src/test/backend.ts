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
