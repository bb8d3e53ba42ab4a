import { describe, expect, it } from "vitest";
import { wasmApi } from "../wasmApi";
import type { CodeBuilder } from "./codeBuilder";
import { ModuleBuilder } from "./moduleBuilder";
import type { Val } from "./val";

// Each case: out = op(v128 at a, v128 at b); checked lane by lane against a JS reference.
type V = Val<"v128">;
type Emit = (b: CodeBuilder, x: () => V, y: () => V) => V;
type Case = readonly [string, Emit, (x: number, y: number) => number];

const f = Math.fround;
const A = [1.5, -2.25, 0.3, 7];
const B = [-0.5, 4, 0.3, -8];

const f32Cases: readonly Case[] = [
  ["add", (b, x, y) => b.f32x4.add(x(), y()), (x, y) => f(x + y)],
  ["sub", (b, x, y) => b.f32x4.sub(x(), y()), (x, y) => f(x - y)],
  ["mul", (b, x, y) => b.f32x4.mul(x(), y()), (x, y) => f(x * y)],
  ["div", (b, x, y) => b.f32x4.div(x(), y()), (x, y) => f(x / y)],
  ["min", (b, x, y) => b.f32x4.min(x(), y()), Math.min],
  ["max", (b, x, y) => b.f32x4.max(x(), y()), Math.max],
  ["pmin", (b, x, y) => b.f32x4.pmin(x(), y()), Math.min], // no NaN or ±0 in A, B
  ["abs", (b, x) => b.f32x4.abs(x()), Math.abs],
  ["neg", (b, x) => b.f32x4.neg(x()), (x) => -x],
  ["sqrt", (b, x) => b.f32x4.sqrt(b.f32x4.abs(x())), (x) => f(Math.sqrt(Math.abs(x)))],
  ["floor", (b, x) => b.f32x4.floor(x()), Math.floor],
  ["ceil", (b, x) => b.f32x4.ceil(x()), Math.ceil],
  ["trunc", (b, x) => b.f32x4.trunc(x()), Math.trunc],
  ["splat", (b) => b.f32x4.splat(b.f32.const(2.5)), () => 2.5],
  [
    "replaceLane",
    (b, x) => b.f32x4.replaceLane(2, x(), b.f32.const(9)),
    (x, _y) => x, // lane 2 checked separately below
  ],
  ["convert", (b, x) => b.f32x4.convertI32x4S(b.i32x4.truncSatF32x4S(x())), (x) => Math.trunc(x)],
  [
    "bitselect",
    (b, x, y) => b.v128.bitselect(x(), y(), b.f32x4.lt(x(), y())),
    (x, y) => (f(x) < f(y) ? x : y),
  ],
  ["andnot", (b, x) => b.v128.andnot(x(), b.f32x4.splat(b.f32.const(-0))), Math.abs],
  [
    "eq-mask",
    (b, x, y) => b.v128.and(b.f32x4.eq(x(), y()), x()),
    (x, y) => (f(x) === f(y) ? x : 0),
  ],
];

function build(cases: readonly Case[], width: 4 | 8) {
  const api = wasmApi();
  const memory = new api.Memory({ initial: 1 });
  const m = new ModuleBuilder();
  m.importMemory("env", "memory", { initial: 1 });
  for (const [name, op] of cases) {
    m.func({ name, params: { a: "i32", b: "i32", out: "i32" } }, (b, p) => {
      b.v128.store(
        p.out.get(),
        op(
          b,
          () => b.v128.load(p.a.get()),
          () => b.v128.load(p.b.get()),
        ),
      );
    });
  }
  const bytes = m.toBytes();
  expect(api.validate(bytes)).toBe(true);
  const e = new api.Instance(new api.Module(bytes), { env: { memory } }).exports;
  const run = (name: string, a: number[], bv: number[]) => {
    const view = width === 4 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    view.set(a, 0);
    view.set(bv, 16 / width);
    (e[name] as (a: number, b: number, o: number) => void)(0, 16, 32);
    return Array.from(view.subarray(32 / width, 32 / width + 16 / width));
  };
  return run;
}

describe("SIMD128 instructions", () => {
  it("f32x4 ops compute what their names say", () => {
    const run = build(f32Cases, 4);
    for (const [name, , ref] of f32Cases) {
      const got = run(name, A, B);
      const want = A.map((x, i) => f(ref(f(x), f(B[i]!))));
      if (name === "replaceLane") want[2] = 9;
      expect(got, name).toEqual(want);
    }
  });

  it("f64x2 ops compute what their names say", () => {
    const cases: readonly Case[] = [
      ["add", (b, x, y) => b.f64x2.add(x(), y()), (x, y) => x + y],
      ["sub", (b, x, y) => b.f64x2.sub(x(), y()), (x, y) => x - y],
      ["mul", (b, x, y) => b.f64x2.mul(x(), y()), (x, y) => x * y],
      ["div", (b, x, y) => b.f64x2.div(x(), y()), (x, y) => x / y],
      ["min", (b, x, y) => b.f64x2.min(x(), y()), Math.min],
      ["max", (b, x, y) => b.f64x2.max(x(), y()), Math.max],
      ["abs", (b, x) => b.f64x2.abs(x()), Math.abs],
      ["neg", (b, x) => b.f64x2.neg(x()), (x) => -x],
      ["sqrt", (b, x) => b.f64x2.sqrt(b.f64x2.abs(x())), (x) => Math.sqrt(Math.abs(x))],
      ["floor", (b, x) => b.f64x2.floor(x()), Math.floor],
      [
        "nearest",
        (b, x) => b.f64x2.nearest(x()),
        (x) => (x - Math.floor(x) === 0.5 ? x : Math.round(x)),
      ],
      ["splat", (b) => b.f64x2.splat(b.f64.const(0.1)), () => 0.1],
    ];
    const run = build(cases, 8);
    for (const [name, , ref] of cases) {
      const a = [1.1, -2.7];
      const bv = [3.3, 0.5];
      expect(run(name, a, bv), name).toEqual(a.map((x, i) => ref(x, bv[i]!)));
    }
  });

  it("lane access, splat loads, shuffles and i32x4 arithmetic", () => {
    const api = wasmApi();
    const memory = new api.Memory({ initial: 1 });
    const m = new ModuleBuilder();
    m.importMemory("env", "memory", { initial: 1 });
    m.func({ name: "lane", params: { p: "i32" }, result: "f32" }, (b, p) => {
      b.f32x4.extractLane(3, b.v128.load(p.p.get()));
    });
    m.func({ name: "splatLoad", params: { p: "i32", o: "i32" } }, (b, p) => {
      b.v128.store(p.o.get(), b.v128.load32Splat(p.p.get(), { offset: 4 }));
    });
    m.func({ name: "zeroLoad", params: { p: "i32", o: "i32" } }, (b, p) => {
      b.v128.store(p.o.get(), b.v128.load32Zero(p.p.get(), { offset: 8 }));
    });
    m.func({ name: "reverse", params: { p: "i32", o: "i32" } }, (b, p) => {
      const v = () => b.v128.load(p.p.get());
      const idx = [12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3];
      b.v128.store(p.o.get(), b.v128.shuffle(idx, v(), v()));
    });
    m.func({ name: "ints", params: { p: "i32", o: "i32" } }, (b, p) => {
      // tokens are emitted in call order, so the address comes first and nothing is hoisted
      const v = () => b.v128.load(p.p.get());
      const t = () => b.i32x4.add(b.i32x4.mul(v(), v()), b.i32x4.const([1, 2, 3, 4]));
      const max = () => b.i32x4.maxS(t(), b.i32x4.splat(b.i32.const(3)));
      b.v128.store(p.o.get(), b.i32x4.shl(max(), b.i32.const(1)));
    });
    m.func({ name: "intLane", params: { p: "i32" }, result: "i32" }, (b, p) => {
      b.i32x4.extractLane(1, b.i32x4.replaceLane(1, b.v128.load(p.p.get()), b.i32.const(-7)));
    });
    const bytes = m.toBytes();
    expect(api.validate(bytes)).toBe(true);
    const e = new api.Instance(new api.Module(bytes), { env: { memory } }).exports as Record<
      string,
      (...a: number[]) => number
    >;
    const f32 = new Float32Array(memory.buffer);
    const i32 = new Int32Array(memory.buffer);
    f32.set([1, 2, 3, 4], 0);
    expect(e.lane!(0)).toBe(4);
    e.splatLoad!(0, 64);
    expect(Array.from(f32.subarray(16, 20))).toEqual([2, 2, 2, 2]);
    e.zeroLoad!(0, 64);
    expect(Array.from(f32.subarray(16, 20))).toEqual([3, 0, 0, 0]);
    e.reverse!(0, 64);
    expect(Array.from(f32.subarray(16, 20))).toEqual([4, 3, 2, 1]);
    i32.set([0, 1, -2, 3], 0);
    e.ints!(0, 64);
    expect(Array.from(i32.subarray(16, 20))).toEqual([6, 6, 14, 26]);
    expect(e.intLane!(0)).toBe(-7);
    expect(() => m.func({ name: "bad", params: {} }, (b) => b.f32x4.extractLane(4))).toThrow(
      RangeError,
    );
  });
});
