import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from "@x/storage";
import { describe, expect, it } from "vitest";
import { arr } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";

// Softmax's kernels split rows over the threads: any number of threads gives one thread's bits.

const backend = useWasmBackend({ threaded: true, initialPages: 256 });
const k = backend.wasm;

describe("threaded softmax kernels are bit-identical to one thread", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(dtype, async () => {
      const x = arr([1000, 140], dtype);
      const g = arr([1000, 140], dtype);
      const y = softmax(x, 1);
      const ly = logSoftmax(x, 1);
      const run = () =>
        [
          softmax(x, 1),
          logSoftmax(x, 1),
          softmaxBackward(g, y, 1),
          logSoftmaxBackward(g, ly, 1),
        ].map((a) => {
          const bits = bitsOf(a);
          a.dispose();
          return bits;
        });
      setNumThreads(1);
      const one = run();
      setNumThreads(2);
      expect(await threadsReady(k, 2)).toBe(2);
      const before = k.threads.workerItems;
      let two = run();
      // a loaded machine may deschedule the workers: retry until they took part
      for (let i = 0; i < 50 && k.threads.workerItems === before; i++) two = run();
      expect(k.threads.workerItems).toBeGreaterThan(before);
      for (const [i, b] of two.entries()) expectSameBits(b, one[i]!, `output ${i}`);
    });
  }
});
