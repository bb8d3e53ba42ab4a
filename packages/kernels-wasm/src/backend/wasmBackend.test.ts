import {
  type BinaryOp,
  type DType,
  type Kernels,
  NDArray,
  type ReduceOp,
  referenceBackend,
  referenceKernels,
  setBackend,
} from "@x/storage";
import { describe, expect, it } from "vitest";
import { tracedWasmBackend, useWasmBackend } from "../test/backend";
import { wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();

let seed = 5;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31 - 0.5) * 6;
};

function arr(shape: number[], dtype: DType = "float32", f: () => number = rand): NDArray {
  const a = NDArray.empty(shape, dtype);
  const t = a.typed();
  for (let i = 0; i < t.length; i++) t[i] = f();
  return a;
}

/** Runs a WASM kernel and the reference kernel on the same inputs; compares outputs. */
function agree(
  shape: number[],
  dtype: DType,
  run: (k: Kernels, out: NDArray) => void,
  tol = dtype === "float32" ? 2e-6 : 1e-13,
) {
  const got = NDArray.empty(shape, dtype);
  const want = NDArray.empty(shape, dtype);
  run(backend.kernels, got);
  run(referenceKernels, want);
  const g = got.toArray();
  const w = want.toArray();
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => {
    const ok = Object.is(v, w[i]) || Math.abs(v - w[i]!) <= tol * (Math.abs(w[i]!) + 1);
    if (!ok) throw new Error(`[${shape}] ${dtype} at ${i}: got ${v}, want ${w[i]}`);
  });
  got.dispose();
  want.dispose();
}

describe("the WASM backend", () => {
  it("allocates zero-filled storages in WASM memory and frees them", () => {
    const before = backend.heap.stats.liveBlocks;
    const a = NDArray.empty([3, 5], "float32");
    expect(a.storage.backend).toBe(backend);
    expect(a.storage.buffer).toBe(backend.heap.views.buffer);
    expect(a.toArray().every((v) => v === 0)).toBe(true);
    a.typed().fill(3);
    a.dispose();
    expect(backend.heap.stats.liveBlocks).toBe(before);
    const b = NDArray.empty([3, 5], "float32"); // reuses the block: still zero-filled
    expect(b.toArray().every((v) => v === 0)).toBe(true);
    b.dispose();
  });

  it("skips the zeroing pass for storages allocated uninitialized (outputs kernels overwrite)", () => {
    const a = NDArray.empty([3, 5], "float32");
    a.typed().fill(3);
    const ptr = a.storage.ptr;
    a.dispose();
    const b = NDArray.uninit([3, 5], "float32"); // the same block, left as it was
    expect(b.storage.ptr).toBe(ptr);
    expect(b.toArray().every((v) => v === 3)).toBe(true);
    b.dispose();
  });

  it("delegates every kernel it does not accelerate to the reference kernel, explicitly", () => {
    const k = backend.kernels;
    const families = ["binary", "unary", "reduce", "compare"] as const;
    for (const fam of families) {
      const accel = new Set<string>(wasmAccelerated[fam]);
      for (const [op, fn] of Object.entries(k[fam])) {
        const ref = (referenceKernels[fam] as Record<string, unknown>)[op];
        expect(fn === ref, `${fam}.${op}`).toBe(!accel.has(op));
      }
    }
    const other = new Set<string>(wasmAccelerated.other);
    for (const key of Object.keys(referenceKernels) as (keyof Kernels)[]) {
      if ((families as readonly string[]).includes(key)) continue;
      expect(k[key] === referenceKernels[key], key).toBe(!other.has(key));
    }
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: binary ops agree with the reference on contiguous, scalar, row and strided operands`, () => {
      for (const op of wasmAccelerated.binary as readonly BinaryOp[]) {
        const a = arr([5, 7], dtype);
        const b = arr([5, 7], dtype);
        const s = arr([], dtype).expand(5, 7);
        const row = arr([7], dtype).expand(5, 7);
        const col = arr([5, 1], dtype).expand(5, 7);
        const at = arr([7, 5], dtype).t();
        for (const [x, y] of [
          [a, b],
          [a, s],
          [s, b],
          [a, row],
          [row, b],
          [a, col],
          [at, b],
        ]) {
          agree([5, 7], dtype, (k, out) => k.binary[op](x!, y!, out));
        }
      }
    });

    it(`${dtype}: unary ops agree with the reference`, () => {
      for (const op of wasmAccelerated.unary) {
        const x = arr([3, 33], dtype);
        const tol = op === "exp" ? 3e-7 : undefined;
        agree([3, 33], dtype, (k, out) => k.unary[op](x, out), tol);
        agree([33, 3], dtype, (k, out) => k.unary[op](x.t(), out), tol);
      }
    });

    it(`${dtype}: reductions over consecutive dims agree (and others fall back)`, () => {
      const x = arr([4, 6, 5], dtype);
      const outShapes = [
        [4, 6, 1],
        [1, 6, 5],
        [4, 1, 5],
        [1, 1, 5],
        [4, 1, 1],
        [1, 1, 1],
        [1, 6, 1],
      ];
      for (const op of wasmAccelerated.reduce as readonly ReduceOp[]) {
        for (const shape of outShapes) {
          agree(shape, dtype, (k, out) => k.reduce[op](x, out), dtype === "float32" ? 1e-5 : 1e-12);
        }
      }
    });

    it(`${dtype}: batched and transposed matmul agrees`, () => {
      const a = arr([3, 9, 13], dtype);
      const b = arr([3, 13, 11], dtype);
      const tol = dtype === "float32" ? 1e-5 : 1e-12;
      agree([3, 9, 11], dtype, (k, out) => k.matmul(a, b, out), tol);
      const shared = arr([1, 13, 11], dtype).expand(3, 13, 11); // batch stride 0
      agree([3, 9, 11], dtype, (k, out) => k.matmul(a, shared, out), tol);
      const bt = arr([3, 11, 13], dtype).transpose(1, 2);
      agree([3, 9, 11], dtype, (k, out) => k.matmul(a, bt, out), tol);
      const empty = arr([1, 4, 0], dtype);
      agree([1, 4, 6], dtype, (k, out) => k.matmul(empty, arr([1, 0, 6], dtype), out));
    });
  }

  it("softmax and logSoftmax agree along the last dim and fall back along others", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const tol = dtype === "float32" ? 2e-6 : 1e-14;
      const x = arr([6, 17], dtype);
      for (const op of ["softmax", "logSoftmax"] as const) {
        agree([6, 17], dtype, (k, out) => k[op](x, 1, out), tol);
        agree([6, 17], dtype, (k, out) => k[op](x, 0, out), tol);
        const y = arr([2, 3, 1], dtype);
        agree([2, 3, 1], dtype, (k, out) => k[op](y, 1, out), tol);
      }
    }
  });

  it("takes the WASM path for float operands it recognises", () => {
    const { backend: tb, calls } = tracedWasmBackend(backend.heap);
    setBackend(tb);
    const k = tb.kernels;
    const a = arr([4, 8]);
    const out = NDArray.empty([4, 8], "float32");
    k.binary.add(a, a, out);
    k.binary.mul(a, arr([]).expand(4, 8), out);
    k.binary.sub(arr([]).expand(4, 8), a, out);
    k.binary.add(a, arr([8]).expand(4, 8), out);
    k.binary.div(a.t().t(), arr([4, 1]).expand(4, 8), out);
    k.unary.relu(a, out);
    k.compare.gt(a, arr([]).expand(4, 8), NDArray.empty([4, 8], "bool"));
    k.reduce.sum(a, NDArray.empty([4, 1], "float32"));
    k.matmul(arr([1, 4, 8]), arr([1, 8, 8]), NDArray.empty([1, 4, 8], "float32"));
    k.softmax(a, 1, out);
    expect(calls).toEqual([
      "binary_add_f32_vv",
      "binary_mul_f32_vs",
      "binary_sub_f32_sv",
      "binary2d_add_f32",
      "binary2d_div_f32",
      "unary_relu_f32",
      "compare_gt_f32_vs",
      "reduce_sum_f32",
      "gemm_f32",
      "softmax_f32",
    ]);
    setBackend(backend);
  });

  it("leaves arrays of other backends and integer dtypes to the reference kernels", () => {
    const ints = arr([4, 4], "int32", () => Math.floor(rand() * 10));
    agree([4, 4], "int32", (k, out) => k.binary.add(ints, ints, out));
    setBackend(referenceBackend);
    const foreign = arr([4, 4]);
    setBackend(backend);
    agree([4, 4], "float32", (k, out) => k.binary.mul(foreign, foreign, out));
  });
});
