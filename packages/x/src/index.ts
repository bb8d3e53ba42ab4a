/**
 * x: the meta-package, a torch-like namespace over every layer.
 *
 * @example
 * import * as x from "x";
 * x.manualSeed(0);
 * const model = new x.nn.Linear(4, 2);
 * const loss = model(x.randn(8, 4)).pow(2).mean();
 * loss.backward();
 */
import { createWasmBackend, detectFeatures } from "@x/kernels-wasm";

export { getNumThreads, setNumThreads } from "@x/kernels-wasm";

import { type Backend, referenceBackend, setBackend } from "@x/storage";

export * from "@x/autograd";
export * as nn from "@x/nn";
export { functional as F } from "@x/nn";
export * as optim from "@x/optim";
export * as storage from "@x/storage";
export {
  DTypeError,
  getBackend,
  getDefaultDType,
  IndexError,
  NDArray,
  promoteTypes,
  RuntimeError,
  referenceBackend,
  resultType,
  ShapeError,
  Storage,
  setBackend,
  setDefaultDType,
  setPrintOptions,
  ValueError,
  XError,
} from "@x/storage";

let wasm: Backend | null = null;

/**
 * Selects the kernels new tensors use: `"wasm"` (WASM SIMD, the default where the runtime has
 * WebAssembly SIMD) or `"reference"` (plain TypeScript, the oracle). Returns the previous name.
 * @example x.useBackend("reference");
 */
export function useBackend(name: "wasm" | "reference"): string {
  if (name === "wasm" && wasm === null) wasm = createWasmBackend();
  const prev = setBackend(name === "wasm" && wasm !== null ? wasm : referenceBackend);
  return prev.name;
}

if (detectFeatures().simd) useBackend("wasm");
