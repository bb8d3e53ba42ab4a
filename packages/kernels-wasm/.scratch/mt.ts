import { WasmKernels, setNumThreads, getNumThreads } from "../src/index";
const k = WasmKernels.create({ initialPages: 4096 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps = 10) { for (let i = 0; i < 3; i++) fn(); const t: number[] = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); } return median(t); }
function buf(n: number) { const p = k.heap.alloc(n * 4); const v = k.heap.views.f32; for (let i = 0; i < n; i++) v[p / 4 + i] = Math.random() - 0.5; return p; }
console.log("shared:", k.heap.memory.buffer instanceof SharedArrayBuffer, "default threads", getNumThreads());
const sizes = (process.argv[2] ?? "128,256,512,1024").split(",").map(Number);
for (const th of [1, 2]) {
  setNumThreads(th);
  // let the workers boot
  const t0 = performance.now(); while (performance.now() - t0 < 1000) k.matmul("f32", 256, 256, 256, buf(1), buf(1), buf(1));
  for (const n of sizes) {
    const a = buf(n * n), b = buf(n * n), c = buf(n * n);
    const reps = n >= 1024 ? 5 : n >= 512 ? 9 : 30;
    const ms = time(() => k.matmul("f32", n, n, n, a, b, c), reps);
    console.log(`threads ${th} matmul ${n}: ${((2 * n ** 3) / ms / 1e6).toFixed(1)} GF/s (${ms.toFixed(2)} ms)`);
    [a, b, c].forEach((p) => k.heap.free(p));
  }
  const [m, kk, n] = [64, 784, 256];
  const a = buf(m * kk), w = buf(n * kk), c = buf(m * n);
  const ms = time(() => k.matmul("f32", m, n, kk, a, w, c, { rsb: 1, csb: kk }), 200);
  console.log(`threads ${th} linear 64x784x256: ${(ms * 1000).toFixed(0)} µs`);
}
