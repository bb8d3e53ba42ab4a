import { describe, expect, it } from "vitest";
import { wasmApi } from "../wasmApi";
import { ModuleBuilder } from "./moduleBuilder";

type Fn = (...args: number[]) => number;

function load(m: ModuleBuilder, imports: Record<string, Record<string, unknown>> = {}) {
  const api = wasmApi();
  const bytes = m.toBytes();
  expect(api.validate(bytes)).toBe(true);
  return new api.Instance(new api.Module(bytes), imports).exports as Record<string, Fn>;
}

describe("ModuleBuilder", () => {
  it("builds an empty module", () => {
    expect(wasmApi().validate(new ModuleBuilder().toBytes())).toBe(true);
  });

  it("builds and runs scalar arithmetic with typed params", () => {
    const m = new ModuleBuilder();
    m.func({ name: "madd", params: { a: "i32", b: "i32", c: "i32" }, result: "i32" }, (b, p) => {
      b.i32.add(b.i32.mul(p.a.get(), p.b.get()), p.c.get());
    });
    m.func({ name: "hyp", params: { x: "f64", y: "f64" }, result: "f64" }, (b, p) => {
      b.f64.sqrt(b.f64.add(b.f64.mul(p.x.get(), p.x.get()), b.f64.mul(p.y.get(), p.y.get())));
    });
    m.func({ name: "half", params: { x: "f32" }, result: "f32" }, (b, p) => {
      b.f32.mul(p.x.get(), b.f32.const(0.5));
    });
    m.func({ name: "big", params: {}, result: "i32" }, (b) => {
      b.i32.wrapI64(b.i64.shrU(b.i64.const(0x123456789abcdefn), b.i64.const(32)));
    });
    const e = load(m);
    expect(e.madd!(3, 4, 5)).toBe(17);
    expect(e.hyp!(3, 4)).toBe(5);
    expect(e.half!(3)).toBe(1.5);
    expect(e.big!()).toBe(0x1234567);
  });

  it("runs loops, blocks, if/else and select", () => {
    const m = new ModuleBuilder();
    m.func({ name: "sum", params: { n: "i32" }, result: "i32" }, (b, p) => {
      const i = b.local("i32");
      const acc = b.local("i32");
      b.for(i, 0, p.n, 1, () => acc.set(b.i32.add(acc.get(), i.get())));
      acc.get();
    });
    m.func({ name: "sign", params: { x: "i32" }, result: "i32" }, (b, p) => {
      const r = b.local("i32");
      b.if(
        b.i32.ltS(p.x.get(), b.i32.const(0)),
        () => r.set(b.i32.const(-1)),
        () => r.set(b.select(b.i32.const(1), b.i32.const(0), p.x.get())),
      );
      r.get();
    });
    m.func({ name: "firstOver", params: { limit: "i32" }, result: "i32" }, (b, p) => {
      // smallest i with i*i > limit, using a labelled block/loop pair
      const i = b.local("i32");
      b.block((done) => {
        b.loop((again) => {
          b.brIf(done, b.i32.gtS(b.i32.mul(i.get(), i.get()), p.limit.get()));
          b.inc(i, 1);
          b.br(again);
        });
      });
      i.get();
    });
    m.func({ name: "blockValue", params: { x: "i32" }, result: "i32" }, (b, p) => {
      b.block("i32", (out) => {
        b.i32.const(7);
        b.brIf(out, p.x.get());
        b.drop();
        b.i32.const(9);
      });
    });
    const e = load(m);
    expect(e.sum!(10)).toBe(45);
    expect(e.sum!(0)).toBe(0);
    expect(e.sum!(-3)).toBe(0);
    expect([e.sign!(-5), e.sign!(0), e.sign!(8)]).toEqual([-1, 0, 1]);
    expect(e.firstOver!(50)).toBe(8);
    expect([e.blockValue!(1), e.blockValue!(0)]).toEqual([7, 9]);
  });

  it("loads and stores with offsets and alignment on an imported memory", () => {
    const api = wasmApi();
    const memory = new api.Memory({ initial: 1 });
    const m = new ModuleBuilder();
    m.importMemory("env", "memory", { initial: 1 });
    m.func({ name: "f", params: { p: "i32" } }, (b, p) => {
      b.f32.store(p.p.get(), b.f32.add(b.f32.load(p.p.get(), { offset: 4 }), b.f32.const(1)));
      b.f64.store(p.p.get(), b.f64.convertI32S(b.i32.load8S(p.p.get(), { offset: 16 })), {
        offset: 24,
        align: 4,
      });
      b.i32.store16(p.p.get(), b.i32.const(0x12345), { offset: 32 });
      b.i64.store32(p.p.get(), b.i64.const(-1), { offset: 40 });
    });
    const e = load(m, { env: { memory } });
    const f32 = new Float32Array(memory.buffer);
    f32[64 + 1] = 2.5;
    new Int8Array(memory.buffer)[256 + 16] = -3;
    e.f!(256);
    expect(f32[64]).toBe(3.5);
    expect(new Float64Array(memory.buffer, 256 + 24, 1)[0]).toBe(-3);
    expect(new Uint16Array(memory.buffer)[(256 + 32) / 2]).toBe(0x2345);
    expect(new Uint32Array(memory.buffer)[(256 + 40) / 4]).toBe(0xffffffff);
  });

  it("imports a shared memory and a function, and grows memory", () => {
    const api = wasmApi();
    const memory = new api.Memory({ initial: 1, maximum: 4, shared: true });
    const m = new ModuleBuilder();
    const log = m.importFunc("env", "log", ["f64"], "f64");
    m.importMemory("env", "memory", { initial: 1, maximum: 4, shared: true });
    m.func({ name: "ln", params: { x: "f64" }, result: "f64" }, (b, p) => {
      b.call(log, p.x.get());
    });
    m.func({ name: "bump", params: { p: "i32" }, result: "i32" }, (b, p) => {
      b.atomic.i32RmwAdd(p.p.get(), b.i32.const(5));
    });
    m.func({ name: "grow", params: {}, result: "i32" }, (b) => {
      b.drop(b.memoryGrow(b.i32.const(1)));
      b.memorySize();
    });
    const e = load(m, { env: { memory, log: Math.log } });
    expect(e.ln!(Math.E)).toBeCloseTo(1, 12);
    expect(e.bump!(8)).toBe(0);
    expect(e.bump!(8)).toBe(5);
    expect(new Int32Array(memory.buffer)[2]).toBe(10);
    expect(e.grow!()).toBe(2);
  });

  it("rejects misuse with clear errors", () => {
    const m = new ModuleBuilder();
    expect(() => m.importMemory("env", "m", { initial: 1, shared: true })).toThrow(/maximum/);
    m.func({ name: "a", params: {} }, () => {});
    expect(() => m.func({ name: "a", params: {} }, () => {})).toThrow(/duplicate export/);
    expect(() => m.importFunc("env", "f", [])).toThrow(/before/);
    expect(() =>
      m.func({ name: "b", params: {} }, (b) => {
        let outer: unknown;
        b.block((l) => {
          outer = l;
        });
        b.br(outer as never);
      }),
    ).toThrow(/not open/);
    expect(() =>
      m.func({ name: "c", params: { p: "i32" } }, (b, p) => {
        b.f32.load(p.p.get(), { align: 8 });
      }),
    ).toThrow(/alignment/);
  });
  it("names its functions, so stack traces and profiles show them", () => {
    const m = new ModuleBuilder();
    m.importFunc("env", "boom", []);
    m.func({ name: "inner_kernel", params: {}, export: false }, () => {});
    m.func({ name: "outer", params: { p: "i32" }, result: "i32" }, (b) => {
      b.unreachable();
    });
    const mod = new WebAssembly.Module(m.toBytes() as BufferSource);
    expect(WebAssembly.Module.customSections(mod, "name")).toHaveLength(1);
    const e = new WebAssembly.Instance(mod, { env: { boom: () => {} } }).exports as {
      outer: (p: number) => number;
    };
    let stack = "";
    try {
      e.outer(1);
    } catch (err) {
      stack = String((err as Error).stack);
    }
    expect(stack).toMatch(/outer/);
  });
});
