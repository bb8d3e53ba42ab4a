/**
 * jax-js on its WASM device. Arrays are reference-counted and every function consumes its
 * arguments (`.ref` keeps one); ops are lazy, so each timed iteration waits with
 * `blockUntilReady`. Training steps are `jit(valueAndGrad(…))` plus the update, as JAX code is
 * written. Threads: jax-js's worker pool, enabled in Node by `workerShim.ts`.
 */
import type { Case } from "../cases.js";
import { epochBatches, runEpochs } from "../digits.js";
import { type Context, labels, type Prepared, type SystemImpl, uniformArray } from "./system.js";
import { installWorkerShim } from "./workerShim.js";

type Jax = typeof import("@jax-js/jax");
type Arr = import("@jax-js/jax").Array;
type Params = Record<string, Arr>;

export class JaxSystem implements SystemImpl {
  #jax!: Jax;

  async init(threads: number): Promise<void> {
    if (threads > 1) installWorkerShim(threads);
    this.#jax = await import("@jax-js/jax");
    await this.#jax.init("wasm");
    this.#jax.defaultDevice("wasm");
  }

  #array(data: Float32Array, shape: number[]): Arr {
    return this.#jax.numpy.array(data, { shape });
  }

  #param(shape: number[], fanIn: number, seed: number): Arr {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.#array(uniformArray(n, 1 / Math.sqrt(fanIn), seed), shape);
  }

  #oneHot(y: Int32Array): Arr {
    const buf = new Float32Array(y.length * 10);
    for (let i = 0; i < y.length; i++) buf[i * 10 + y[i]!] = 1;
    return this.#array(buf, [y.length, 10]);
  }

  /** Mean cross-entropy of logits `[B, 10]` against one-hot targets. */
  #xent(logits: Arr, y1h: Arr, B: number): Arr {
    return this.#jax.nn
      .logSoftmax(logits, -1)
      .mul(y1h)
      .sum()
      .mul(-1 / B);
  }

  #maxPool2(h: Arr): Arr {
    return this.#jax.lax.reduceWindow(h, (w: Arr) => w.max(), [2, 2], [2, 2]);
  }

  async prepare(c: Case, ctx: Context): Promise<Prepared> {
    const { numpy: np, tree } = this.#jax;
    switch (c.workload) {
      case "matmul": {
        const n = c.params.n!;
        const a = this.#array(uniformArray(n * n, 1, 1), [n, n]);
        const b = this.#array(uniformArray(n * n, 1, 2), [n, n]);
        return {
          run: async () => {
            const r = await np.matmul(a.ref, b.ref).blockUntilReady();
            r.dispose();
          },
          dispose: () => tree.dispose([a, b]),
        };
      }
      case "elementwise": {
        const n = c.params.n!;
        const [a, b, d] = [1, 2, 3].map((s) => this.#array(uniformArray(n, 1, s), [n])) as [
          Arr,
          Arr,
          Arr,
        ];
        return {
          run: async () => {
            const r = await a.ref.mul(b.ref).add(d.ref).blockUntilReady();
            r.dispose();
          },
          dispose: () => tree.dispose([a, b, d]),
        };
      }
      case "add": {
        const ops = c.params.ops!;
        const a = this.#array(uniformArray(4, 1, 1), [4]);
        const b = this.#array(uniformArray(4, 1, 2), [4]);
        if (!c.params.grad) {
          return {
            run: async () => {
              for (let i = 0; i < ops; i++) (await a.ref.add(b.ref).blockUntilReady()).dispose();
            },
          };
        }
        // jax records only inside a transformation: the adds run under jax.grad.
        const g = this.#jax.grad((av: Arr) => {
          let r: Arr | null = null;
          for (let i = 0; i < ops; i++) {
            r?.dispose();
            r = av.ref.add(b.ref);
          }
          av.dispose();
          return r!.sum();
        });
        return {
          run: async () => {
            const out = await (g(a.ref) as Arr).blockUntilReady();
            out.dispose();
          },
        };
      }
      case "mlp": {
        const B = c.params.batch!;
        const params: Params = {
          w1: this.#param([784, 256], 784, 1),
          b1: this.#param([256], 784, 2),
          w2: this.#param([256, 128], 256, 3),
          b2: this.#param([128], 256, 4),
          w3: this.#param([128, 10], 128, 5),
          b3: this.#param([10], 128, 6),
        };
        const forward = (p: Params, x: Arr): Arr => {
          const relu = this.#jax.nn.relu;
          const h1 = relu(np.matmul(x, p.w1!).add(p.b1!));
          const h2 = relu(np.matmul(h1, p.w2!).add(p.b2!));
          return np.matmul(h2, p.w3!).add(p.b3!);
        };
        return this.#sgd(c, params, forward, this.#array(uniformArray(B * 784, 1, 9), [B, 784]));
      }
      case "cnn": {
        const B = c.params.batch!;
        const params: Params = {
          k1: this.#param([16, 1, 3, 3], 9, 1),
          b1: this.#param([1, 16, 1, 1], 9, 2),
          k2: this.#param([32, 16, 3, 3], 144, 3),
          b2: this.#param([1, 32, 1, 1], 144, 4),
          w: this.#param([800, 10], 800, 5),
          b: this.#param([10], 800, 6),
        };
        const forward = (p: Params, x: Arr): Arr => {
          const { lax, nn } = this.#jax;
          const h1 = this.#maxPool2(nn.relu(lax.conv(x, p.k1!, [1, 1], "VALID").add(p.b1!)));
          const h2 = this.#maxPool2(nn.relu(lax.conv(h1, p.k2!, [1, 1], "VALID").add(p.b2!)));
          return np.matmul(h2.reshape([B, 800]), p.w!).add(p.b!);
        };
        const x = this.#array(uniformArray(B * 28 * 28, 1, 9), [B, 1, 28, 28]);
        return this.#sgd(c, params, forward, x);
      }
      case "digits":
        return this.#digits(c, ctx);
    }
  }

  /** A jitted SGD step on fixed data. */
  #sgd(c: Case, params: Params, forward: (p: Params, x: Arr) => Arr, x: Arr): Prepared {
    const { jit, valueAndGrad, tree } = this.#jax;
    const B = c.params.batch!;
    const lr = c.params.lr!;
    const y = this.#oneHot(labels(B, 10, 7));
    const loss = (p: Params, xb: Arr, yb: Arr): Arr => this.#xent(forward(p, xb), yb, B);
    const step = jit((p: Params, xb: Arr, yb: Arr) => {
      const [l, g] = valueAndGrad(loss)(tree.ref(p), xb, yb);
      const next = tree.map((w: Arr, gw: Arr) => w.sub(gw.mul(lr)), p, g as Params);
      return [l, next] as [Arr, Params];
    });
    let p = params;
    let last = Number.NaN;
    return {
      run: async () => {
        const [l, next] = step(p, x.ref, y.ref) as unknown as [Arr, Params];
        p = next;
        last = (await l.data())[0]!;
      },
      extra: () => ({ loss: last }),
      dispose: () => {
        tree.dispose(p);
        step.dispose();
      },
    };
  }

  #digits(c: Case, ctx: Context): Prepared {
    const { numpy: np, jit, valueAndGrad, tree, lax, nn } = this.#jax;
    const data = ctx.digits();
    const lr = c.params.lr!;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    let lastEpochLoss = Number.NaN;
    let ran = 0;
    const forward = (p: Params, x: Arr): Arr => {
      const a1 = nn.relu(lax.conv(x, p.k1!, [1, 1], "SAME").add(p.b1!));
      const a2 = nn.relu(lax.conv(a1, p.k2!, [1, 1], "SAME").add(p.b2!));
      const h = this.#maxPool2(a2);
      const z = nn.relu(np.matmul(h.reshape([-1, 512]), p.w1!).add(p.c1!));
      return np.matmul(z, p.w2!).add(p.c2!);
    };
    const run = async (): Promise<void> => {
      let p: Params = {
        k1: this.#param([16, 1, 3, 3], 9, 1),
        b1: this.#param([1, 16, 1, 1], 9, 2),
        k2: this.#param([32, 16, 3, 3], 144, 3),
        b2: this.#param([1, 32, 1, 1], 144, 4),
        w1: this.#param([512, 64], 512, 5),
        c1: this.#param([64], 512, 6),
        w2: this.#param([64, 10], 64, 7),
        c2: this.#param([10], 64, 8),
      };
      let m: Params = tree.map((w: Arr) => np.zerosLike(w), tree.ref(p));
      let v: Params = tree.map((w: Arr) => np.zerosLike(w), tree.ref(p));
      // Adam as PyTorch: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
      const step = jit((p: Params, m: Params, v: Params, a: Arr, s: Arr, xb: Arr, yb: Arr) => {
        const B = xb.shape[0]!;
        const loss = (q: Params, x: Arr, y: Arr) => this.#xent(forward(q, x), y, B);
        const [l, g] = valueAndGrad(loss)(tree.ref(p), xb, yb);
        const m2: Params = tree.map(
          (mw: Arr, gw: Arr) => mw.mul(b1).add(gw.mul(1 - b1)),
          m,
          tree.ref(g as Params),
        );
        const v2: Params = tree.map(
          (vw: Arr, gw: Arr) => vw.mul(b2).add(gw.ref.mul(gw).mul(1 - b2)),
          v,
          g as Params,
        );
        const p2: Params = tree.map(
          (w: Arr, mw: Arr, vw: Arr) => w.sub(mw.mul(a.ref).div(np.sqrt(vw).mul(s.ref).add(eps))),
          p,
          tree.ref(m2),
          tree.ref(v2),
        );
        a.dispose();
        s.dispose();
        return [l, p2, m2, v2] as [Arr, Params, Params, Params];
      });
      let t = 0;
      ran = await runEpochs(
        c.params.epochs!,
        c.params.budget ?? Number.POSITIVE_INFINITY,
        async (e) => {
          let sum = 0;
          let count = 0;
          for (const b of epochBatches(data, e, c.params.batch!)) {
            t++;
            const a = np.array(lr / (1 - b1 ** t));
            const s = np.array(1 / Math.sqrt(1 - b2 ** t));
            const xb = this.#array(b.x, [b.size, 1, 8, 8]);
            const [l, p2, m2, v2] = step(p, m, v, a, s, xb, this.#oneHot(b.y)) as unknown as [
              Arr,
              Params,
              Params,
              Params,
            ];
            [p, m, v] = [p2, m2, v2];
            sum += (await l.data())[0]! * b.size;
            count += b.size;
          }
          lastEpochLoss = sum / count;
        },
      );
      tree.dispose([p, m, v]);
      step.dispose();
    };
    return {
      run,
      extra: () => ({ lastEpochLoss, epochs: ran }),
      scale: () => c.params.epochs! / ran,
    };
  }
}
