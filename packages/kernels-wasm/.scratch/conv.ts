import { NDArray, setBackend, referenceKernels, type Conv2dParams } from "@x/storage";
import { createWasmBackend } from "../src/index";
const be = createWasmBackend();
setBackend(be);
const k = be.kernels;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps = 30) { for (let i = 0; i < 3; i++) fn(); const t: number[] = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); } return median(t); }
function arr(shape: number[]) { const a = NDArray.empty(shape, "float32"); const t = a.typed(); for (let i = 0; i < t.length; i++) t[i] = Math.random() - 0.5; return a; }
const p0: Conv2dParams = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
const p1: Conv2dParams = { ...p0, padding: [1, 1] };
let total = 0;
for (const [name, N, C, H, O, p] of [["cnn conv1", 32, 1, 28, 16, p0], ["cnn conv2", 32, 16, 13, 32, p0], ["digits conv1", 32, 1, 8, 16, p1], ["digits conv2", 32, 16, 8, 32, p1]] as const) {
  const oH = H + 2 * p.padding[0] - 2;
  const x = arr([N, C, H, H]), w = arr([O, C, 3, 3]), go = arr([N, O, oH, oH]);
  const out = NDArray.empty([N, O, oH, oH]), gi = NDArray.empty([N, C, H, H]), gw = NDArray.empty([O, C, 3, 3]);
  const flops = 2 * N * O * oH * oH * C * 9;
  const f = time(() => k.conv2d(x, w, p, out));
  const bi = time(() => k.conv2dBackwardInput(go, w, p, gi));
  const bw = time(() => k.conv2dBackwardWeight(x, go, p, gw));
  const rf = process.argv.includes("ref") ? time(() => referenceKernels.conv2d(x, w, p, out), 5) : NaN;
  const g = (ms: number) => (flops / ms / 1e6).toFixed(1);
  console.log(`${name}: fwd ${f.toFixed(3)} ms (${g(f)} GF/s) bwdIn ${bi.toFixed(3)} (${g(bi)}) bwdW ${bw.toFixed(3)} (${g(bw)})  ref fwd ${rf.toFixed(2)}`);
}
// maxpool 2x2 on cnn shapes
for (const [N, C, H] of [[32, 16, 26], [32, 32, 11], [32, 32, 8]]) {
  const oH = Math.floor(H / 2);
  const x = arr([N, C, H, H]); const out = NDArray.empty([N, C, oH, oH]); const ind = NDArray.empty([N, C, oH, oH], "int64");
  const pp = { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, countIncludePad: true, divisorOverride: 0 } as const;
  const f = time(() => k.maxPool2d(x, pp, out, ind));
  const gi = NDArray.empty([N, C, H, H]);
  const b = time(() => k.maxPool2dBackward(out, ind, gi));
  console.log(`maxpool ${N}x${C}x${H}: fwd ${f.toFixed(3)} ms, bwd ${b.toFixed(3)} ms`);
}
{
  const n = 32 * 16 * 26 * 26;
  const a = arr([n]); const z = NDArray.empty([]).expand(n); const m = NDArray.empty([n], "bool"); const o = NDArray.empty([n]);
  const c = time(() => k.compare.gt(a, z, m));
  const w = time(() => k.where(m, a, z, o));
  console.log(`relu backward on ${n}: gt ${c.toFixed(3)} ms, where ${w.toFixed(3)} ms`);
  const bias = NDArray.empty([1, 16, 1, 1]).expand(32, 16, 26, 26); const x = arr([32, 16, 26, 26]); const y = NDArray.empty([32, 16, 26, 26]);
  console.log(`channel bias add: ${time(() => k.binary.add(x, bias, y)).toFixed(3)} ms; sum over N,H,W: ${time(() => k.reduce.sum(x, NDArray.empty([1, 16, 1, 1]))).toFixed(3)} ms`);
}
