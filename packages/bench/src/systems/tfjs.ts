/**
 * TensorFlow.js on its WASM backend or its plain-JS CPU backend. tfjs-core's Node build registers
 * no gradients, so this module imports tfjs's ES modules (bundled into dist/ by tsup, one copy of
 * tfjs-core) with `register_all_gradients`. Neither backend uses threads in Node. Layout is NHWC,
 * tfjs's native one. A kernel that a backend lacks (tfjs-wasm: `Conv2DBackpropFilter`) makes the
 * training workloads report `cannot train`.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { Case } from "../cases.js";
import { epochBatches, runEpochs } from "../digits.js";
import { cannot, notApplicable } from "../protocol.js";
import { type Context, labels, type Prepared, type SystemImpl, uniformArray } from "./system.js";

type Params = Record<string, tf.Variable>;

function oneHot(y: Int32Array, classes: number): tf.Tensor2D {
  const buf = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) buf[i * classes + y[i]!] = 1;
  return tf.tensor2d(buf, [y.length, classes]);
}

/** PyTorch-like initial weights: uniform in ±1/sqrt(fanIn). */
function param(shape: number[], fanIn: number, seed: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.variable(tf.tensor(uniformArray(n, 1 / Math.sqrt(fanIn), seed), shape));
}

/** Converts "kernel not registered" into the `cannot` status. */
function rethrow(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(msg);
  if (m) throw cannot(`cannot train: tfjs-${m[2]} has no ${m[1]} kernel`);
  throw e;
}

export class TfjsSystem implements SystemImpl {
  readonly backend: "wasm" | "cpu";

  constructor(backend: "wasm" | "cpu") {
    this.backend = backend;
  }

  async init(threads: number): Promise<void> {
    if (threads > 1) throw notApplicable(`tfjs-${this.backend} runs on one thread in Node`);
    if (this.backend === "wasm") {
      const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
      setWasmPaths(`${dirname(main)}/`);
    }
    if (!(await tf.setBackend(this.backend)))
      throw new Error(`tfjs: backend ${this.backend} failed`);
    await tf.ready();
  }

  async prepare(c: Case, ctx: Context): Promise<Prepared> {
    switch (c.workload) {
      case "matmul": {
        const n = c.params.n!;
        const a = tf.randomNormal([n, n]);
        const b = tf.randomNormal([n, n]);
        return { run: () => tf.matMul(a, b).dispose(), dispose: () => tf.dispose([a, b]) };
      }
      case "elementwise": {
        const n = c.params.n!;
        const [a, b, d] = [tf.randomNormal([n]), tf.randomNormal([n]), tf.randomNormal([n])];
        return {
          run: () => tf.tidy(() => tf.add(tf.mul(a, b), d)).dispose(),
          dispose: () => tf.dispose([a, b, d]),
        };
      }
      case "add": {
        const ops = c.params.ops!;
        const a = tf.randomNormal([4]);
        const b = tf.randomNormal([4]);
        if (!c.params.grad) {
          return {
            run: () => {
              for (let i = 0; i < ops; i++) tf.add(a, b).dispose();
            },
          };
        }
        // tfjs records only inside a gradient function: the adds run under tf.grad.
        const g = tf.grad((av: tf.Tensor) => {
          let r = av;
          for (let i = 0; i < ops; i++) r = tf.add(av, b);
          return tf.sum(r);
        });
        return { run: () => g(a).dispose() };
      }
      case "mlp":
        return this.#train(c, this.#mlp(c));
      case "cnn":
        return this.#train(c, this.#cnn(c));
      case "digits":
        return this.#digits(c, ctx);
    }
  }

  #mlp(c: Case): { params: Params; forward: (x: tf.Tensor) => tf.Tensor; x: tf.Tensor } {
    const B = c.params.batch!;
    const p: Params = {
      w1: param([784, 256], 784, 1),
      b1: param([256], 784, 2),
      w2: param([256, 128], 256, 3),
      b2: param([128], 256, 4),
      w3: param([128, 10], 128, 5),
      b3: param([10], 128, 6),
    };
    const forward = (x: tf.Tensor): tf.Tensor => {
      const h1 = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, p.w1 as tf.Tensor2D), p.b1!));
      const h2 = tf.relu(tf.add(tf.matMul(h1 as tf.Tensor2D, p.w2 as tf.Tensor2D), p.b2!));
      return tf.add(tf.matMul(h2 as tf.Tensor2D, p.w3 as tf.Tensor2D), p.b3!);
    };
    return { params: p, forward, x: tf.randomNormal([B, 784]) };
  }

  #cnn(c: Case): { params: Params; forward: (x: tf.Tensor) => tf.Tensor; x: tf.Tensor } {
    const B = c.params.batch!;
    const p: Params = {
      k1: param([3, 3, 1, 16], 9, 1),
      b1: param([16], 9, 2),
      k2: param([3, 3, 16, 32], 144, 3),
      b2: param([32], 144, 4),
      w: param([800, 10], 800, 5),
      b: param([10], 800, 6),
    };
    const forward = (x: tf.Tensor): tf.Tensor => {
      const c1 = tf.relu(
        tf.add(tf.conv2d(x as tf.Tensor4D, p.k1 as tf.Tensor4D, 1, "valid"), p.b1!),
      );
      const h1 = tf.maxPool(c1 as tf.Tensor4D, 2, 2, "valid");
      const c2 = tf.relu(tf.add(tf.conv2d(h1, p.k2 as tf.Tensor4D, 1, "valid"), p.b2!));
      const h2 = tf.maxPool(c2 as tf.Tensor4D, 2, 2, "valid");
      return tf.add(tf.matMul(tf.reshape(h2, [B, 800]), p.w as tf.Tensor2D), p.b!);
    };
    return { params: p, forward, x: tf.randomNormal([B, 28, 28, 1]) };
  }

  #train(
    c: Case,
    m: { params: Params; forward: (x: tf.Tensor) => tf.Tensor; x: tf.Tensor },
  ): Prepared {
    const B = c.params.batch!;
    const y = oneHot(labels(B, 10, 7), 10);
    const opt = tf.train.sgd(c.params.lr!);
    let last = Number.NaN;
    const run = (): void => {
      const loss = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, m.forward(m.x)) as tf.Scalar,
        true,
      );
      last = loss!.dataSync()[0]!;
      loss!.dispose();
    };
    try {
      run(); // fails here when the backend lacks a gradient kernel
    } catch (e) {
      rethrow(e);
    }
    return { run, extra: () => ({ loss: last }) };
  }

  #digits(c: Case, ctx: Context): Prepared {
    const data = ctx.digits();
    let lastEpochLoss = Number.NaN;
    let ran = 0;
    const run = async (): Promise<void> => {
      const p: Params = {
        k1: param([3, 3, 1, 16], 9, 1),
        b1: param([16], 9, 2),
        k2: param([3, 3, 16, 32], 144, 3),
        b2: param([32], 144, 4),
        w1: param([512, 64], 512, 5),
        c1: param([64], 512, 6),
        w2: param([64, 10], 64, 7),
        c2: param([10], 64, 8),
      };
      const opt = tf.train.adam(c.params.lr!);
      const forward = (x: tf.Tensor4D): tf.Tensor => {
        const a1 = tf.relu(tf.add(tf.conv2d(x, p.k1 as tf.Tensor4D, 1, "same"), p.b1!));
        const a2 = tf.relu(
          tf.add(tf.conv2d(a1 as tf.Tensor4D, p.k2 as tf.Tensor4D, 1, "same"), p.b2!),
        );
        const h = tf.reshape(tf.maxPool(a2 as tf.Tensor4D, 2, 2, "valid"), [x.shape[0], 512]);
        const z = tf.relu(tf.add(tf.matMul(h, p.w1 as tf.Tensor2D), p.c1!));
        return tf.add(tf.matMul(z as tf.Tensor2D, p.w2 as tf.Tensor2D), p.c2!);
      };
      ran = await runEpochs(
        c.params.epochs!,
        c.params.budget ?? Number.POSITIVE_INFINITY,
        async (e) => {
          let sum = 0;
          let count = 0;
          for (const b of epochBatches(data, e, c.params.batch!)) {
            const xb = tf.tensor4d(b.x, [b.size, 8, 8, 1]);
            const yb = oneHot(b.y, 10);
            const loss = opt.minimize(
              () => tf.losses.softmaxCrossEntropy(yb, forward(xb)) as tf.Scalar,
              true,
            );
            sum += loss!.dataSync()[0]! * b.size;
            count += b.size;
            tf.dispose([xb, yb, loss!]);
          }
          lastEpochLoss = sum / count;
        },
      );
      opt.dispose();
      tf.dispose(Object.values(p));
    };
    return {
      run: () => run().catch(rethrow),
      extra: () => ({ lastEpochLoss, epochs: ran }),
      scale: () => c.params.epochs! / ran,
    };
  }
}
