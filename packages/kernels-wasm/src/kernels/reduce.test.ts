import { describe, expect, it } from "vitest";
import { WasmKernels } from "../wasmKernels";
import type { FloatDType } from "./dtype";
import { type ReduceOp, reduceOps } from "./reduce";

const k = WasmKernels.create();
let seed = 99;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31 - 0.5;
};
const E = (d: FloatDType) => (d === "f32" ? 4 : 8);
const view = (d: FloatDType) => (d === "f32" ? k.heap.views.f32 : k.heap.views.f64);

function reduceRef(op: ReduceOp, xs: number[]): number {
  if (op === "sum") return xs.reduce((s, x) => s + x, 0);
  if (xs.some(Number.isNaN)) return Number.NaN;
  return op === "max" ? Math.max(...xs) : Math.min(...xs);
}

function run(d: FloatDType, op: ReduceOp, outer: number, r: number, inner: number, x: number[]) {
  const px = k.heap.alloc(x.length * E(d) + 16) + E(d); // unaligned start
  const out = k.heap.alloc(outer * inner * E(d) + 16);
  view(d).set(x, px / E(d));
  k.reduce(op, d, px, out, outer, r, inner);
  const got = Array.from(view(d).subarray(out / E(d), out / E(d) + outer * inner));
  k.heap.free(px - E(d));
  k.heap.free(out);
  return got;
}

describe("reductions over one axis of [outer, r, inner]", () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 5, 1],
    [3, 17, 1],
    [2, 64, 1],
    [4, 1000, 1],
    [1, 3, 7],
    [2, 5, 16],
    [3, 9, 33],
    [1, 200, 5],
  ];
  for (const d of ["f32", "f64"] as const) {
    for (const op of reduceOps) {
      it(`${d} ${op} matches a plain loop`, () => {
        const round = d === "f32" ? Math.fround : (v: number) => v;
        for (const [outer, r, inner] of shapes) {
          const x = Array.from({ length: outer * r * inner }, rand).map(round);
          const got = run(d, op, outer, r, inner, x);
          for (let o = 0; o < outer; o++) {
            for (let j = 0; j < inner; j++) {
              const col = Array.from({ length: r }, (_, i) => x[(o * r + i) * inner + j]!);
              const want = reduceRef(op, col);
              const g = got[o * inner + j]!;
              if (op === "sum") {
                const tol = (d === "f32" ? 3e-7 : 1e-15) * r * 0.5;
                expect(Math.abs(g - want), `${[outer, r, inner]}`).toBeLessThanOrEqual(tol);
              } else {
                expect(g).toBe(round(want));
              }
            }
          }
        }
      });
    }
  }

  it("propagates NaN through max and min, and yields the identity for r = 0", () => {
    for (const n of [3, 4, 9, 21]) {
      const x = Array.from({ length: n }, (_, i) => i);
      x[n - 2] = Number.NaN;
      expect(run("f32", "max", 1, n, 1, x)[0]).toBeNaN();
      expect(run("f32", "min", 1, n, 1, x)[0]).toBeNaN();
      expect(run("f32", "max", 1, 1, n, x)[n - 2]).toBeNaN();
    }
    expect(run("f32", "sum", 2, 0, 1, [])).toEqual([0, 0]);
    expect(run("f64", "max", 1, 0, 3, [])).toEqual([-Infinity, -Infinity, -Infinity]);
  });
});
