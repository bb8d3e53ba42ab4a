// Contiguous elementwise kernels as generated WASM: binary ops (vector∘vector, vector∘scalar,
// scalar∘vector), unary ops, and the fused multiply-add a*b+c with scalar variants, for f32 and
// f64. Each loops over 4 v128 per iteration, then single v128s, then a scalar tail that runs the
// same vector code on one lane, so tails give bit-identical results to the body.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { dtypes, type FloatDType, type FloatOps, floatOps } from "./dtype";
import { emitWalk, floatInputs, vectorElement } from "./strided";
import { emitExpVec, expScratch } from "./vecMath";

type V = Val<"v128">;
type Lazy = () => V;

/** Binary elementwise ops, PyTorch's names. */
export const binaryOps = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
export type BinaryOp = (typeof binaryOps)[number];
/** Unary elementwise ops, PyTorch's names. */
export const unaryOps = ["neg", "abs", "sqrt", "relu", "exp"] as const;
export type UnaryOp = (typeof unaryOps)[number];
/** Operand layouts: v = a contiguous vector, s = a scalar broadcast to every element. */
export const binaryLayouts = ["vv", "vs", "sv"] as const;
export type BinaryLayout = (typeof binaryLayouts)[number];
/** Layouts of a*b+c (b and c may be scalars). */
export const mulAddLayouts = ["vvv", "vsv", "vvs", "vss"] as const;
export type MulAddLayout = (typeof mulAddLayouts)[number];

function binaryBody(t: FloatOps, op: BinaryOp): (x: V, y: V) => V {
  const v = t.vec;
  switch (op) {
    case "add":
      return (x, y) => v.add(x, y);
    case "sub":
      return (x, y) => v.sub(x, y);
    case "mul":
      return (x, y) => v.mul(x, y);
    case "div":
      return (x, y) => v.div(x, y);
    case "maximum":
      return (x, y) => v.max(x, y);
    case "minimum":
      return (x, y) => v.min(x, y);
  }
}

function unaryBody(b: CodeBuilder, t: FloatOps, op: UnaryOp): (x: Lazy) => V {
  const v = t.vec;
  switch (op) {
    case "neg":
      return (x) => v.neg(x());
    case "abs":
      return (x) => v.abs(x());
    case "sqrt":
      return (x) => v.sqrt(x());
    case "relu": {
      // x with the lanes where x <= 0 cleared: +0 for x ≤ 0 (-0 included), x itself (bits and
      // all) for x > 0 and for NaN, as torch.relu does; two instructions where max is eight
      const tmp = b.local("v128");
      return (x) => {
        tmp.set(x());
        return b.v128.andnot(tmp.get(), v.le(tmp.get(), b.v128.const(new Uint8Array(16))));
      };
    }
    case "exp": {
      const s = expScratch(b);
      return (x) => emitExpVec(b, t.info.name, s, x);
    }
  }
}

/** One input stream: a pointer walked along the data, or a scalar splatted once. */
interface Stream {
  /** Pushes the operand for the vector at byte offset `off` from the current position. */
  vec(off: number): V;
  /** Pushes the operand for one element (lane 0 meaningful) at the current position. */
  one(): V;
  /** Advances the pointer by `bytes` (no-op for scalars). */
  step(b: CodeBuilder, bytes: number): void;
}

function pointerStream(b: CodeBuilder, t: FloatOps, p: Local<"i32">): Stream {
  return {
    vec: (off) => b.v128.load(p.get(), { offset: off }),
    one: () => t.loadSplat(p.get()),
    step: (bb, bytes) => bb.inc(p, bytes),
  };
}

function scalarStream(splat: Local<"v128">): Stream {
  return { vec: () => splat.get(), one: () => splat.get(), step: () => {} };
}

/**
 * Emits the loop `out[i] = f(inputs…)` for i < n over contiguous streams: 4 v128 per iteration,
 * then one v128, then single elements.
 */
function emitMap(
  b: CodeBuilder,
  t: FloatOps,
  inputs: readonly Stream[],
  out: Local<"i32">,
  n: Local<"i32">,
  f: (args: readonly Lazy[]) => V,
): void {
  const { lanes: L, bytes: E } = t.info;
  const [i, end] = b.locals("i32", 2);
  const unroll = 4;
  end.set(b.i32.and(n.get(), b.i32.const(-(L * unroll))));
  b.for(i, 0, end, L * unroll, () => {
    for (let u = 0; u < unroll; u++) {
      b.v128.store(out.get(), f(inputs.map((s) => () => s.vec(u * 16))), { offset: u * 16 });
    }
    for (const s of inputs) s.step(b, 16 * unroll);
    b.inc(out, 16 * unroll);
  });
  end.set(b.i32.and(n.get(), b.i32.const(-L)));
  b.for(i, i, end, L, () => {
    b.v128.store(out.get(), f(inputs.map((s) => () => s.vec(0))));
    for (const s of inputs) s.step(b, 16);
    b.inc(out, 16);
  });
  b.for(i, i, n, 1, () => {
    const r = () => f(inputs.map((s) => () => s.one()));
    t.store(out.get(), t.vec.extractLane(0, r()));
    for (const s of inputs) s.step(b, E);
    b.inc(out, E);
  });
}

/**
 * Emits `binary_<op>_<dtype>_<layout>(a, b, out, n)`: a pointer for each `v` operand, a scalar
 * for each `s` operand (`vs`: a∘s, `sv`: s∘b).
 *
 * @example
 * emitBinary(m, "add", "f32", "vv"); // exports binary_add_f32_vv(a, b, out, n)
 */
export function emitBinary(m: ModuleBuilder, op: BinaryOp, d: FloatDType, layout: BinaryLayout) {
  const params = {
    x: layout[0] === "v" ? "i32" : d,
    y: layout[1] === "v" ? "i32" : d,
    out: "i32",
    n: "i32",
  } as const;
  return m.func({ name: `binary_${op}_${d}_${layout}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const fn = binaryBody(t, op);
    const streams = [p.x, p.y].map((x, k) => stream(b, t, x, layout[k] === "v"));
    emitMap(b, t, streams, p.out, p.n, ([x, y]) => fn(x!(), y!()));
  });
}

function stream(b: CodeBuilder, t: FloatOps, x: Local<"i32" | FloatDType>, isVec: boolean): Stream {
  if (isVec) return pointerStream(b, t, x as Local<"i32">);
  const splat = b.local("v128");
  splat.set(t.vec.splat((x as unknown as Local<"f32">).get()));
  return scalarStream(splat);
}

/** Emits `unary_<op>_<dtype>(x, out, n)`. */
export function emitUnary(m: ModuleBuilder, op: UnaryOp, d: FloatDType) {
  return m.func(
    { name: `unary_${op}_${d}`, params: { x: "i32", out: "i32", n: "i32" } },
    (b, p) => {
      const t = floatOps(b, d);
      const fn = unaryBody(b, t, op);
      emitMap(b, t, [pointerStream(b, t, p.x)], p.out, p.n, ([x]) => fn(x!));
    },
  );
}

/** Emits `mulAdd_<dtype>_<layout>(a, b, c, out, n)`: out = a*b + c, b and c per the layout. */
export function emitMulAdd(m: ModuleBuilder, d: FloatDType, layout: MulAddLayout) {
  const params = {
    x: "i32",
    y: layout[1] === "v" ? "i32" : d,
    z: layout[2] === "v" ? "i32" : d,
    out: "i32",
    n: "i32",
  } as const;
  return m.func({ name: `mulAdd_${d}_${layout}`, params }, (b, p) => {
    const t = floatOps(b, d);
    const streams = [p.x, p.y, p.z].map((x, k) => stream(b, t, x, layout[k] === "v"));
    emitMap(b, t, streams, p.out, p.n, ([x, y, z]) => t.vec.add(t.vec.mul(x!(), y!()), z!()));
  });
}

/** Emits every elementwise kernel, and its strided 2-D walker, for the dtypes given. */
export function emitElementwise(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    for (const op of binaryOps) {
      const [vv, vs, sv] = binaryLayouts.map((l) => emitBinary(m, op, d, l));
      emitWalk(m, {
        name: `binary2d_${op}_${d}`,
        inputs: floatInputs(d, 2),
        outBytes: dtypes[d].bytes,
        fast: [
          { layout: "vv", fn: vv! },
          { layout: "vs", fn: vs! },
          { layout: "sv", fn: sv! },
        ],
        element: (b, q, o) => {
          const t = floatOps(b, d);
          const fn = binaryBody(t, op);
          vectorElement(t, ([x, y]) => fn(x!(), y!()), q, o);
        },
      });
    }
    for (const op of unaryOps) {
      const fn = emitUnary(m, op, d);
      emitWalk(m, {
        name: `unary2d_${op}_${d}`,
        inputs: floatInputs(d, 1),
        outBytes: dtypes[d].bytes,
        fast: [{ layout: "v", fn }],
        element: (b, q, o) => {
          const t = floatOps(b, d);
          const body = unaryBody(b, t, op);
          vectorElement(t, ([x]) => body(x!), q, o);
        },
      });
    }
    for (const l of mulAddLayouts) emitMulAdd(m, d, l);
  }
}
