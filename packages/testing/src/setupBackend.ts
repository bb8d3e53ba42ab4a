/**
 * Selects the backend the suite runs on: the reference backend by default, the WASM backend
 * with `X_BACKEND=wasm` (so CI runs the conformance suite on both).
 */
import { createWasmBackend } from "@x/kernels-wasm";
import { setBackend } from "@x/storage";

if (process.env.X_BACKEND === "wasm") {
  setBackend(createWasmBackend());
  console.log("conformance backend: wasm");
}
