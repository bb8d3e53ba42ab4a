import { WasmKernels } from "../src/index";
const k = WasmKernels.create({ initialPages: 2048 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void, reps = 30) { for (let i = 0; i < 5; i++) fn(); const t: number[] = []; for (let i = 0; i < reps; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); } return median(t); }
for (const [C, H, pad] of [[16, 13, 0], [1, 28, 0], [16, 8, 1]]) {
  const oH = H + 2 * pad - 2;
  const x = k.heap.alloc(C * H * H * 4), col = k.heap.alloc(C * 9 * oH * oH * 4);
  const ms = time(() => { for (let n = 0; n < 32; n++) k.raw.im2col_f32(x, H * H, H, 1, C, H, H, 3, 3, 1, 1, pad, pad, 1, 1, oH, oH, col); });
  const el = 32 * C * 9 * oH * oH;
  console.log(`im2col C=${C} H=${H}: ${ms.toFixed(3)} ms for 32 images, ${(ms * 1e6 / el).toFixed(2)} ns/elem`);
  const ms2 = time(() => { for (let n = 0; n < 32; n++) k.raw.col2im_f32(col, C, H, H, 3, 3, 1, 1, pad, pad, 1, 1, oH, oH, x); });
  console.log(`col2im: ${ms2.toFixed(3)} ms`);
}
