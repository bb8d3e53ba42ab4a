import { describe, expect, it } from "vitest";
import { WasmKernels } from "../wasmKernels";
import type { FloatDType } from "./dtype";
import { type BinaryOp, binaryOps, mulAddLayouts, type UnaryOp, unaryOps } from "./elementwise";

const k = WasmKernels.create();
const sizes = [0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 100];
const specials = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40];

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31 - 0.5) * 8;
};

const E = (d: FloatDType) => (d === "f32" ? 4 : 8);
const view = (d: FloatDType) => (d === "f32" ? k.heap.views.f32 : k.heap.views.f64);
const round = (d: FloatDType) => (d === "f32" ? Math.fround : (x: number) => x);

/** Values for n elements with a few IEEE specials mixed in. */
function data(n: number, withSpecials = true): number[] {
  return Array.from({ length: n }, (_, i) =>
    withSpecials && i % 7 === 3 ? specials[(i >> 3) % specials.length]! : rand(),
  );
}

/** Allocates n elements at a deliberately unaligned (4-byte offset) address and writes xs. */
function put(d: FloatDType, xs: readonly number[]): number {
  const p = k.heap.alloc(xs.length * E(d) + 16) + (d === "f32" ? 4 : 8);
  view(d).set(xs, p / E(d));
  return p;
}
const get = (d: FloatDType, p: number, n: number) =>
  Array.from(view(d).subarray(p / E(d), p / E(d) + n));

const ref: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y)),
  minimum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y)),
};

function same(got: number[], want: number[], label: string) {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      throw new Error(`${label}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

describe("elementwise binary kernels", () => {
  for (const d of ["f32", "f64"] as const) {
    it(`${d}: vector∘vector, vector∘scalar and scalar∘vector match IEEE arithmetic exactly`, () => {
      const r = round(d);
      for (const op of binaryOps) {
        for (const n of sizes) {
          const a = data(n).map(r);
          const b = data(n).map(r);
          const s = r(rand());
          const pa = put(d, a);
          const pb = put(d, b);
          const out = put(d, new Array(n).fill(0));
          k.binary(op, d, pa, pb, out, n);
          same(
            get(d, out, n),
            a.map((x, i) => r(ref[op](x, b[i]!))),
            `${d} ${op} vv n=${n}`,
          );
          k.binaryScalar(op, d, pa, s, out, n);
          same(
            get(d, out, n),
            a.map((x) => r(ref[op](x, s))),
            `${d} ${op} vs n=${n}`,
          );
          k.scalarBinary(op, d, s, pb, out, n);
          same(
            get(d, out, n),
            b.map((y) => r(ref[op](s, y))),
            `${d} ${op} sv n=${n}`,
          );
        }
      }
    });
  }

  it("works in place and leaves the element after the end untouched", () => {
    const a = [1, 2, 3, 4, 5, 6, 7];
    const pa = put("f32", [...a, 99]);
    k.binaryScalar("mul", "f32", pa, 2, pa, 7);
    expect(get("f32", pa, 8)).toEqual([2, 4, 6, 8, 10, 12, 14, 99]);
  });
});

describe("elementwise unary kernels", () => {
  const refU: Record<UnaryOp, (x: number) => number> = {
    neg: (x) => -x,
    abs: Math.abs,
    sqrt: Math.sqrt,
    relu: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
    exp: Math.exp,
  };
  for (const d of ["f32", "f64"] as const) {
    it(`${d}: neg, abs, sqrt and relu match exactly`, () => {
      const r = round(d);
      for (const op of unaryOps) {
        if (op === "exp") continue;
        for (const n of sizes) {
          const x = data(n).map(r);
          const px = put(d, x);
          const out = put(d, new Array(n).fill(0));
          k.unary(op, d, px, out, n);
          const want = x.map((v) => r(refU[op](v)));
          if (op === "relu") {
            // relu(-0) may be ±0; compare with == there
            get(d, out, n).forEach((g, i) => {
              if (want[i] === 0) expect(g).toBe(0);
              else same([g], [want[i]!], `relu[${i}]`);
            });
          } else {
            same(get(d, out, n), want, `${d} ${op} n=${n}`);
          }
        }
      }
    });
  }

  it("f32 exp is within 2 ulp and handles over/underflow, infinities and NaN", () => {
    const xs = [
      ...Array.from({ length: 2001 }, (_, i) => -100 + i * 0.0945),
      0,
      -0,
      1e-8,
      88.7,
      88.8,
      100,
      -87.3,
      -103,
      -104,
      -110,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ].map(Math.fround);
    const px = put("f32", xs);
    const out = put(
      "f32",
      xs.map(() => 0),
    );
    k.unary("exp", "f32", px, out, xs.length);
    const got = get("f32", out, xs.length);
    xs.forEach((x, i) => {
      const want = Math.exp(x);
      const g = got[i]!;
      if (Number.isNaN(want)) expect(g).toBeNaN();
      else if (want > 3.4028234663852886e38) expect(g).toBe(Number.POSITIVE_INFINITY);
      else if (want < 1.1754943508222875e-38) expect(Math.abs(g - want)).toBeLessThan(3e-45 * 4);
      else expect(Math.abs(g - want) / want, `exp(${x})`).toBeLessThan(2.4e-7);
    });
  });

  it("f64 exp is within 2 ulp and handles over/underflow, subnormals, infinities and NaN", () => {
    const xs = [
      ...Array.from({ length: 4001 }, (_, i) => -740 + i * 0.3624),
      ...Array.from({ length: 1001 }, (_, i) => -1 + i * 0.002),
      0,
      -0,
      1e-300,
      -1e-17,
      709.7,
      709.79,
      709.8,
      710,
      1000,
      -708,
      -730,
      -745,
      -745.2,
      -746,
      -800,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    const px = put("f64", xs);
    const out = put(
      "f64",
      xs.map(() => 0),
    );
    k.unary("exp", "f64", px, out, xs.length);
    const got = get("f64", out, xs.length);
    xs.forEach((x, i) => {
      const want = Math.exp(x);
      const g = got[i]!;
      if (Number.isNaN(want)) expect(g).toBeNaN();
      else if (want === Number.POSITIVE_INFINITY) expect(g).toBe(want);
      else if (want < 2.2250738585072014e-308) {
        expect(Math.abs(g - want), `exp(${x})`).toBeLessThanOrEqual(2 * 5e-324);
      } else expect(Math.abs(g - want) / want, `exp(${x})`).toBeLessThan(4.5e-16);
    });
  });
});

describe("fused a*b+c", () => {
  for (const d of ["f32", "f64"] as const) {
    it(`${d}: every layout matches (a*b rounded, then +c rounded)`, () => {
      const r = round(d);
      for (const layout of mulAddLayouts) {
        for (const n of sizes) {
          const a = data(n, false).map(r);
          const b = data(n, false).map(r);
          const c = data(n, false).map(r);
          const [sb, sc] = [r(rand()), r(rand())];
          const bArg = layout[1] === "v" ? put(d, b) : sb;
          const cArg = layout[2] === "v" ? put(d, c) : sc;
          const out = put(d, new Array(n).fill(0));
          k.mulAdd(d, layout, put(d, a), bArg, cArg, out, n);
          const want = a.map((x, i) =>
            r(r(x * (layout[1] === "v" ? b[i]! : sb)) + (layout[2] === "v" ? c[i]! : sc)),
          );
          same(get(d, out, n), want, `${d} mulAdd ${layout} n=${n}`);
        }
      }
    });
  }
});
