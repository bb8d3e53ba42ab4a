// Kernel benchmarks on 1 thread and on all threads: matmul GFLOP/s, elementwise GB/s, softmax,
// and this core's SIMD128 mul+add ceiling for reference. Medians of repeated runs; the machines
// are shared, so the figures are noisy. Run: pnpm bench (builds first). Not part of `pnpm test`.

import {
  detectFeatures,
  getNumThreads,
  setNumThreads,
  simdCeilingGflops,
  WasmKernels,
} from "../dist/index.js";

const k = WasmKernels.create({ initialPages: 4096 });
const allThreads = getNumThreads();

/** Sets the thread count and waits until a large kernel gets them all (workers boot lazily). */
async function useThreads(n) {
  setNumThreads(n);
  for (let i = 0; i < 100 && k.threads.plan(1e6) < n; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(fn, reps, warm = 3) {
  for (let i = 0; i < warm; i++) fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function fill(ptr, n, d = "f32") {
  const v = d === "f32" ? k.heap.views.f32 : k.heap.views.f64;
  const base = ptr / (d === "f32" ? 4 : 8);
  for (let i = 0; i < n; i++) v[base + i] = Math.random() - 0.5;
}

console.log(`SIMD128 f32 mul+add ceiling on this core: ${simdCeilingGflops().toFixed(1)} GFLOP/s`);
console.log(`relaxed-SIMD FMA in the GEMM: ${detectFeatures().relaxedSimd ? "yes" : "no"}`);

for (const threads of allThreads > 1 ? [1, allThreads] : [1]) {
  await useThreads(threads);
  console.log(`— ${threads} thread${threads > 1 ? "s" : ""}`);
  for (const d of ["f32", "f64"]) {
    for (const n of d === "f32" ? [128, 256, 512, 1024] : [256, 512]) {
      const E = d === "f32" ? 4 : 8;
      const a = k.heap.alloc(n * n * E);
      const b = k.heap.alloc(n * n * E);
      const c = k.heap.alloc(n * n * E);
      fill(a, n * n, d);
      fill(b, n * n, d);
      const reps = n >= 1024 ? 7 : n >= 512 ? 15 : 50;
      const ms = time(() => k.matmul(d, n, n, n, a, b, c), reps);
      const msT = time(() => k.matmul(d, n, n, n, a, b, c, { rsb: 1, csb: n }), reps);
      const gf = (x) => ((2 * n ** 3) / x / 1e6).toFixed(1);
      console.log(
        `matmul ${d} ${n}³: ${gf(ms)} GFLOP/s (A @ Bᵀ: ${gf(msT)}), median ${ms.toFixed(2)} ms`,
      );
      for (const p of [a, b, c]) k.heap.free(p);
    }
  }
  {
    const [m, kk, n] = [64, 784, 256];
    const a = k.heap.alloc(m * kk * 4);
    const w = k.heap.alloc(n * kk * 4);
    const c = k.heap.alloc(m * n * 4);
    fill(a, m * kk);
    fill(w, n * kk);
    const ms = time(() => k.matmul("f32", m, n, kk, a, w, c, { rsb: 1, csb: kk }), 200);
    console.log(
      `linear 64×784 @ (256×784)ᵀ: ${((2 * m * n * kk) / ms / 1e6).toFixed(1)} GFLOP/s, ${(ms * 1000).toFixed(0)} µs`,
    );
  }

  for (const n of [1e6, 1e7]) {
    const [a, b, c, out] = [0, 1, 2, 3].map(() => k.heap.alloc(n * 4));
    for (const p of [a, b, c]) fill(p, n);
    const reps = n >= 1e7 ? 15 : 50;
    const split = (name, args) => k.split(name, n, n / 1000, 16, (s, len) => args(4 * s, len));
    const fma = time(
      () => split("mulAdd_f32_vvv", (o, len) => [a + o, b + o, c + o, out + o, len]),
      reps,
    );
    const add = time(
      () => split("binary_add_f32_vv", (o, len) => [a + o, b + o, out + o, len]),
      reps,
    );
    const relu = time(() => split("unary_relu_f32", (o, len) => [a + o, out + o, len]), reps);
    const gbs = (bytes, ms) => (bytes / ms / 1e6).toFixed(1);
    console.log(
      `elementwise f32 n=${n.toExponential(0)}: a*b+c ${gbs(16 * n, fma)} GB/s, ` +
        `add ${gbs(12 * n, add)} GB/s, relu ${gbs(8 * n, relu)} GB/s`,
    );
    for (const p of [a, b, c, out]) k.heap.free(p);
  }

  {
    const [rows, cols] = [256, 1000];
    const x = k.heap.alloc(rows * cols * 4);
    const out = k.heap.alloc(rows * cols * 4);
    fill(x, rows * cols);
    const sm = time(() => k.softmax(x, out, rows, cols), 50);
    const lsm = time(() => k.logSoftmax(x, out, rows, cols), 50);
    const sum = time(() => k.reduce("sum", "f32", x, out, 1, rows * cols, 1), 50);
    const el = (ms) => ((rows * cols) / ms / 1e3).toFixed(0);
    console.log(
      `softmax [256,1000]: ${el(sm)} M elem/s; logSoftmax ${el(lsm)} M elem/s; sum ${el(sum)} M elem/s`,
    );
  }
}
k.threads.close();
