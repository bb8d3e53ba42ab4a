import { WasmKernels, setNumThreads } from "../src/index";
const k = WasmKernels.create({ initialPages: 512 });
setNumThreads(2);
const d = k.threads as any;
console.log(d.plan(1000));
const t0 = performance.now();
let r = 1;
while (performance.now() - t0 < 2000 && (r = d.plan(1000)) === 1) {}
console.log("ready after", (performance.now() - t0).toFixed(1), r);
if (process.argv[2]) setTimeout(() => console.log("after timeout", d.plan(1000)), 100);
