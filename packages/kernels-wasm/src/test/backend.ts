// Test helper: a WASM backend made current for the tests of one file (the previous backend is
// put back after them).

import { getBackend, setBackend } from "@x/storage";
import { afterAll, beforeAll } from "vitest";
import {
  createWasmBackend,
  type WasmBackend,
  type WasmBackendOptions,
} from "../backend/wasmBackend";

/**
 * Creates a WASM backend and makes it the current one for the tests of the calling file.
 *
 * @example
 * const backend = useWasmBackend();
 * const k = backend.kernels;
 */
export function useWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const backend = createWasmBackend(options);
  let previous = getBackend();
  beforeAll(() => {
    previous = setBackend(backend);
  });
  afterAll(() => {
    setBackend(previous);
  });
  return backend;
}
