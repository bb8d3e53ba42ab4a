// The WASM optimizer updates against the reference kernels, bit for bit: every rule and
// combination of its options, float32 and float64, lengths that leave every tail, several steps
// (the state buffers carry over), special values (±0, subnormals, overflow, NaN), layouts that
// delegate, and a threaded split of a long parameter.

import {
  type DType,
  type Kernels,
  NDArray,
  referenceBackend,
  referenceKernels,
  setBackend,
} from "@x/storage";
import { afterAll, describe, expect, it } from "vitest";
import { arr, rand } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { WasmKernels } from "../wasmKernels";
import { PARALLEL_MIN_ELEMENTS } from "./elementwiseKernels";
import { wasmOptimKernels } from "./optimKernels";
import { createWasmBackend, wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();

type State = readonly (NDArray | null)[];
/** One step of a rule on `kernels`: `p` and the state are updated in place. */
type Step = (k: Kernels, p: NDArray, g: NDArray, s: State, step: number) => void;
/** How each state buffer starts (null: the buffer is not passed). */
type Init = null | (() => number);

/** Mostly uniform in [-3, 3), with zeros of both signs, tiny, subnormal and huge values. */
function values(dtype: DType): () => number {
  const tiny = dtype === "float32" ? 1e-40 : 1e-310;
  const picks = [0, -0, 1e-30, -tiny, tiny, 3e38, -2.5e-3, 1];
  return () => {
    const r = rand();
    return r > 2.4 ? picks[Math.floor((r - 2.4) * (picks.length / 0.6))]! : r;
  };
}
const positive = (dtype: DType) => {
  const f = values(dtype);
  return () => Math.abs(f());
};

/**
 * Throws unless `got` and `want` hold the same values bit for bit, except that any NaN equals
 * any NaN (JavaScript does not keep a NaN's sign or payload).
 */
function expectSame(got: NDArray, want: NDArray, what: string): void {
  const a = got.toArray();
  const b = want.toArray();
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} elements, want ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${what} at ${i}: got ${a[i]}, want ${b[i]}`);
  }
}

/**
 * Runs `steps` steps of `run` with the WASM backend's kernels and with the reference kernels
 * from the same parameter and state, with the same gradients, and compares every array's bits.
 */
function same(
  what: string,
  dtype: DType,
  shape: number[],
  inits: readonly Init[],
  run: Step,
  kernels: Kernels = backend.kernels,
  steps = 3,
): void {
  const p = arr(shape, dtype, values(dtype));
  const n = p.numel();
  const state = inits.map((f) => (f === null ? null : arr([n], dtype, f)));
  const q = p.clone();
  const refState = state.map((s) => (s === null ? null : s.clone()));
  for (let step = 1; step <= steps; step++) {
    const g = arr(shape, dtype, values(dtype));
    run(kernels, p, g, state, step);
    run(referenceKernels, q, g, refState, step);
    expectSame(p, q, `${what} step ${step}: param`);
    state.forEach((s, i) => {
      if (s !== null) expectSame(s, refState[i]!, `${what} step ${step}: state ${i}`);
    });
    g.dispose();
  }
  for (const x of [p, q, ...state, ...refState]) x?.dispose();
}

/** Every combination of the named booleans. */
function combos<K extends string>(...names: K[]): Record<K, boolean>[] {
  return Array.from({ length: 1 << names.length }, (_, bits) =>
    Object.fromEntries(names.map((k, i) => [k, (bits & (1 << i)) !== 0])),
  ) as Record<K, boolean>[];
}

/** The rules, each with its option combinations: state inits and the step. */
function rules(dtype: DType): { rule: string; cases: [string, Init[], Step][] }[] {
  const any = values(dtype);
  const pos = positive(dtype);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  return [
    {
      rule: "sgd",
      cases: combos("momentum", "dampening", "weightDecay", "nesterov", "maximize").map((c) => [
        JSON.stringify(c),
        [c.momentum ? any : null],
        (k, p, g, [buf], step) =>
          k.sgdUpdate(p, g, buf!, {
            lr: 0.1,
            momentum: c.momentum ? 0.9 : 0,
            dampening: c.dampening ? 0.25 : 0,
            weightDecay: c.weightDecay ? 0.05 : 0,
            nesterov: c.nesterov,
            maximize: c.maximize,
            firstStep: step === 1,
          }),
      ]),
    },
    {
      rule: "adam",
      cases: combos("decoupled", "weightDecay", "amsgrad", "maximize").map((c) => [
        JSON.stringify(c),
        [any, pos, c.amsgrad ? pos : null],
        (k, p, g, [m, v, vmax], step) =>
          k.adamUpdate(p, g, m!, v!, vmax!, {
            lr: 0.01,
            beta1,
            beta2,
            eps,
            weightDecay: c.weightDecay ? 0.05 : 0,
            decoupled: c.decoupled,
            maximize: c.maximize,
            stepSize: 0.01 / (1 - beta1 ** step),
            bias2Sqrt: Math.sqrt(1 - beta2 ** step),
          }),
      ]),
    },
    {
      rule: "rmsprop",
      cases: combos("centered", "momentum", "weightDecay", "maximize").map((c) => [
        JSON.stringify(c),
        [pos, c.centered ? any : null, c.momentum ? any : null],
        (k, p, g, [sq, gavg, buf]) =>
          k.rmspropUpdate(p, g, sq!, gavg!, buf!, {
            lr: 0.01,
            alpha: 0.99,
            eps,
            weightDecay: c.weightDecay ? 0.05 : 0,
            momentum: c.momentum ? 0.5 : 0,
            maximize: c.maximize,
          }),
      ]),
    },
    {
      rule: "adagrad",
      cases: combos("weightDecay", "maximize").map((c) => [
        JSON.stringify(c),
        [pos],
        (k, p, g, [sum], step) =>
          k.adagradUpdate(p, g, sum!, {
            clr: 0.01 / (1 + (step - 1) * 0.1),
            weightDecay: c.weightDecay ? 0.05 : 0,
            eps: 1e-10,
            maximize: c.maximize,
          }),
      ]),
    },
    {
      rule: "adamax",
      cases: combos("weightDecay", "maximize").map((c) => [
        JSON.stringify(c),
        [any, pos],
        (k, p, g, [m, u], step) =>
          k.adamaxUpdate(p, g, m!, u!, {
            beta1,
            beta2,
            eps,
            weightDecay: c.weightDecay ? 0.05 : 0,
            maximize: c.maximize,
            clr: 0.002 / (1 - beta1 ** step),
          }),
      ]),
    },
    {
      rule: "nadam",
      cases: combos("weightDecay", "maximize").map((c) => [
        JSON.stringify(c),
        [any, pos],
        (k, p, g, [m, v], step) =>
          k.nadamUpdate(p, g, m!, v!, {
            beta1,
            beta2,
            eps,
            weightDecay: c.weightDecay ? 0.05 : 0,
            maximize: c.maximize,
            bias2: 1 - beta2 ** step,
            gradCoef: -0.002 * (0.1 + step * 1e-3),
            avgCoef: -0.002 * (0.9 - step * 1e-3),
          }),
      ]),
    },
    {
      rule: "radam",
      cases: combos("rectified", "weightDecay", "maximize").map((c) => [
        JSON.stringify(c),
        [any, pos],
        (k, p, g, [m, v], step) =>
          k.radamUpdate(p, g, m!, v!, {
            lr: 0.001,
            beta1,
            beta2,
            eps,
            weightDecay: c.weightDecay ? 0.05 : 0,
            maximize: c.maximize,
            bias1: 1 - beta1 ** step,
            bias2: 1 - beta2 ** step,
            rectified: c.rectified,
            rect: 0.3 + 0.1 * step,
          }),
      ]),
    },
  ];
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 130];

describe("optimizer updates (WASM)", () => {
  it("are listed as WASM-accelerated", () => {
    for (const name of wasmOptimKernels) {
      expect(wasmAccelerated.other).toContain(name);
      expect(backend.kernels[name]).not.toBe(referenceKernels[name]);
    }
  });

  for (const dtype of ["float32", "float64"] as const) {
    for (const { rule, cases } of rules(dtype)) {
      it(`${dtype} ${rule}: every option combination agrees bit for bit, every tail`, () => {
        for (const [what, inits, run] of cases) {
          for (const n of LENGTHS) same(`${rule} ${what} n=${n}`, dtype, [n], inits, run);
          same(`${rule} ${what} 2-d`, dtype, [3, 11], inits, run);
        }
      });
    }

    it(`${dtype}: an update changes the parameter as the rule says`, () => {
      // one plain SGD step: p - lr·g, and with maximize p + lr·g
      const p = NDArray.empty([3], dtype);
      p.typed().set([1, -2, 0.5]);
      const g = NDArray.empty([3], dtype);
      g.typed().set([0.5, 0.25, -1]);
      const o = {
        lr: 0.5,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
        firstStep: true,
      };
      backend.kernels.sgdUpdate(p, g, null, o);
      expect(p.toArray()).toEqual([0.75, -2.125, 1]);
      backend.kernels.sgdUpdate(p, g, null, { ...o, maximize: true });
      expect(p.toArray()).toEqual([1, -2, 0.5]);
    });

    it(`${dtype}: NaN and infinite gradients give what the reference gives`, () => {
      const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1];
      let i = 0;
      const g = () => specials[i++ % specials.length]!;
      for (const { rule, cases } of rules(dtype)) {
        for (const [what, inits, run] of cases) {
          const withSpecial: Step = (k, p, _g, s, step) => {
            i = 0;
            const gg = arr([...p.shape], dtype, g);
            run(k, p, gg, s, step);
            gg.dispose();
          };
          same(`${rule} ${what} specials`, dtype, [9], inits, withSpecial, backend.kernels, 2);
        }
      }
    });
  }

  it("strided, mixed-dtype and foreign arrays delegate to the reference kernel", () => {
    const o = {
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      decoupled: false,
      maximize: false,
      stepSize: 0.1,
      bias2Sqrt: 0.05,
    };
    const adam: Step = (k, p, g, [m, v]) => k.adamUpdate(p, g, m!, v!, null, o);
    const strided: Step = (k, p, g, s, step) => {
      const wide = arr([p.numel() * 2], "float32", () => 7);
      const view = wide.asStrided([p.numel()], [2], 0);
      k.copy(p, view);
      adam(k, view, g, s, step);
      k.copy(view, p);
      wide.dispose();
    };
    same("strided param", "float32", [13], [rand, () => Math.abs(rand())], strided);
    const mixed: Step = (k, p, g, s, step) => {
      const g64 = arr([...g.shape], "float64", () => 0);
      k.copy(g, g64);
      adam(k, p, g64, s, step);
      g64.dispose();
    };
    same("float64 grad", "float32", [13], [rand, () => Math.abs(rand())], mixed);
    const foreign: Step = (k, p, g, s, step) => {
      const before = setBackend(referenceBackend);
      const onRef = NDArray.empty([...p.shape], p.dtype);
      setBackend(before);
      k.copy(p, onRef);
      adam(k, onRef, g, s, step);
      k.copy(onRef, p);
      onRef.dispose();
    };
    same(
      "param on the reference backend",
      "float32",
      [13],
      [rand, () => Math.abs(rand())],
      foreign,
    );
  });
});

describe("optimizer updates on threads", () => {
  const k = WasmKernels.create({ shared: true, initialPages: 256 });
  const threaded = createWasmBackend({ kernels: k });
  afterAll(() => {
    k.threads.close();
    setNumThreads(1);
  });

  it("a parameter split over the threads gives the reference's bits", async () => {
    const previous = setBackend(threaded);
    try {
      setNumThreads(2);
      const ready = await threadsReady(k, 2);
      const n = PARALLEL_MIN_ELEMENTS * 4 + 5;
      for (const dtype of ["float32", "float64"] as const) {
        for (const { rule, cases } of rules(dtype)) {
          const [what, inits, run] = cases[cases.length - 1]!;
          same(`${rule} ${what} threaded`, dtype, [n], inits, run, threaded.kernels, 2);
        }
      }
      // a worker that starts late takes no items: retry until one took part
      const [, inits, run] = rules("float32")[1]!.cases[0]!;
      const before = k.threads.workerItems;
      for (let i = 0; i < 10 && k.threads.workerItems === before; i++) {
        same("adam threaded", "float32", [n], inits, run, threaded.kernels, 1);
      }
      expect(ready).toBe(2);
      expect(k.threads.workerItems).toBeGreaterThan(before);
    } finally {
      setBackend(previous);
    }
  });
});
