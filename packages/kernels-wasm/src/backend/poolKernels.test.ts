// The 2×2 stride-2 max-pooling kernels (forward and the tiling backward) against the reference
// kernels, bit-exactly: values, indices, PyTorch's NaN rule (a NaN wins, a later NaN moves the
// index) and tie rule (the first maximum in window order wins; ±0 tie), rows of every length
// modulo 4 (the overlapping last step, the scalar rows), odd H and W, strided inputs; the
// backward's -0 gradient (+0, as a zero-filled scatter-add gives), indices outside their window
// (the plane redone by the general kernel), and the same bits on 1 and 2 threads.

import { type NDArray, type Pool2dParams, referenceKernels } from "@x/storage";
import { describe, expect, it } from "vitest";
import { arr, rand } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";

const backend = useWasmBackend({ threaded: true, initialPages: 1024 });
const k = backend.wasm;
const kk = backend.kernels;

const P: Pool2dParams = {
  kernel: [2, 2],
  stride: [2, 2],
  padding: [0, 0],
  dilation: [1, 1],
  ceilMode: false,
  countIncludePad: true,
  divisorOverride: 0,
};

type Shape4 = [number, number, number, number];

/** Shapes with oW % 4 = 0…3, oW < 4 (scalar rows), odd and even H and W. */
const shapes: Shape4[] = [
  [1, 1, 2, 2],
  [2, 3, 3, 7],
  [1, 2, 5, 6],
  [2, 2, 8, 8],
  [1, 3, 9, 11],
  [2, 2, 7, 13],
  [1, 2, 6, 14],
  [2, 1, 5, 17],
  [1, 1, 4, 19],
  [2, 3, 26, 26],
  [1, 2, 11, 11],
];

/** Value generators: plain, NaN-sprinkled, ties (±0 included), infinities. */
const gens: Record<string, () => () => number> = {
  random: () => rand,
  nan: () => {
    let i = 0;
    return () => (i++ % 7 === 3 || i % 11 === 0 ? Number.NaN : rand());
  },
  ties: () => {
    const vals = [-1, 0, -0, 1, 1, 2, -0, 0];
    return () => vals[Math.floor((rand() + 3) * 1.33)]!;
  },
  infinities: () => () => {
    const r = rand();
    return r > 2 ? Number.POSITIVE_INFINITY : r < -2 ? Number.NEGATIVE_INFINITY : r;
  },
  allNegInf: () => () => Number.NEGATIVE_INFINITY,
  nanWithInf: () => {
    let i = 0;
    const vals = [Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY, 1, Number.NaN];
    return () => vals[i++ % vals.length]!;
  },
};

const outShape = ([N, C, H, W]: Shape4): Shape4 => [N, C, H >> 1, W >> 1];

/** Forward on both backends; values compared bit for bit, indices exactly. */
function forwardAgrees(x: NDArray, what: string): NDArray {
  const os = outShape(x.shape as Shape4);
  const got = arr(os, "float32", () => 12345);
  const want = arr(os, "float32", () => 54321);
  const gi = arr(os, "int64", () => -7);
  const wi = arr(os, "int64", () => -9);
  kk.maxPool2d(x, P, got, gi);
  referenceKernels.maxPool2d(x, P, want, wi);
  expectSameBits(bitsOf(got), bitsOf(want), `${what} values`);
  expect(Array.from(gi.typed()), `${what} indices`).toEqual(Array.from(wi.typed()));
  for (const t of [got, want, wi]) t.dispose();
  return gi;
}

/** Backward on both backends (outputs prefilled with sentinels), compared bit for bit. */
function backwardAgrees(go: NDArray, idx: NDArray, inShape: Shape4, what: string): void {
  const got = arr(inShape, "float32", () => 12345);
  const want = arr(inShape, "float32", () => 54321);
  kk.maxPool2dBackward(go, idx, got);
  referenceKernels.maxPool2dBackward(go, idx, want);
  expectSameBits(bitsOf(got), bitsOf(want), what);
  got.dispose();
  want.dispose();
}

describe("2×2 stride-2 max pooling (float32)", () => {
  it("forward: values and indices match the reference bit for bit", () => {
    for (const shape of shapes) {
      for (const [name, gen] of Object.entries(gens)) {
        const x = arr(shape, "float32", gen());
        forwardAgrees(x, `${name} [${shape}]`).dispose();
        x.dispose();
      }
    }
  });

  it("forward: NaN and tie rules window by window", () => {
    const nan = Number.NaN;
    // each window's four values in scan order, and the index PyTorch gives (row-major in 2×2)
    const windows: [number[], number][] = [
      [[1, 2, 3, 4], 3],
      [[4, 3, 2, 1], 0],
      [[1, 1, 1, 1], 0],
      [[0, 2, 2, 1], 1],
      [[-0, 0, 0, -0], 0],
      [[0, -0, -0, 0], 0],
      [[-1, -0, 0, -2], 1],
      [[nan, 5, 6, 7], 0],
      [[5, nan, 6, 7], 1],
      [[5, 6, nan, 7], 2],
      [[5, 6, 7, nan], 3],
      [[nan, 1, nan, 2], 2],
      [[nan, nan, nan, nan], 3],
      [[Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e38, Number.NEGATIVE_INFINITY], 2],
      [[Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, Number.POSITIVE_INFINITY], 0],
    ];
    // one row of windows (W = 2·count), so the vector steps and the overlapping last step see
    // them in every lane position
    for (let shift = 0; shift < 4; shift++) {
      const ws = [...windows.slice(shift), ...windows.slice(0, shift)];
      const W = 2 * ws.length;
      const x = arr([1, 1, 2, W], "float32", () => 0);
      const t = x.typed();
      ws.forEach(([v], j) => {
        t[2 * j] = v[0]!;
        t[2 * j + 1] = v[1]!;
        t[W + 2 * j] = v[2]!;
        t[W + 2 * j + 1] = v[3]!;
      });
      const idx = forwardAgrees(x, `windows shifted ${shift}`);
      const want = ws.map(([, at], j) => (at < 2 ? 2 * j + at : W + 2 * j + at - 2));
      expect(Array.from(idx.typed())).toEqual(want);
      idx.dispose();
      x.dispose();
    }
  });

  it("forward: strided inputs (row padding, permuted planes) match", () => {
    const big = arr([3, 2, 12, 21], "float32", gens.nan!());
    const sliced = big.slice(2, 1, 11).slice(3, 2, 19); // rows with a stride of 21
    forwardAgrees(sliced, "sliced").dispose();
    const perm = arr([4, 2, 10, 13], "float32").permute(1, 0, 2, 3); // N, C strides swapped
    forwardAgrees(perm, "permuted").dispose();
    for (const t of [big, sliced, perm]) t.dispose();
  });

  it("backward: the tiling writes match the zero-filled scatter, -0 and NaN gradients too", () => {
    for (const shape of shapes) {
      const x = arr(shape, "float32", gens.ties!());
      const idx = forwardAgrees(x, `[${shape}]`);
      let i = 0;
      const specials = [-0, Number.NaN, 0, Number.NEGATIVE_INFINITY];
      const go = arr(outShape(shape), "float32", () => (i++ % 5 === 2 ? specials[i % 4]! : rand()));
      backwardAgrees(go, idx, shape, `backward [${shape}]`);
      for (const t of [x, idx, go]) t.dispose();
    }
  });

  it("backward: indices outside their window (or out of range) fall back per plane", () => {
    for (const shape of [
      [2, 2, 8, 8],
      [1, 2, 9, 11],
      [2, 1, 6, 6],
      [1, 1, 26, 26],
    ] as Shape4[]) {
      const [N, C, H, W] = shape;
      const x = arr(shape, "float32");
      const idx = forwardAgrees(x, `[${shape}]`);
      const ti = idx.typed();
      const plane = (H >> 1) * (W >> 1);
      // plane 0: an index into another window (a repeated target: two gradients add up);
      // the last plane: an index past the plane and a negative one (both dropped)
      ti[plane - 1] = ti[0]!;
      const last = (N * C - 1) * plane;
      ti[last] = H * W;
      ti[last + plane - 1] = -1;
      // small integers: sums are exact in f32, so the bits must match
      const go = arr(outShape(shape), "float32", () => Math.round(rand()));
      backwardAgrees(go, idx, shape, `moved indices [${shape}]`);
      for (const t of [x, idx, go]) t.dispose();
    }
  });

  it("backward: windows larger than 2×2 with the same output size match", () => {
    // a 3×3 stride-2 pool padded by 1 also gives H/2 × W/2: its indices leave the 2×2 cells
    const shape: Shape4 = [2, 3, 10, 12];
    const p3: Pool2dParams = { ...P, kernel: [3, 3], padding: [1, 1] };
    const x = arr(shape, "float32");
    const os = outShape(shape);
    const idx = arr(os, "int64", () => 0);
    kk.maxPool2d(x, p3, arr(os, "float32"), idx);
    const go = arr(os, "float32", () => Math.round(rand() * 4));
    backwardAgrees(go, idx, shape, "3×3 indices");
    for (const t of [x, idx, go]) t.dispose();
  });

  it("gives the same bits on 1 and 2 threads", async () => {
    const shape: Shape4 = [32, 16, 26, 26];
    const x = arr(shape, "float32", gens.nan!());
    const go = arr(outShape(shape), "float32");
    const run = () => {
      const out = arr(outShape(shape), "float32", () => 0);
      const idx = arr(outShape(shape), "int64", () => 0);
      kk.maxPool2d(x, P, out, idx);
      const gi = arr(shape, "float32", () => 0);
      kk.maxPool2dBackward(go, idx, gi);
      const bits = [bitsOf(out), new Uint32Array(new Float64Array(idx.typed()).buffer), bitsOf(gi)];
      for (const t of [out, idx, gi]) t.dispose();
      return bits;
    };
    setNumThreads(1);
    const one = run();
    setNumThreads(2);
    expect(await threadsReady(k, 2)).toBe(2);
    for (let r = 0; r < 3; r++) {
      // a sleeping worker may start too late to take images: run until one took some
      let before = k.threads.workerItems;
      let got = run();
      for (let i = 0; i < 10 && k.threads.workerItems === before; i++) {
        before = k.threads.workerItems;
        got = run();
      }
      expect(k.threads.workerItems).toBeGreaterThan(before);
      expectSameBits(got[0]!, one[0]!, "values on 2 threads");
      expectSameBits(got[1]!, one[1]!, "indices on 2 threads");
      expectSameBits(got[2]!, one[2]!, "gradient on 2 threads");
    }
    setNumThreads(1);
    x.dispose();
    go.dispose();
  });
});
