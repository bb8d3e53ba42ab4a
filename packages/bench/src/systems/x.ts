/**
 * x on one backend: the reference backend of `@x/storage`, or the WASM backend of
 * `@x/kernels-wasm`, found among that package's exports (or already selected by `x`). Workloads
 * are written against x's PyTorch-like API (`x.randn`, `a.matmul(b)`, `new x.nn.Linear`,
 * `x.nn.functional.crossEntropy`, `new x.optim.SGD`, `loss.backward()`); where x does not export
 * what a workload needs yet, `prepare` says so (`notyet`). Until `x.tensor` exists, matmul,
 * elementwise and the grad-off add run on the raw `NDArray` ops of `@x/storage`.
 */
import type { Case } from "../cases.js";
import { epochBatches, runEpochs } from "../digits.js";
import { notApplicable, notYet } from "../protocol.js";
import { type Context, labels, type Prepared, type SystemImpl } from "./system.js";

// x's API is being written while this benchmark is: it is used through loose types, and each
// workload checks at run time that what it calls exists.
type Any = any;

/** Whether `v` looks like a `Backend` of `@x/storage`. */
export function isBackend(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const b = v as Record<string, unknown>;
  return (
    typeof b.kernels === "object" && typeof b.alloc === "function" && typeof b.free === "function"
  );
}

/**
 * Finds the WASM backend: the current backend if `x` already selected it, else
 * `createWasmBackend()` of `@x/kernels-wasm`, else an export that is a backend or a
 * function/class named like one that makes it.
 */
export async function findWasmBackend(storage: Any, kw: Record<string, unknown>): Promise<unknown> {
  const current = storage.getBackend?.();
  if (isBackend(current) && /wasm/i.test(String(current.name))) return current;
  if (typeof kw.createWasmBackend === "function") return (kw.createWasmBackend as () => unknown)();
  const entries = Object.entries(kw);
  for (const [, v] of entries) if (isBackend(v)) return v;
  for (const [name, v] of entries) {
    if (typeof v !== "function" || !/backend/i.test(name)) continue;
    const f = v as Any;
    for (const make of [() => f.create?.(), () => f(), () => new f()]) {
      try {
        const b = await make();
        if (isBackend(b)) return b;
      } catch {
        // not this way of making it
      }
    }
  }
  return undefined;
}

/** Throws `notyet` naming what is missing from x. */
function need(what: Record<string, unknown>): void {
  const missing = Object.entries(what)
    .filter(([, v]) => v === undefined || v === null)
    .map(([k]) => k);
  if (missing.length > 0) throw notYet(`x does not export ${missing.join(", ")} yet`);
}

function call(m: Any, t: Any): Any {
  return typeof m === "function" ? m(t) : m.forward(t);
}

function dispose(...ts: Any[]): void {
  for (const t of ts) t?.dispose?.();
}

function paramsOf(...modules: Any[]): Any[] {
  return modules.flatMap((m) => [...m.parameters()]);
}

export class XSystem implements SystemImpl {
  readonly backend: "wasm" | "ref";
  #x: Any;

  constructor(backend: "wasm" | "ref") {
    this.backend = backend;
  }

  async init(threads: number): Promise<void> {
    const storage: Any = await import("@x/storage");
    this.#x = await import("x");
    if (this.backend === "ref") {
      if (threads > 1) throw notApplicable("the reference backend is single-threaded");
      storage.setBackend(storage.referenceBackend);
    } else {
      const kw = (await import("@x/kernels-wasm")) as Record<string, unknown>;
      const be = await findWasmBackend(storage, kw);
      if (!be) throw notYet("@x/kernels-wasm does not export a Backend for setBackend yet");
      storage.setBackend(be);
      const setNumThreads = this.#x.setNumThreads;
      if (typeof setNumThreads === "function") setNumThreads(threads);
      else if (threads > 1) throw notYet("x.setNumThreads is not exported yet");
    }
  }

  /** Whether x has tensors (the autograd layer) rather than only raw arrays. */
  get hasTensors(): boolean {
    return typeof this.#x.tensor === "function";
  }

  /** Until x has tensors, the raw-array figures say so. */
  #rawNote(): { note?: string } {
    return this.hasTensors
      ? {}
      : { note: "raw NDArray ops of @x/storage (x.tensor not exported yet)" };
  }

  async prepare(c: Case, ctx: Context): Promise<Prepared> {
    const x = this.#x;
    switch (c.workload) {
      case "matmul": {
        const n = c.params.n!;
        const a = x.randn([n, n]);
        const b = x.randn([n, n]);
        const mm = typeof a.matmul === "function" ? (p: Any, q: Any) => p.matmul(q) : x.matmul;
        return {
          ...this.#rawNote(),
          run: () => dispose(mm(a, b)),
          dispose: () => dispose(a, b),
        };
      }
      case "elementwise": {
        const n = c.params.n!;
        const [a, b, cc] = [x.randn([n]), x.randn([n]), x.randn([n])];
        const tensors = typeof a.mul === "function";
        return {
          ...this.#rawNote(),
          run: () => {
            const t = tensors ? a.mul(b) : x.binary("mul", a, b);
            const r = tensors ? t.add(cc) : x.binary("add", t, cc);
            dispose(t, r);
          },
          dispose: () => dispose(a, b, cc),
        };
      }
      case "add":
        return this.#add(c);
      case "mlp":
        return this.#mlp(c);
      case "cnn":
        return this.#cnn(c);
      case "digits":
        return this.#digits(c, ctx);
    }
  }

  #add(c: Case): Prepared {
    const x = this.#x;
    const ops = c.params.ops!;
    if (c.params.grad) {
      need({ "x.tensor": x.tensor });
      const a = x.randn([4], { requiresGrad: true });
      const b = x.randn([4], { requiresGrad: true });
      return {
        run: () => {
          for (let i = 0; i < ops; i++) a.add(b).dispose?.();
        },
      };
    }
    const a = x.randn([4]);
    const b = x.randn([4]);
    const add =
      typeof a.add === "function"
        ? (p: Any, q: Any) => p.add(q)
        : (p: Any, q: Any) => x.binary("add", p, q);
    return {
      ...this.#rawNote(),
      run: () => {
        for (let i = 0; i < ops; i++) add(a, b).dispose?.();
      },
    };
  }

  /** The pieces every training workload needs, or `notyet`. */
  #training(): { nn: Any; F: Any; optim: Any; relu: (t: Any) => Any } {
    const x = this.#x;
    const nn = x.nn;
    const F = nn?.functional ?? x.F;
    need({
      "x.tensor": x.tensor,
      "x.nn.Linear": nn?.Linear,
      "x.nn.functional.crossEntropy": F?.crossEntropy,
      "x.optim": x.optim,
    });
    const relu = (t: Any): Any => (typeof t.relu === "function" ? t.relu() : F.relu(t));
    return { nn, F, optim: x.optim, relu };
  }

  #stepper(opt: Any, F: Any, forward: (t: Any) => Any): (input: Any, target: Any) => number {
    // One step inside `x.tidy`, as the tfjs workloads run inside `tf.tidy`: every intermediate
    // tensor of the step is freed when it ends, instead of when the garbage collector runs.
    const tidy: (fn: () => number) => number = this.#x.tidy ?? ((fn: () => number) => fn());
    return (input: Any, target: Any): number =>
      tidy(() => {
        opt.zeroGrad();
        const out = forward(input);
        const loss = F.crossEntropy(out, target);
        loss.backward();
        opt.step();
        const v = loss.item();
        dispose(loss, out);
        return v;
      });
  }

  #mlp(c: Case): Prepared {
    const x = this.#x;
    const { nn, F, optim, relu } = this.#training();
    need({ "x.optim.SGD": optim.SGD });
    const B = c.params.batch!;
    const l1 = new nn.Linear(784, 256);
    const l2 = new nn.Linear(256, 128);
    const l3 = new nn.Linear(128, 10);
    const params = paramsOf(l1, l2, l3);
    const opt = new optim.SGD(params, { lr: c.params.lr });
    const input = x.randn([B, 784]);
    const target = x.tensor(labels(B, 10, 7), { dtype: "int64" });
    const step = this.#stepper(opt, F, (t) => call(l3, relu(call(l2, relu(call(l1, t))))));
    let last = Number.NaN;
    return { run: () => (last = step(input, target)), extra: () => ({ loss: last }) };
  }

  #cnn(c: Case): Prepared {
    const x = this.#x;
    const { nn, F, optim, relu } = this.#training();
    need({
      "x.nn.Conv2d": nn.Conv2d,
      "x.nn.functional.maxPool2d": F.maxPool2d,
      "x.optim.SGD": optim.SGD,
    });
    const B = c.params.batch!;
    const c1 = new nn.Conv2d(1, 16, 3);
    const c2 = new nn.Conv2d(16, 32, 3);
    const fc = new nn.Linear(32 * 5 * 5, 10);
    const params = paramsOf(c1, c2, fc);
    const opt = new optim.SGD(params, { lr: c.params.lr });
    const input = x.randn([B, 1, 28, 28]);
    const target = x.tensor(labels(B, 10, 11), { dtype: "int64" });
    const forward = (t: Any): Any => {
      const h1 = F.maxPool2d(relu(call(c1, t)), 2);
      const h2 = F.maxPool2d(relu(call(c2, h1)), 2);
      return call(fc, h2.flatten(1));
    };
    const step = this.#stepper(opt, F, forward);
    let last = Number.NaN;
    return { run: () => (last = step(input, target)), extra: () => ({ loss: last }) };
  }

  #digits(c: Case, ctx: Context): Prepared {
    const x = this.#x;
    const { nn, F, optim, relu } = this.#training();
    need({
      "x.nn.Conv2d": nn.Conv2d,
      "x.nn.functional.maxPool2d": F.maxPool2d,
      "x.optim.Adam": optim.Adam,
    });
    const data = ctx.digits();
    let lastEpochLoss = Number.NaN;
    let ran = 0;
    const run = async (): Promise<void> => {
      x.manualSeed?.(0);
      const c1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
      const c2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
      const l1 = new nn.Linear(512, 64);
      const l2 = new nn.Linear(64, 10);
      const params = paramsOf(c1, c2, l1, l2);
      const opt = new optim.Adam(params, { lr: c.params.lr });
      const forward = (t: Any): Any => {
        const h = F.maxPool2d(relu(call(c2, relu(call(c1, t)))), 2);
        return call(l2, relu(call(l1, h.flatten(1))));
      };
      const step = this.#stepper(opt, F, forward);
      ran = await runEpochs(
        c.params.epochs!,
        c.params.budget ?? Number.POSITIVE_INFINITY,
        async (e) => {
          let sum = 0;
          let count = 0;
          for (const b of epochBatches(data, e, c.params.batch!)) {
            const xb = x.tensor(b.x).reshape([b.size, 1, 8, 8]);
            const yb = x.tensor(b.y, { dtype: "int64" });
            sum += step(xb, yb) * b.size;
            count += b.size;
            dispose(xb, yb);
          }
          lastEpochLoss = sum / count;
        },
      );
    };
    return {
      run,
      extra: () => ({ lastEpochLoss, epochs: ran }),
      scale: () => c.params.epochs! / ran,
    };
  }
}
