import { afterAll, describe, expect, it } from "vitest";
import { expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { WasmKernels } from "../wasmKernels";
import type { FloatDType } from "./dtype";
import { gemmConfigs, gemmPackedBElements, gemmWorkspaceBytes } from "./gemm";

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

describe("gemm over B packed whole (gemmPackB + gemmPackedB)", () => {
  /** The bits of C from gemm_<d>, and from B packed in `pieces` column ranges then gemmPackedB. */
  function both(d: FloatDType, c: Case, pieces: (n: number) => number[]) {
    const E = d === "f32" ? 4 : 8;
    const { m, n, k: kk } = c;
    const rsc = c.rsc ?? n;
    const [rsa, csa] = c.ta ? [1, m] : [kk, 1];
    const [rsb, csb] = c.tb ? [1, kk] : [n, 1];
    const heap = k.heap;
    const pa = heap.alloc(m * kk * E);
    const pb = heap.alloc(kk * n * E);
    const c0 = Array.from({ length: m * rsc }, rand);
    const outs = [heap.alloc(m * rsc * E), heap.alloc(m * rsc * E)];
    const cfg = gemmConfigs[d];
    const packed = heap.alloc(gemmPackedBElements(cfg, n, kk) * E + 16);
    const work = heap.alloc(gemmWorkspaceBytes(cfg));
    const view = () => (d === "f32" ? heap.views.f32 : heap.views.f64);
    view().set(Array.from({ length: m * kk }, rand), pa / E);
    view().set(Array.from({ length: kk * n }, rand), pb / E);
    for (const o of outs) view().set(c0, o / E);
    // a sentinel past the packed B: the packing stays inside gemmPackedBElements
    const end = packed / E + gemmPackedBElements(cfg, n, kk);
    view()[end] = 777;
    const acc = c.accumulate ? 1 : 0;
    k.raw[`gemm_${d}`](m, n, kk, pa, rsa, csa, pb, rsb, csb, outs[0]!, rsc, acc, work);
    const cuts = pieces(n);
    for (let i = 0; i + 1 < cuts.length; i++) {
      k.raw[`gemmPackB_${d}`](pb, rsb, csb, n, kk, packed, cuts[i]!, cuts[i + 1]!);
    }
    expect(view()[end]).toBe(777);
    k.raw[`gemmPackedB_${d}`](m, n, kk, pa, rsa, csa, packed, outs[1]!, rsc, acc, work);
    const bits = (p: number) => new Uint32Array(heap.memory.buffer, p, (m * rsc * E) / 4).slice();
    expect(bits(outs[1]!)).toEqual(bits(outs[0]!));
    for (const p of [pa, pb, ...outs, packed, work]) heap.free(p);
  }

  const { nrv } = gemmConfigs.f32;
  const NR = nrv * 4;
  const whole = (n: number) => [0, n];
  // NR-aligned cuts, one across an NC block boundary when there is one
  const cut = (n: number) =>
    [...new Set([0, NR, 3 * NR, nc - NR, nc + NR, n])].filter((x) => x <= n).sort((x, y) => x - y);
  const cases: Case[] = [
    { m: 1, n: 1, k: 1 },
    { m: 7, n: 9, k: 3 },
    { m: 13, n: 17, k: 29, ta: true },
    { m: 31, n: 45, k: kc + 13, tb: true }, // two K blocks
    { m: mc + 7, n: 50, k: 70, accumulate: true, rsc: 53 },
    { m: 9, n: nc + 21, k: kc + 3 }, // two NC blocks, two K blocks
    { m: 12, n: nc + 3, k: 5, ta: true, tb: true },
  ];
  for (const d of ["f32", "f64"] as const) {
    it(`${d}: gives gemm's bits, B packed whole or in column ranges`, () => {
      for (const c of cases) {
        both(d, c, whole);
        both(d, c, cut);
      }
    });
  }
});

describe("matmul on threads", () => {
  const kt = WasmKernels.create({ shared: true, initialPages: 512 });
  afterAll(() => {
    kt.threads.close();
    setNumThreads(1);
  });

  // split by rows over B packed once (edges in M, N, K; two NC and K blocks; accumulate;
  // transposed operands), and split by columns (fewer rows than two tiles per thread)
  const cases: (Case & { what: string })[] = [
    { what: "rows", m: 517, n: 301, k: 177 },
    { what: "rows, 2 NC and K blocks", m: 400, n: nc + 37, k: kc + 29, tb: true },
    { what: "rows, accumulate", m: 250, n: 200, k: 330, ta: true, accumulate: true, rsc: 203 },
    { what: "columns", m: 11, n: 3001, k: 600 },
  ];
  for (const c of cases) {
    it(`gives the bits of one thread on 2 threads: ${c.what}`, async () => {
      const { m, n, k: kk } = c;
      const rsc = c.rsc ?? n;
      const h = kt.heap;
      const [pa, pb] = [h.alloc(m * kk * 4), h.alloc(kk * n * 4)];
      h.views.f32.set(Array.from({ length: m * kk }, rand), pa / 4);
      h.views.f32.set(Array.from({ length: kk * n }, rand), pb / 4);
      const c0 = Array.from({ length: m * rsc }, rand);
      const layout = {
        ...(c.ta ? { rsa: 1, csa: m } : {}),
        ...(c.tb ? { rsb: 1, csb: kk } : {}),
        rsc,
        accumulate: c.accumulate ?? false,
      };
      const run = () => {
        const pc = h.alloc(m * rsc * 4);
        h.views.f32.set(c0, pc / 4);
        kt.matmul("f32", m, n, kk, pa, pb, pc, layout);
        const bits = new Uint32Array(h.memory.buffer, pc, m * rsc).slice();
        h.free(pc);
        return bits;
      };
      setNumThreads(1);
      const one = run();
      setNumThreads(2);
      expect(await threadsReady(kt, 2)).toBe(2);
      for (let r = 0; r < 3; r++) {
        let before = kt.threads.workerItems;
        let got = run();
        // a worker that starts late (or is descheduled on a loaded machine) takes no items: run
        // until one took some
        for (let i = 0; i < 200 && kt.threads.workerItems === before; i++) {
          before = kt.threads.workerItems;
          got = run();
        }
        expect(kt.threads.workerItems).toBeGreaterThan(before);
        expectSameBits(got, one, `matmul ${c.what} on 2 threads`);
      }
      h.free(pa);
      h.free(pb);
    });
  }
});
