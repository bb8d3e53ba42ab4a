import { buildKernelModule } from "../src/kernels/kernelModule";
const t0 = performance.now();
const bytes = buildKernelModule({ shared: false });
const t1 = performance.now();
console.log("bytes", bytes.length, "build ms", (t1 - t0).toFixed(1));
console.log("valid", WebAssembly.validate(bytes));
const t2 = performance.now();
try { new WebAssembly.Module(bytes); } catch (e) { console.log(String(e)); }
console.log("compile ms", (performance.now() - t2).toFixed(1));
