import { WasmKernels } from "../src/index";
const k = WasmKernels.create({ initialPages: 2048 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps = 30) { for (let i = 0; i < 5; i++) fn(); const t: number[] = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); } return median(t); }
function buf(n: number) { const p = k.heap.alloc(n * 4); const v = k.heap.views.f32; for (let i = 0; i < n; i++) v[p / 4 + i] = Math.random() - 0.5; return p; }
const shapes = process.argv.slice(2).map((s) => s.split("x").map(Number));
for (const [m, n, kk, reps = 32, ta = 0, tb = 0] of shapes.length ? shapes : [[32, 121, 144], [144, 121, 32], [32, 144, 121, 32, 0, 1], [16, 676, 9], [16, 9, 676, 32, 0, 1], [32, 3872, 144, 1], [512, 512, 512, 1]]) {
  const a = buf(m * kk), b = buf(kk * n), c = buf(m * n);
  const lay = { ...(ta ? { rsa: 1, csa: m } : {}), ...(tb ? { rsb: 1, csb: kk } : {}) };
  const ms = time(() => { for (let r = 0; r < reps; r++) k.matmul("f32", m!, n!, kk!, a, b, c, lay); });
  console.log(`${m}x${n}x${kk} x${reps}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}: ${ms.toFixed(3)} ms, ${((2 * m! * n! * kk! * reps) / ms / 1e6).toFixed(1)} GF/s`);
}
