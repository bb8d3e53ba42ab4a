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
import { emitTranspose } from "./pack";

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
  /** Export the walker (default true). */
  readonly exported?: boolean;
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
  const params = walkParams(spec.inputs.length);
  return m.func({ name: spec.name, params, export: spec.exported ?? true }, (b, pl) => {
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

/**
 * Emits `transpose_<bytes>(x, xcs, out, ors, rows, cols)`: out[i, j] (row stride ors bytes, unit
 * column stride) = x[i, j] with unit row stride and column stride xcs bytes, i.e. a transposed
 * copy, in L×L register tiles (L = 16 / bytes) so both sides move whole v128s.
 */
export function emitTranspose2d(m: ModuleBuilder, bytes: 4 | 8): FuncRef {
  const params = {
    x: "i32",
    xcs: "i32",
    out: "i32",
    ors: "i32",
    rows: "i32",
    cols: "i32",
  } as const;
  return m.func({ name: `transpose_${bytes}`, params, export: false }, (b, p) => {
    const L = 16 / bytes;
    const i32 = b.i32;
    const [i, j, ii, rEnd, cEnd, src, dst, q] = b.locals("i32", 8);
    const [x, t, y] = [b.locals("v128", L), b.locals("v128", L), b.locals("v128", L)];
    const move = (from: () => Val<"i32">, to: () => Val<"i32">) =>
      bytes === 4 ? b.i32.store(to(), b.i32.load(from())) : b.i64.store(to(), b.i64.load(from()));
    rEnd.set(i32.and(p.rows.get(), i32.const(-L)));
    cEnd.set(i32.and(p.cols.get(), i32.const(-L)));
    b.for(i, 0, rEnd, L, () => {
      // src: x + i·bytes (column j0 walks by xcs); dst: out + i·ors
      src.set(i32.add(p.x.get(), i32.mul(i.get(), i32.const(bytes))));
      dst.set(i32.add(p.out.get(), i32.mul(i.get(), p.ors.get())));
      b.for(j, 0, cEnd, L, () => {
        q.set(src.get());
        for (let l = 0; l < L; l++) {
          x[l]!.set(b.v128.load(q.get()));
          if (l < L - 1) b.inc(q, p.xcs);
        }
        emitTranspose(b, x, t, y);
        q.set(dst.get());
        for (let l = 0; l < L; l++) {
          b.v128.store(q.get(), y[l]!.get());
          if (l < L - 1) b.inc(q, p.ors);
        }
        src.set(i32.add(src.get(), i32.mul(p.xcs.get(), i32.const(L))));
        b.inc(dst, 16);
      });
      // the last cols % L columns of these L rows
      b.for(j, cEnd, p.cols, 1, () => {
        for (let l = 0; l < L; l++) {
          move(
            () =>
              i32.add(
                i32.add(p.x.get(), i32.mul(j.get(), p.xcs.get())),
                i32.mul(i32.add(i.get(), i32.const(l)), i32.const(bytes)),
              ),
            () =>
              i32.add(
                i32.add(p.out.get(), i32.mul(i32.add(i.get(), i32.const(l)), p.ors.get())),
                i32.mul(j.get(), i32.const(bytes)),
              ),
          );
        }
      });
    });
    // the last rows % L rows
    b.for(ii, rEnd, p.rows, 1, () => {
      b.for(j, 0, p.cols, 1, () => {
        move(
          () =>
            i32.add(
              i32.add(p.x.get(), i32.mul(j.get(), p.xcs.get())),
              i32.mul(ii.get(), i32.const(bytes)),
            ),
          () =>
            i32.add(
              i32.add(p.out.get(), i32.mul(ii.get(), p.ors.get())),
              i32.mul(j.get(), i32.const(bytes)),
            ),
        );
      });
    });
  });
}

/**
 * Emits `copy2d_<bytes>`: a strided bit-exact copy (any dtype of that size); a transposed layout
 * (unit row stride in, unit column stride out) takes the tiled transpose.
 */
export function emitCopy2d(m: ModuleBuilder, bytes: 1 | 4 | 8): FuncRef {
  const copy = emitCopy(m, bytes);
  const walker = emitWalk(m, {
    name: `copy2d_${bytes}_walk`,
    exported: false,
    inputs: [{ bytes }],
    outBytes: bytes,
    fast: [{ layout: "v", fn: copy }],
    element: (b, [x], o) => {
      if (bytes === 1) b.i32.store8(o.get(), b.i32.load8U(x!.get()));
      else if (bytes === 4) b.i32.store(o.get(), b.i32.load(x!.get()));
      else b.i64.store(o.get(), b.i64.load(x!.get()));
    },
  });
  if (bytes === 1) {
    return m.func({ name: "copy2d_1", params: walkParams(1) }, (b, p) => {
      b.call(walker, ...walkArgs(p, 1));
    });
  }
  const transpose = emitTranspose2d(m, bytes);
  return m.func({ name: `copy2d_${bytes}`, params: walkParams(1) }, (b, p) => {
    const q = p as Record<string, Local<"i32">>;
    const transposed = () =>
      b.i32.and(
        b.i32.and(
          b.i32.eq(q.rs0!.get(), b.i32.const(bytes)),
          b.i32.eq(q.ocs!.get(), b.i32.const(bytes)),
        ),
        b.i32.and(
          b.i32.ne(q.cs0!.get(), b.i32.const(bytes)),
          b.i32.geS(q.rows!.get(), b.i32.const(16 / bytes)),
        ),
      );
    b.if(
      transposed(),
      () =>
        b.call(
          transpose,
          q.p0!.get(),
          q.cs0!.get(),
          q.out!.get(),
          q.ors!.get(),
          q.rows!.get(),
          q.cols!.get(),
        ),
      () => b.call(walker, ...walkArgs(p, 1)),
    );
  });
}

function walkParams(k: number): Record<string, ValType> {
  const params: Record<string, ValType> = {};
  for (let i = 0; i < k; i++)
    Object.assign(params, { [`p${i}`]: "i32", [`rs${i}`]: "i32", [`cs${i}`]: "i32" });
  return Object.assign(params, { out: "i32", ors: "i32", ocs: "i32", rows: "i32", cols: "i32" });
}

function walkArgs(p: Record<string, Local<ValType>>, k: number): Val<ValType>[] {
  return Object.keys(walkParams(k)).map((name) => p[name]!.get());
}

/** Input descriptors of float operands of dtype `d`. */
export function floatInputs(d: FloatDType, count: number): WalkInput[] {
  const bytes = d === "f32" ? 4 : 8;
  return Array.from({ length: count }, () => ({ bytes, scalar: d }));
}
