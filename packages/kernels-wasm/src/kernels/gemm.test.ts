import { describe, expect, it } from "vitest";
import { WasmKernels } from "../wasmKernels";
import type { FloatDType } from "./dtype";
import { gemmConfigs } from "./gemm";

const k = WasmKernels.create();
let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31 - 0.5;
};

interface Case {
  m: number;
  n: number;
  k: number;
  ta?: boolean;
  tb?: boolean;
  rsc?: number;
  accumulate?: boolean;
}

function check(d: FloatDType, c: Case) {
  const E = d === "f32" ? 4 : 8;
  const { m, n, k: kk } = c;
  const rsc = c.rsc ?? n;
  const heap = k.heap;
  const pa = heap.alloc(m * kk * E + 4);
  const pb = heap.alloc(kk * n * E + 4);
  const pc = heap.alloc(m * rsc * E + 4);
  const view = () => (d === "f32" ? heap.views.f32 : heap.views.f64);
  const A = Array.from({ length: m * kk }, rand);
  const B = Array.from({ length: kk * n }, rand);
  const C0 = Array.from({ length: m * rsc }, rand);
  const round = d === "f32" ? Math.fround : (x: number) => x;
  // A stored [m,k] row-major, or [k,m] (transposed) when ta; likewise B.
  view().set(A, pa / E);
  view().set(B, pb / E);
  view().set(C0, pc / E);
  const a = (i: number, p: number) => round(A[c.ta ? p * m + i : i * kk + p]!);
  const b = (p: number, j: number) => round(B[c.tb ? j * kk + p : p * n + j]!);
  k.matmul(d, m, n, kk, pa, pb, pc, {
    ...(c.ta ? { rsa: 1, csa: m } : {}),
    ...(c.tb ? { rsb: 1, csb: kk } : {}),
    rsc,
    accumulate: c.accumulate ?? false,
  });
  const got = view();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < rsc; j++) {
      const idx = i * rsc + j;
      const before = round(C0[idx]!);
      if (j >= n) {
        expect(got[pc / E + idx]).toBe(before); // padding columns untouched
        continue;
      }
      let want = c.accumulate ? before : 0;
      let mag = Math.abs(want);
      for (let p = 0; p < kk; p++) {
        want += a(i, p) * b(p, j);
        mag += Math.abs(a(i, p) * b(p, j));
      }
      const tol = (d === "f32" ? 2e-7 : 1e-15) * (mag + 1e-30) * Math.sqrt(kk + 1) * 4;
      const diff = Math.abs(got[pc / E + idx]! - want);
      if (diff > tol) {
        throw new Error(
          `${d} ${JSON.stringify(c)}: C[${i},${j}] = ${got[pc / E + idx]}, want ${want}`,
        );
      }
    }
  }
  heap.free(pa);
  heap.free(pb);
  heap.free(pc);
}

const { mc, kc, nc } = gemmConfigs.f32;

describe("matmul (gemm)", () => {
  const shapes: Case[] = [
    { m: 1, n: 1, k: 1 },
    { m: 6, n: 8, k: 4 },
    { m: 7, n: 9, k: 3 },
    { m: 13, n: 17, k: 29 },
    { m: 5, n: 3, k: 1 },
    { m: 64, n: 65, k: 66 },
    { m: mc + 7, n: 21, k: kc + 13 }, // several MC blocks and K blocks
    { m: 3, n: nc + 9, k: 5 }, // several NC blocks
  ];
  for (const d of ["f32", "f64"] as const) {
    it(`${d}: matches a plain loop on odd shapes`, () => {
      for (const s of shapes) check(d, s);
    });
    it(`${d}: reads transposed operands through strides`, () => {
      for (const s of shapes.slice(0, 6)) {
        check(d, { ...s, ta: true });
        check(d, { ...s, tb: true });
        check(d, { ...s, ta: true, tb: true });
      }
    });
    it(`${d}: writes into a strided C and accumulates`, () => {
      check(d, { m: 9, n: 10, k: 11, rsc: 13 });
      check(d, { m: 9, n: 10, k: 300, accumulate: true });
      check(d, { m: 20, n: 30, k: 7, rsc: 31, accumulate: true, tb: true });
    });
  }

  it("handles k = 0 as an empty sum", () => {
    const c = k.heap.alloc(4 * 6);
    k.heap.views.f32.fill(7, c / 4, c / 4 + 6);
    k.matmul("f32", 2, 3, 0, 0, 0, c);
    expect(Array.from(k.heap.views.f32.subarray(c / 4, c / 4 + 6))).toEqual([0, 0, 0, 0, 0, 0]);
    k.heap.views.f32.fill(7, c / 4, c / 4 + 6);
    k.matmul("f32", 2, 3, 0, 0, 0, c, { accumulate: true });
    expect(k.heap.views.f32[c / 4]).toBe(7);
    k.heap.free(c);
  });
});
