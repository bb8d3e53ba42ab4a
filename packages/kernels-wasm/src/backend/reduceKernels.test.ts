import { type DType, NDArray, type ReduceOp, referenceKernels, setBackend } from "@x/storage";
import { describe, expect, it } from "vitest";
import { agree, arr, rand } from "../test/agree";
import { tracedWasmBackend, useWasmBackend } from "../test/backend";
import { reduceGroups } from "./reduceKernels";
import { wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();
const k = backend.kernels;

describe("reductions over any set of dims", () => {
  it("groups dims into kept and reduced runs", () => {
    expect(reduceGroups([8, 3, 5, 5], [1, 3, 1, 1])).toEqual([
      { reduced: true, size: 8 },
      { reduced: false, size: 3 },
      { reduced: true, size: 25 },
    ]);
    expect(reduceGroups([1, 4, 1, 6], [1, 1, 1, 6])).toEqual([
      { reduced: true, size: 4 },
      { reduced: false, size: 6 },
    ]);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: non-consecutive, leading and strided reductions agree with the reference`, () => {
      const x = arr([6, 3, 5, 4], dtype);
      const outs = [
        [1, 3, 1, 1], // bias gradient of a convolution
        [1, 3, 5, 1],
        [6, 1, 5, 1],
        [1, 1, 1, 4],
        [6, 1, 1, 4],
        [1, 3, 1, 4],
        [1, 1, 1, 1],
        [6, 3, 5, 4], // nothing reduced
      ];
      const strided = arr([5, 4, 6, 3], dtype).permute(2, 3, 0, 1);
      const tol = dtype === "float32" ? 1e-5 : 1e-12;
      for (const op of wasmAccelerated.reduce as readonly ReduceOp[]) {
        for (const shape of outs) {
          agree(k, shape, dtype, (kk, out) => kk.reduce[op](x, out), tol, `${op} → [${shape}]`);
          agree(
            k,
            shape,
            dtype,
            (kk, out) => kk.reduce[op](strided, out),
            tol,
            `${op} strided → [${shape}]`,
          );
        }
      }
    });
  }
});

describe("softmax and log-softmax backward", () => {
  const ops = ["softmaxBackward", "logSoftmaxBackward"] as const;
  /** A forward output along `dim` for `op`'s backward: softmax's or log-softmax's of random x. */
  const outputOf = (op: (typeof ops)[number], shape: number[], dtype: DType, dim: number) => {
    const y = NDArray.empty(shape, dtype);
    const x = arr(shape, dtype);
    referenceKernels[op === "softmaxBackward" ? "softmax" : "logSoftmax"](x, dim, y);
    x.dispose();
    return y;
  };

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: rows of every tail length, other dims and strided operands agree with the reference`, () => {
      // f32 sums round per lane in WASM but once in the reference
      const tol = dtype === "float32" ? 4e-6 : 1e-13;
      for (const op of ops) {
        for (const cols of [1, 2, 3, 4, 5, 7, 10, 17, 64, 301]) {
          const shape = [6, cols];
          const g = arr(shape, dtype);
          const y = outputOf(op, shape, dtype, 1);
          agree(k, shape, dtype, (kk, out) => kk[op](g, y, 1, out), tol, `${op} cols ${cols}`);
        }
        // along dim 0 and a middle dim; trailing size-1 dims still count as the last dim
        const g3 = arr([4, 5, 6], dtype);
        for (const dim of [0, 1, 2]) {
          const y3 = outputOf(op, [4, 5, 6], dtype, dim);
          agree(
            k,
            [4, 5, 6],
            dtype,
            (kk, out) => kk[op](g3, y3, dim, out),
            tol,
            `${op} dim ${dim}`,
          );
        }
        const g1 = arr([3, 9, 1], dtype);
        const y1 = outputOf(op, [3, 9, 1], dtype, 1);
        agree(k, [3, 9, 1], dtype, (kk, out) => kk[op](g1, y1, 1, out), tol, `${op} [3, 9, 1]`);
        // transposed and broadcast (stride-0) gradients
        const gt = arr([9, 4], dtype).t();
        const ge = arr([1, 9], dtype).expand(4, 9);
        const y2 = outputOf(op, [4, 9], dtype, 1);
        agree(k, [4, 9], dtype, (kk, out) => kk[op](gt, y2, 1, out), tol, `${op} strided`);
        agree(k, [4, 9], dtype, (kk, out) => kk[op](ge, y2, 1, out), tol, `${op} expanded`);
        // large enough to split the rows over threads
        const gb = arr([600, 70], dtype);
        const yb = outputOf(op, [600, 70], dtype, 1);
        agree(k, [600, 70], dtype, (kk, out) => kk[op](gb, yb, 1, out), tol, `${op} split`);
      }
    });
  }

  it("computes log-softmax's backward in float32 as g - exp(y)·Σg", () => {
    // integers make every sum exact, so only exp and the final rounding remain
    const g = arr([3, 6], "float32", () => Math.round(rand()));
    const y = arr([3, 6], "float32");
    const out = NDArray.empty([3, 6], "float32");
    k.logSoftmaxBackward(g, y, 1, out);
    const [gd, yd, od] = [g.toArray(), y.toArray(), out.toArray()];
    for (let r = 0; r < 3; r++) {
      const s = gd.slice(r * 6, r * 6 + 6).reduce((a, v) => a + v, 0);
      for (let j = r * 6; j < r * 6 + 6; j++) {
        const want = gd[j]! - Math.exp(yd[j]!) * s;
        expect(Math.abs(od[j]! - want)).toBeLessThanOrEqual(
          4e-7 * (Math.abs(s) * Math.exp(yd[j]!) + 1),
        );
      }
    }
  });

  it("takes the WASM kernels for contiguous rows along the last dim", () => {
    const { backend: tb, calls } = tracedWasmBackend(backend.heap);
    setBackend(tb);
    try {
      const g = arr([4, 10]);
      const y = arr([4, 10]);
      tb.kernels.softmaxBackward(g, y, 1, NDArray.empty([4, 10], "float32"));
      tb.kernels.logSoftmaxBackward(g, y, 1, NDArray.empty([4, 10], "float32"));
      tb.kernels.logSoftmaxBackward(
        arr([4, 10], "float64"),
        arr([4, 10], "float64"),
        1,
        NDArray.empty([4, 10], "float64"),
      );
      tb.kernels.logSoftmaxBackward(g, y, 0, NDArray.empty([4, 10], "float32"));
      expect(calls).toEqual([
        "softmaxBackward_f32",
        "logSoftmaxBackward_f32",
        "logSoftmaxBackward_f64",
      ]);
      expect(wasmAccelerated.other).toContain("logSoftmaxBackward");
    } finally {
      setBackend(backend);
    }
  });
});
