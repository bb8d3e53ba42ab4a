// Optimizer update kernels as generated WASM: one step of SGD, Adam/AdamW, RMSprop, Adagrad,
// Adamax, NAdam and RAdam over contiguous arrays, for f32 and f64. They reproduce storage's
// reference loops bit for bit: every element is computed in f64 lanes with the same operations
// in the same order (no fused multiply-add), f32 inputs are promoted exactly, and a value written
// to an f32 array is demoted there — and read back demoted where the reference reads the stored
// element again. Flags that change the formula (weight decay on, momentum, amsgrad, …) select
// one of a few variants of each kernel; `maximize` flips the gradient's sign bit (an xor).
//
// Each kernel `optim_<rule>_<flags>_<dtype>(streams…, n, scalars…)` takes a byte pointer for
// every stream of its rule (0 for one its variant leaves unused), the element count, and the f64
// scalars of the rule, in the order of `optimRules`. A loop iteration does 4 elements (two f64x2
// halves; f32 halves are loaded with load64_zero and the two demoted halves stored as one v128),
// then single elements run the same code on lane 0, so tails match the body. The f32 kernels
// are bound by the f32<->f64 conversions (~0.45 ns per element for plain SGD here), Adam's by
// its f64 square root and two divisions (~1.8 ns).

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import type { FloatDType } from "./dtype";

type V = Val<"v128">;

/** Streams, scalars and variant flags of each update rule. */
export const optimRules = {
  sgd: {
    streams: ["param", "grad", "buf"],
    scalars: ["lr", "momentum", "damp1", "wd", "sign"],
    flags: ["wd", "momentum", "first", "nesterov"],
  },
  adam: {
    streams: ["param", "grad", "m", "v", "vmax"],
    scalars: [
      "decay",
      "wd",
      "beta1",
      "omb1",
      "beta2",
      "omb2",
      "stepSize",
      "bc2Sqrt",
      "eps",
      "sign",
    ],
    flags: ["wd", "decoupled", "amsgrad"],
  },
  rmsprop: {
    streams: ["param", "grad", "sq", "gavg", "buf"],
    scalars: ["lr", "alpha", "oma", "eps", "wd", "momentum", "sign"],
    flags: ["wd", "centered", "momentum"],
  },
  adagrad: {
    streams: ["param", "grad", "sum"],
    scalars: ["clr", "wd", "eps", "sign"],
    flags: ["wd"],
  },
  adamax: {
    streams: ["param", "grad", "m", "u"],
    scalars: ["beta1", "omb1", "beta2", "eps", "wd", "clr", "sign"],
    flags: ["wd"],
  },
  nadam: {
    streams: ["param", "grad", "m", "v"],
    scalars: [
      "beta1",
      "omb1",
      "beta2",
      "omb2",
      "eps",
      "wd",
      "bias2",
      "gradCoef",
      "avgCoef",
      "sign",
    ],
    flags: ["wd"],
  },
  radam: {
    streams: ["param", "grad", "m", "v"],
    scalars: [
      "lr",
      "beta1",
      "omb1",
      "beta2",
      "omb2",
      "eps",
      "wd",
      "bias1",
      "sqrtBias2",
      "rect",
      "sign",
    ],
    flags: ["wd", "rectified"],
  },
} as const;

export type OptimRule = keyof typeof optimRules;
type Flag<R extends OptimRule> = (typeof optimRules)[R]["flags"][number];
/** The variant flags of a rule's kernel (absent = false). */
export type OptimFlags<R extends OptimRule> = { readonly [F in Flag<R>]?: boolean };

/** An update kernel: stream pointers, n, then the rule's scalars. */
export type OptimFn = (...args: number[]) => void;
/** Export names of the update kernels. */
export type OptimKernelName = `optim_${OptimRule}_${number}_${FloatDType}`;

/** The bit mask of a rule's flags, in `optimRules` order. */
function flagBits<R extends OptimRule>(rule: R, flags: OptimFlags<R>): number {
  const names = optimRules[rule].flags as readonly Flag<R>[];
  return names.reduce((bits, f, i) => (flags[f] ? bits | (1 << i) : bits), 0);
}

/**
 * The export name of a rule's kernel for the given flags and dtype.
 *
 * @example
 * optimKernelName("sgd", { momentum: true }, "f32"); // "optim_sgd_2_f32"
 */
export function optimKernelName<R extends OptimRule>(
  rule: R,
  flags: OptimFlags<R>,
  d: FloatDType,
): OptimKernelName {
  return `optim_${rule}_${flagBits(rule, flags)}_${d}`;
}

/** What a rule's element program sees: its inputs, scalars, outputs and temporaries. */
interface Ctx {
  readonly b: CodeBuilder;
  /** Pushes the element(s) of a stream, as f64x2 (loaded on first use). */
  in(stream: string): V;
  /** Pushes a scalar, splatted. */
  s(scalar: string): V;
  /** Sets the value written to a stream. */
  out(stream: string, v: V): void;
  /** The value a store of `v` leaves in the stream (f32: rounded; f64: `v` itself). */
  stored(v: V): V;
  /** Stores `v` in a fresh temporary and returns it. */
  let(v: V): Local<"v128">;
}

/** The element program of each rule for a set of flags, written as the reference loop reads. */
const programs: { readonly [R in OptimRule]: (c: Ctx, f: OptimFlags<R>) => void } = {
  sgd(c, f) {
    const F = c.b.f64x2;
    let d = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) d = c.let(F.add(d.get(), F.mul(c.s("wd"), c.in("param"))));
    if (f.momentum) {
      const buf = f.first
        ? d
        : c.let(F.add(F.mul(c.s("momentum"), c.in("buf")), F.mul(c.s("damp1"), d.get())));
      c.out("buf", buf.get());
      const stored = c.let(c.stored(buf.get()));
      d = f.nesterov ? c.let(F.add(d.get(), F.mul(c.s("momentum"), stored.get()))) : stored;
    }
    c.out("param", F.sub(c.in("param"), F.mul(c.s("lr"), d.get())));
  },

  adam(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    const p = f.decoupled ? c.let(F.mul(c.in("param"), c.s("decay"))) : null;
    const pv = () => (p ? p.get() : c.in("param"));
    if (!f.decoupled && f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), pv())));
    const m = c.let(F.add(F.mul(c.s("beta1"), c.in("m")), F.mul(c.s("omb1"), g.get())));
    const v = c.let(
      F.add(F.mul(c.s("beta2"), c.in("v")), F.mul(F.mul(c.s("omb2"), g.get()), g.get())),
    );
    c.out("m", m.get());
    c.out("v", v.get());
    let vhat = v;
    if (f.amsgrad) {
      vhat = c.let(F.max(c.in("vmax"), v.get()));
      c.out("vmax", vhat.get());
    }
    const denom = c.let(F.add(F.div(F.sqrt(vhat.get()), c.s("bc2Sqrt")), c.s("eps")));
    c.out("param", F.sub(pv(), F.div(F.mul(c.s("stepSize"), m.get()), denom.get())));
  },

  rmsprop(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), c.in("param"))));
    const s = c.let(
      F.add(F.mul(c.s("alpha"), c.in("sq")), F.mul(F.mul(c.s("oma"), g.get()), g.get())),
    );
    c.out("sq", s.get());
    let avg: Local<"v128">;
    if (f.centered) {
      const ga = c.let(F.add(F.mul(c.s("alpha"), c.in("gavg")), F.mul(c.s("oma"), g.get())));
      c.out("gavg", ga.get());
      avg = c.let(F.add(F.sqrt(F.sub(s.get(), F.mul(ga.get(), ga.get()))), c.s("eps")));
    } else avg = c.let(F.add(F.sqrt(s.get()), c.s("eps")));
    if (f.momentum) {
      const buf = c.let(F.add(F.mul(c.s("momentum"), c.in("buf")), F.div(g.get(), avg.get())));
      c.out("buf", buf.get());
      c.out("param", F.sub(c.in("param"), F.mul(c.s("lr"), buf.get())));
    } else c.out("param", F.sub(c.in("param"), F.div(F.mul(c.s("lr"), g.get()), avg.get())));
  },

  adagrad(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), c.in("param"))));
    const s = c.let(F.add(c.in("sum"), F.mul(g.get(), g.get())));
    c.out("sum", s.get());
    const denom = c.let(F.add(F.sqrt(s.get()), c.s("eps")));
    c.out("param", F.sub(c.in("param"), F.div(F.mul(c.s("clr"), g.get()), denom.get())));
  },

  adamax(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), c.in("param"))));
    const m = c.let(F.add(F.mul(c.s("beta1"), c.in("m")), F.mul(c.s("omb1"), g.get())));
    c.out("m", m.get());
    const u = c.let(F.max(F.mul(c.in("u"), c.s("beta2")), F.add(F.abs(g.get()), c.s("eps"))));
    c.out("u", u.get());
    c.out("param", F.sub(c.in("param"), F.div(F.mul(c.s("clr"), m.get()), u.get())));
  },

  nadam(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), c.in("param"))));
    const m = c.let(F.add(F.mul(c.s("beta1"), c.in("m")), F.mul(c.s("omb1"), g.get())));
    const v = c.let(
      F.add(F.mul(c.s("beta2"), c.in("v")), F.mul(F.mul(c.s("omb2"), g.get()), g.get())),
    );
    c.out("m", m.get());
    c.out("v", v.get());
    const denom = c.let(F.add(F.sqrt(F.div(v.get(), c.s("bias2"))), c.s("eps")));
    const withGrad = F.add(c.in("param"), F.div(F.mul(c.s("gradCoef"), g.get()), denom.get()));
    c.out("param", F.add(withGrad, F.div(F.mul(c.s("avgCoef"), m.get()), denom.get())));
  },

  radam(c, f) {
    const F = c.b.f64x2;
    let g = c.let(c.b.v128.xor(c.in("grad"), c.s("sign")));
    if (f.wd) g = c.let(F.add(g.get(), F.mul(c.s("wd"), c.in("param"))));
    const m = c.let(F.add(F.mul(c.s("beta1"), c.in("m")), F.mul(c.s("omb1"), g.get())));
    const v = c.let(
      F.add(F.mul(c.s("beta2"), c.in("v")), F.mul(F.mul(c.s("omb2"), g.get()), g.get())),
    );
    c.out("m", m.get());
    c.out("v", v.get());
    const mhat = c.let(F.div(m.get(), c.s("bias1")));
    if (f.rectified) {
      const adaptive = c.let(F.div(c.s("sqrtBias2"), F.add(F.sqrt(v.get()), c.s("eps"))));
      const p = c.in("param");
      const delta = F.mul(F.mul(F.mul(mhat.get(), c.s("lr")), adaptive.get()), c.s("rect"));
      c.out("param", F.sub(p, delta));
    } else c.out("param", F.sub(c.in("param"), F.mul(mhat.get(), c.s("lr"))));
  },
};

/** The flag sets a rule's kernels exist for (flags that make no difference are left off). */
function variants<R extends OptimRule>(rule: R): OptimFlags<R>[] {
  const names = optimRules[rule].flags as readonly Flag<R>[];
  const all: OptimFlags<R>[] = [];
  for (let bits = 0; bits < 1 << names.length; bits++) {
    all.push(
      Object.fromEntries(names.map((f, i) => [f, (bits & (1 << i)) !== 0])) as OptimFlags<R>,
    );
  }
  return all.filter((f) => canonical(rule, f));
}

/** False for flag sets the backend never asks for (they are normalised away first). */
function canonical<R extends OptimRule>(rule: R, flags: OptimFlags<R>): boolean {
  const f = flags as Record<string, boolean | undefined>;
  if (rule === "sgd") return f.momentum || (!f.first && !f.nesterov);
  // AdamW's decay multiplies the weights whether weight decay is 0 or not
  if (rule === "adam") return !(f.decoupled && f.wd);
  return true;
}

/**
 * Emits `optim_<rule>_<flags>_<dtype>` for one flag set.
 *
 * @example
 * emitOptimKernel(m, "adam", { amsgrad: true }, "f32");
 */
export function emitOptimKernel<R extends OptimRule>(
  m: ModuleBuilder,
  rule: R,
  flags: OptimFlags<R>,
  d: FloatDType,
) {
  const spec = optimRules[rule];
  const params = Object.fromEntries([
    ...spec.streams.map((s) => [s, "i32"] as const),
    ["n", "i32"] as const,
    ...spec.scalars.map((s) => [s, "f64"] as const),
  ]) as Record<string, "i32" | "f64">;
  return m.func({ name: optimKernelName(rule, flags, d), params }, (b, p) => {
    const local = (k: string) => p[k] as Local<"i32">;
    const splat: Record<string, Local<"v128">> = {};
    for (const s of spec.scalars) {
      splat[s] = b.local("v128");
      const v = b.f64x2.splat((p[s] as Local<"f64">).get());
      // `sign` (-1 to maximize, else 1) becomes the mask of its sign bit, xored into the gradient
      splat[s].set(s === "sign" ? b.v128.and(v, b.f64x2.const([-0, -0])) : v);
    }
    const E = d === "f32" ? 4 : 8;
    /** Input locals and output locals, one of each per stream, reused by every emission. */
    const inputs = Object.fromEntries(spec.streams.map((s) => [s, b.local("v128")]));
    const outputs = Object.fromEntries(spec.streams.map((s) => [s, b.local("v128")]));
    const lows = Object.fromEntries(spec.streams.map((s) => [s, b.local("v128")]));
    const temps: Local<"v128">[] = [];
    /** The streams the variant reads or writes (the pointers the loops advance). */
    const used = new Set<string>();
    /**
     * Emits the rule's program once: `load` pushes a stream's elements (from its pointer) as
     * f64x2; the values to write are left in `outputs`. Returns the streams written.
     */
    const emit = (load: (ptr: Local<"i32">) => V): string[] => {
      const loaded = new Set<string>();
      const written: string[] = [];
      let t = 0;
      const ctx: Ctx = {
        b,
        in(s) {
          if (loaded.has(s)) return inputs[s]!.get();
          loaded.add(s);
          used.add(s);
          return inputs[s]!.tee(load(local(s)));
        },
        s: (s) => splat[s]!.get(),
        out(s, v) {
          outputs[s]!.set(v);
          written.push(s);
          used.add(s);
        },
        stored: (v) => (d === "f32" ? b.f64x2.promoteLowF32x4(b.f32x4.demoteF64x2Zero(v)) : v),
        let(v) {
          if (t === temps.length) temps.push(b.local("v128"));
          const l = temps[t++]!;
          l.set(v);
          return l;
        },
      };
      programs[rule](ctx, flags);
      return written;
    };
    const [i, end] = b.locals("i32", 2);
    const n = local("n");
    end.set(b.i32.and(n.get(), b.i32.const(-4)));
    b.for(i, 0, end, 4, () => {
      if (d === "f32") {
        // two halves of 4 f32: each promoted from 8 bytes; the demoted halves stored together
        const load = (h: number) => (ptr: Local<"i32">) =>
          b.f64x2.promoteLowF32x4(b.v128.load64Zero(ptr.get(), { offset: 8 * h }));
        for (const s of emit(load(0))) lows[s]!.set(b.f32x4.demoteF64x2Zero(outputs[s]!.get()));
        for (const s of emit(load(1))) {
          const ptr = local(s).get();
          const lo = lows[s]!.get();
          const hi = b.f32x4.demoteF64x2Zero(outputs[s]!.get());
          b.v128.store(ptr, b.v128.shuffle(LOW_HALVES, lo, hi));
        }
      } else {
        for (const h of [0, 1]) {
          const written = emit((ptr) => b.v128.load(ptr.get(), { offset: 16 * h }));
          for (const s of written) {
            b.v128.store(local(s).get(), outputs[s]!.get(), { offset: 16 * h });
          }
        }
      }
      for (const s of used) b.inc(local(s), 4 * E);
    });
    b.for(i, i, n, 1, () => {
      const written =
        d === "f32"
          ? emit((ptr) => b.f64x2.promoteLowF32x4(b.v128.load32Zero(ptr.get())))
          : emit((ptr) => b.v128.load64Zero(ptr.get()));
      for (const s of written) {
        if (d === "f32") {
          b.f32.store(
            local(s).get(),
            b.f32x4.extractLane(0, b.f32x4.demoteF64x2Zero(outputs[s]!.get())),
          );
        } else b.f64.store(local(s).get(), b.f64x2.extractLane(0, outputs[s]!.get()));
      }
      for (const s of used) b.inc(local(s), E);
    });
  });
}

/** i8x16.shuffle lanes taking the low 8 bytes of each operand. */
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** Emits every update kernel, for the dtypes given. */
export function emitOptimKernels(m: ModuleBuilder, ds: readonly FloatDType[] = ["f32", "f64"]) {
  for (const d of ds) {
    for (const rule of Object.keys(optimRules) as OptimRule[]) {
      for (const flags of variants(rule)) emitOptimKernel(m, rule, flags, d);
    }
  }
}
