import { WasmKernels, setNumThreads } from "../src/index";
const k = WasmKernels.create({ initialPages: 4096 });
setNumThreads(2);
const d = k.threads as any;
const orig = d.plan.bind(d);
const hist: Record<number, number> = {};
d.plan = (m: number) => { const r = orig(m); hist[r] = (hist[r] ?? 0) + 1; return r; };
const n = 512;
const a = k.heap.alloc(n * n * 4), b = k.heap.alloc(n * n * 4), c = k.heap.alloc(n * n * 4);
const t0 = performance.now(); while (performance.now() - t0 < 1000) k.matmul("f32", 256, 256, 256, a, b, c);
console.log(hist);
for (let i = 0; i < 5; i++) { const t = performance.now(); k.matmul("f32", n, n, n, a, b, c); console.log((performance.now() - t).toFixed(2), JSON.stringify(hist)); }
setNumThreads(1);
for (let i = 0; i < 5; i++) { const t = performance.now(); k.matmul("f32", n, n, n, a, b, c); console.log("1 thread", (performance.now() - t).toFixed(2), JSON.stringify(hist)); }
