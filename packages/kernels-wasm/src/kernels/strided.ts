// Strided 2-D walkers as generated WASM: `rows × cols` elements where every operand (and the
// output) has its own row and column strides in bytes. A walker checks once whether the column
// strides match one of the contiguous kernels' layouts (a pointer walked with unit stride, `v`,
// or one value repeated along the row, stride 0, `s`) and then calls that kernel once per row;
// otherwise it runs a scalar loop with the same per-element arithmetic. Broadcasts (a bias over
// channels, a row over a batch) and transposed operands thereby stay in WASM.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { ValType } from "../asm/opcodes";
import type { Val } from "../asm/val";
import type { FloatDType, FloatOps } from "./dtype";

/** One input of a walker: its element size and how a `s` operand is passed (loaded value type). */
export interface WalkInput {
  readonly bytes: number;
  /** The value type a contiguous kernel takes for this operand when it is a scalar (`s`). */
  readonly scalar?: ValType;
}

/** A contiguous kernel the walker may call per row, and the input layout it takes. */
export interface WalkFast {
  readonly layout: string;
  readonly fn: FuncRef;
}

/** What a walker computes. */
export interface WalkSpec {
  readonly name: string;
  readonly inputs: readonly WalkInput[];
  readonly outBytes: number;
  /** Per-row contiguous kernels `(operand…, out, n)`, tried in order. */
  readonly fast: readonly WalkFast[];
  /** Emits the store of one output element from the input addresses (the scalar path). */
  readonly element: (b: CodeBuilder, inputs: readonly Local<"i32">[], out: Local<"i32">) => void;
}

function load(b: CodeBuilder, type: ValType, addr: Val<"i32">): Val<ValType> {
  switch (type) {
    case "f32":
      return b.f32.load(addr);
    case "f64":
      return b.f64.load(addr);
    case "i64":
      return b.i64.load(addr);
    default:
      return b.i32.load(addr);
  }
}

/**
 * Emits `<name>(p0, rs0, cs0, …, out, ors, ocs, rows, cols)`: strides in bytes, counts in
 * elements.
 *
 * @example
 * emitWalk(m, { name: "binary2d_add_f32", inputs, outBytes: 4, fast, element });
 */
export function emitWalk(m: ModuleBuilder, spec: WalkSpec): FuncRef {
  const params: Record<string, ValType> = {};
  spec.inputs.forEach((_, i) => {
    params[`p${i}`] = "i32";
    params[`rs${i}`] = "i32";
    params[`cs${i}`] = "i32";
  });
  Object.assign(params, { out: "i32", ors: "i32", ocs: "i32", rows: "i32", cols: "i32" });
  return m.func({ name: spec.name, params }, (b, pl) => {
    const p = pl as Record<string, Local<"i32">>;
    const k = spec.inputs.length;
    const ptr = (i: number) => p[`p${i}`]!;
    const out = p.out!;
    const [r, c] = b.locals("i32", 2);
    const q = b.locals("i32", k);
    const o = b.local("i32");
    const nextRow = () => {
      for (let i = 0; i < k; i++) b.inc(ptr(i), p[`rs${i}`]!);
      b.inc(out, p.ors!);
    };
    b.block((done) => {
      for (const f of spec.fast) {
        let cond = b.i32.eq(p.ocs!.get(), b.i32.const(spec.outBytes));
        for (let i = 0; i < k; i++) {
          const want = f.layout[i] === "v" ? spec.inputs[i]!.bytes : 0;
          cond = b.i32.and(cond, b.i32.eq(p[`cs${i}`]!.get(), b.i32.const(want)));
        }
        b.if(cond, () => {
          b.for(r, 0, p.rows!, 1, () => {
            const args: Val<ValType>[] = [];
            for (let i = 0; i < k; i++) {
              if (f.layout[i] === "v") args.push(ptr(i).get());
              else args.push(load(b, spec.inputs[i]!.scalar ?? "i32", ptr(i).get()));
            }
            b.call(f.fn, ...args, out.get(), p.cols!.get());
            nextRow();
          });
          b.br(done);
        });
      }
      b.for(r, 0, p.rows!, 1, () => {
        for (let i = 0; i < k; i++) q[i]!.set(ptr(i).get());
        o.set(out.get());
        b.for(c, 0, p.cols!, 1, () => {
          spec.element(b, q, o);
          for (let i = 0; i < k; i++) b.inc(q[i]!, p[`cs${i}`]!);
          b.inc(o, p.ocs!);
        });
        nextRow();
      });
    });
  });
}

/** The element store of a float op computed on splats with its vector code (tails match). */
export function vectorElement(
  t: FloatOps,
  f: (xs: readonly (() => Val<"v128">)[]) => Val<"v128">,
  inputs: readonly Local<"i32">[],
  out: Local<"i32">,
): void {
  t.store(out.get(), t.vec.extractLane(0, f(inputs.map((q) => () => t.loadSplat(q.get())))));
}

/** Emits `copy_<bytes>(x, out, n)`: a contiguous copy of n elements of `bytes` bytes (bit-exact). */
export function emitCopy(m: ModuleBuilder, bytes: 1 | 4 | 8): FuncRef {
  return m.func(
    { name: `copy_${bytes}`, params: { x: "i32", out: "i32", n: "i32" }, export: false },
    (b, p) => {
      const [i, end] = b.locals("i32", 2);
      const per = 16 / bytes;
      end.set(b.i32.and(p.n.get(), b.i32.const(-4 * per)));
      b.for(i, 0, end, 4 * per, () => {
        for (let u = 0; u < 4; u++) {
          b.v128.store(p.out.get(), b.v128.load(p.x.get(), { offset: 16 * u }), { offset: 16 * u });
        }
        b.inc(p.x, 64);
        b.inc(p.out, 64);
      });
      b.for(i, i, p.n, 1, () => {
        if (bytes === 1) b.i32.store8(p.out.get(), b.i32.load8U(p.x.get()));
        else if (bytes === 4) b.i32.store(p.out.get(), b.i32.load(p.x.get()));
        else b.i64.store(p.out.get(), b.i64.load(p.x.get()));
        b.inc(p.x, bytes);
        b.inc(p.out, bytes);
      });
    },
  );
}

/** Emits `copy2d_<bytes>`: a strided bit-exact copy (any dtype of that size). */
export function emitCopy2d(m: ModuleBuilder, bytes: 1 | 4 | 8): FuncRef {
  const copy = emitCopy(m, bytes);
  return emitWalk(m, {
    name: `copy2d_${bytes}`,
    inputs: [{ bytes }],
    outBytes: bytes,
    fast: [{ layout: "v", fn: copy }],
    element: (b, [x], o) => {
      if (bytes === 1) b.i32.store8(o.get(), b.i32.load8U(x!.get()));
      else if (bytes === 4) b.i32.store(o.get(), b.i32.load(x!.get()));
      else b.i64.store(o.get(), b.i64.load(x!.get()));
    },
  });
}

/** Input descriptors of float operands of dtype `d`. */
export function floatInputs(d: FloatDType, count: number): WalkInput[] {
  const bytes = d === "f32" ? 4 : 8;
  return Array.from({ length: count }, () => ({ bytes, scalar: d }));
}
