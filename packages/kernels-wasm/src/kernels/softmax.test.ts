import { describe, expect, it } from "vitest";
import { WasmKernels } from "../wasmKernels";

const k = WasmKernels.create();
let seed = 3;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31 - 0.5) * 20;
};

function rowRef(row: number[], log: boolean): number[] {
  const m = Math.max(...row);
  const s = row.reduce((acc, x) => acc + Math.exp(x - m), 0);
  return row.map((x) => (log ? x - m - Math.log(s) : Math.exp(x - m) / s));
}

function run(
  op: "softmax" | "logSoftmax",
  rows: number,
  cols: number,
  x: number[],
  inPlace = false,
) {
  const px = k.heap.alloc(x.length * 4 + 16) + 4;
  const out = inPlace ? px : k.heap.alloc(x.length * 4 + 16);
  k.heap.views.f32.set(x, px / 4);
  k[op](px, out, rows, cols);
  return Array.from(k.heap.views.f32.subarray(out / 4, out / 4 + rows * cols));
}

describe("softmax and logSoftmax over rows", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [3, 2],
    [2, 3],
    [4, 10],
    [2, 7],
    [3, 4],
    [4, 5],
    [5, 17],
    [2, 64],
    [3, 1000],
  ];
  for (const op of ["softmax", "logSoftmax"] as const) {
    it(`${op} matches a float64 reference`, () => {
      for (const [rows, cols] of shapes) {
        const x = Array.from({ length: rows * cols }, rand).map(Math.fround);
        const got = run(op, rows, cols, x);
        for (let r = 0; r < rows; r++) {
          const want = rowRef(x.slice(r * cols, (r + 1) * cols), op === "logSoftmax");
          want.forEach((w, j) => {
            const g = got[r * cols + j]!;
            const tol = op === "softmax" ? 1e-6 * w + 1e-12 : 2e-6 * (Math.abs(w) + 1);
            expect(Math.abs(g - w), `${op} [${rows},${cols}] (${r},${j})`).toBeLessThanOrEqual(tol);
          });
        }
      }
    });

    it(`${op} is stable for large inputs, handles -inf and works in place`, () => {
      const x = [1000, 999, -Infinity, 1001, 0];
      const got = run(op, 1, 5, x, true);
      const want = rowRef(x, op === "logSoftmax");
      got.forEach((g, j) => {
        if (want[j] === -Infinity) expect(g).toBe(-Infinity);
        else expect(Math.abs(g - want[j]!)).toBeLessThanOrEqual(2e-7 * (Math.abs(want[j]!) + 4));
      });
    });
  }

  it("float64 softmax and logSoftmax match to double precision", () => {
    for (const op of ["softmax", "logSoftmax"] as const) {
      for (const [rows, cols] of shapes) {
        const x = Array.from({ length: rows * cols }, rand);
        const px = k.heap.alloc(x.length * 8 + 16) + 8;
        const out = k.heap.alloc(x.length * 8 + 16);
        k.heap.views.f64.set(x, px / 8);
        k[op](px, out, rows, cols, "f64");
        const got = Array.from(k.heap.views.f64.subarray(out / 8, out / 8 + rows * cols));
        for (let r = 0; r < rows; r++) {
          const want = rowRef(x.slice(r * cols, (r + 1) * cols), op === "logSoftmax");
          want.forEach((w, j) => {
            const g = got[r * cols + j]!;
            const tol = op === "softmax" ? 4e-15 * w + 1e-300 : 4e-15 * (Math.abs(w) + 10);
            expect(Math.abs(g - w), `${op} f64 [${rows},${cols}]`).toBeLessThanOrEqual(tol);
          });
        }
      }
    }
  });

  it("softmax rows sum to one", () => {
    const x = Array.from({ length: 7 * 33 }, rand);
    const got = run("softmax", 7, 33, x);
    for (let r = 0; r < 7; r++) {
      const s = got.slice(r * 33, (r + 1) * 33).reduce((a, b) => a + b, 0);
      expect(s).toBeCloseTo(1, 6);
    }
  });
});
