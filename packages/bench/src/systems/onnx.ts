/**
 * onnxruntime-node (native CPU execution provider): inference only, so it runs matmul, the
 * elementwise `a*b+c` and the grad-off add, each as a one-node model built in code
 * (`onnxModel.ts`). Threads: `intraOpNumThreads`.
 */
import * as ort from "onnxruntime-node";
import type { Case } from "../cases.js";
import { notApplicable } from "../protocol.js";
import { onnxModel } from "./onnxModel.js";
import { type Prepared, type SystemImpl, uniformArray } from "./system.js";

function input(n: number, shape: number[], seed: number): ort.Tensor {
  return new ort.Tensor("float32", uniformArray(n, 1, seed), shape);
}

export class OnnxSystem implements SystemImpl {
  #threads = 1;

  async init(threads: number): Promise<void> {
    this.#threads = threads;
  }

  async #session(bytes: Uint8Array): Promise<ort.InferenceSession> {
    return ort.InferenceSession.create(bytes, {
      intraOpNumThreads: this.#threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
  }

  async prepare(c: Case): Promise<Prepared> {
    switch (c.workload) {
      case "matmul": {
        const n = c.params.n!;
        const s = await this.#session(
          onnxModel(
            [{ op: "MatMul", inputs: ["A", "B"], outputs: ["C"] }],
            [
              { name: "A", shape: [n, n] },
              { name: "B", shape: [n, n] },
            ],
            [{ name: "C", shape: [n, n] }],
          ),
        );
        const feeds = { A: input(n * n, [n, n], 1), B: input(n * n, [n, n], 2) };
        return { run: () => s.run(feeds), dispose: () => void s.release() };
      }
      case "elementwise": {
        const n = c.params.n!;
        const v = (name: string) => ({ name, shape: [n] });
        const s = await this.#session(
          onnxModel(
            [
              { op: "Mul", inputs: ["a", "b"], outputs: ["t"] },
              { op: "Add", inputs: ["t", "c"], outputs: ["r"] },
            ],
            [v("a"), v("b"), v("c")],
            [v("r")],
          ),
        );
        const feeds = { a: input(n, [n], 1), b: input(n, [n], 2), c: input(n, [n], 3) };
        return { run: () => s.run(feeds), dispose: () => void s.release() };
      }
      case "add": {
        if (c.params.grad) throw notApplicable("onnxruntime-node is inference-only");
        const ops = c.params.ops!;
        const s = await this.#session(
          onnxModel(
            [{ op: "Add", inputs: ["a", "b"], outputs: ["c"] }],
            [
              { name: "a", shape: [4] },
              { name: "b", shape: [4] },
            ],
            [{ name: "c", shape: [4] }],
          ),
        );
        const feeds = { a: input(4, [4], 1), b: input(4, [4], 2) };
        return {
          run: async () => {
            for (let i = 0; i < ops; i++) await s.run(feeds);
          },
          dispose: () => void s.release(),
        };
      }
      default:
        throw notApplicable("onnxruntime-node is inference-only");
    }
  }
}
