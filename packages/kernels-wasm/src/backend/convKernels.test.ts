import {
  type Conv2dParams,
  type DType,
  getBackend,
  type NDArray,
  type Pool2dParams,
  setBackend,
} from "@x/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agree, arr, rand } from "../test/agree";
import { type ConvCase, convGeometry } from "../test/conv";
import { backwardInputPath, MIN_IM2COL_FREE_FLOPS } from "./convKernels";
import { createWasmBackend } from "./wasmBackend";

const backend = createWasmBackend();
const k = backend.kernels;
let previous = getBackend();
beforeAll(() => {
  previous = setBackend(backend);
});
afterAll(() => {
  setBackend(previous);
});

const cases: ConvCase[] = [
  { N: 2, C: 1, H: 9, W: 11, O: 5, kH: 3, kW: 3 },
  { N: 3, C: 4, H: 8, W: 8, O: 6, kH: 3, kW: 3, padding: [1, 1] },
  { N: 1, C: 3, H: 13, W: 10, O: 7, kH: 5, kW: 3, stride: [2, 3], padding: [2, 1] },
  { N: 2, C: 6, H: 11, W: 9, O: 4, kH: 3, kW: 2, dilation: [2, 3], padding: [1, 2] },
  { N: 2, C: 6, H: 7, W: 7, O: 9, kH: 3, kW: 3, groups: 3, padding: [1, 0], stride: [1, 2] },
  { N: 3, C: 5, H: 6, W: 7, O: 8, kH: 1, kW: 1 },
  { N: 2, C: 4, H: 5, W: 5, O: 4, kH: 1, kW: 1, stride: [2, 2], groups: 2 },
  { N: 1, C: 2, H: 6, W: 6, O: 3, kH: 4, kW: 4, padding: [1, 1], extra: [1, 1] },
  { N: 2, C: 3, H: 4, W: 5, O: 2, kH: 3, kW: 3, padding: [3, 3] },
];

const tol = (d: DType) => (d === "float32" ? 2e-5 : 1e-12);

describe("convolution kernels", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: conv2d and both backward kernels agree with the reference`, () => {
      for (const c of cases) {
        const { p, oH, oW } = convGeometry(c);
        const G = c.groups ?? 1;
        const what = JSON.stringify(c);
        const x = arr([c.N, c.C, c.H, c.W], dtype);
        const w = arr([c.O, c.C / G, c.kH, c.kW], dtype);
        const go = arr([c.N, c.O, oH, oW], dtype);
        agree(
          k,
          [c.N, c.O, oH, oW],
          dtype,
          (kk, out) => kk.conv2d(x, w, p, out),
          tol(dtype),
          `fwd ${what}`,
        );
        agree(
          k,
          [c.N, c.C, c.H, c.W],
          dtype,
          (kk, gi) => kk.conv2dBackwardInput(go, w, p, gi),
          tol(dtype),
          `bwd input ${what}`,
        );
        agree(
          k,
          [c.O, c.C / G, c.kH, c.kW],
          dtype,
          (kk, gw) => kk.conv2dBackwardWeight(x, go, p, gw),
          tol(dtype),
          `bwd weight ${what}`,
        );
      }
    });
  }

  it("float32: strided (permuted, sliced) inputs, weights and gradients agree", () => {
    const p: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const x = arr([5, 3, 2, 7], "float32").permute(2, 1, 0, 3); // [2, 3, 5, 7], strided
    const w = arr([3, 3, 4, 3], "float32").permute(2, 1, 0, 3); // [4, 3, 3, 3]
    const go = arr([2, 4, 5, 14], "float32").asStrided([2, 4, 5, 7], [280, 70, 14, 2], 1);
    agree(k, [2, 4, 5, 7], "float32", (kk, out) => kk.conv2d(x, w, p, out), 2e-5, "fwd");
    agree(
      k,
      [2, 3, 5, 7],
      "float32",
      (kk, gi) => kk.conv2dBackwardInput(go, w, p, gi),
      2e-5,
      "bwd input",
    );
    agree(
      k,
      [4, 3, 3, 3],
      "float32",
      (kk, gw) => kk.conv2dBackwardWeight(x, go, p, gw),
      2e-5,
      "bwd weight",
    );
  });

  // float32 shapes for the paths without im2col (convGemm.ts): the forward read from the image
  // or its padded copy (rows narrower than a tile, tails of 1-4 columns paired across rows or
  // alone, tails of 5-7, unit and larger row strides, dilation, x a view), the input gradient
  // as a forward convolution ("same" convolutions; for others see below), the weight
  // gradient from a channels-last copy (rows of (kw, c) a multiple of 8 or with a tail) or by
  // dot products (few channels), images summed in uneven blocks, groups, M not a multiple of the
  // tiles' rows, dot products longer than one chain (K = 576, 88·88 positions).
  const f32Cases: (ConvCase & { view?: boolean })[] = [
    { N: 3, C: 8, H: 13, W: 13, O: 14, kH: 3, kW: 3 },
    { N: 2, C: 6, H: 9, W: 15, O: 7, kH: 3, kW: 3, padding: [1, 1] },
    { N: 3, C: 5, H: 7, W: 6, O: 9, kH: 3, kW: 3, padding: [1, 1] },
    { N: 2, C: 4, H: 6, W: 5, O: 8, kH: 3, kW: 3, padding: [1, 1] },
    { N: 2, C: 4, H: 5, W: 3, O: 6, kH: 3, kW: 3, padding: [1, 1] },
    { N: 2, C: 8, H: 12, W: 12, O: 10, kH: 3, kW: 3, stride: [2, 1], padding: [1, 1] },
    { N: 2, C: 8, H: 12, W: 12, O: 6, kH: 3, kW: 3, dilation: [2, 2], padding: [2, 2] },
    { N: 3, C: 8, H: 10, W: 10, O: 12, kH: 3, kW: 3, padding: [1, 1], groups: 2 },
    { N: 5, C: 1, H: 12, W: 14, O: 7, kH: 3, kW: 3 },
    { N: 3, C: 2, H: 9, W: 10, O: 5, kH: 3, kW: 3, padding: [1, 1] },
    { N: 2, C: 3, H: 6, W: 9, O: 4, kH: 3, kW: 3, view: true },
    { N: 2, C: 1, H: 9, W: 10, O: 5, kH: 3, kW: 3, view: true },
    { N: 2, C: 8, H: 7, W: 9, O: 6, kH: 3, kW: 3, padding: [1, 0], view: true },
    { N: 2, C: 64, H: 6, W: 9, O: 8, kH: 3, kW: 3 },
    { N: 1, C: 4, H: 10, W: 10, O: 520, kH: 3, kW: 3 },
    { N: 37, C: 8, H: 6, W: 8, O: 6, kH: 3, kW: 3, padding: [1, 1] },
    { N: 2, C: 3, H: 11, W: 12, O: 8, kH: 5, kW: 3, padding: [2, 1] },
    { N: 2, C: 4, H: 8, W: 10, O: 8, kH: 3, kW: 3, padding: [1, 1], extra: [1, 1] },
    { N: 2, C: 6, H: 9, W: 16, O: 9, kH: 2, kW: 2, stride: [1, 1], padding: [1, 0] },
    // outputs past the symmetric size without padding: taps beyond the image read as zeros
    { N: 2, C: 4, H: 9, W: 11, O: 6, kH: 3, kW: 3, extra: [1, 1] },
    { N: 2, C: 1, H: 9, W: 11, O: 5, kH: 3, kW: 3, extra: [0, 1] },
    // images too large to put a block's side by side: the block's products accumulate
    { N: 17, C: 8, H: 88, W: 88, O: 4, kH: 3, kW: 3, padding: [1, 1] },
  ];
  it("float32: the im2col-free paths agree with the reference", () => {
    const small = () => rand() / 3;
    for (const shape of f32Cases) {
      const { p, oH, oW } = convGeometry(shape);
      const G = shape.groups ?? 1;
      // enough images for the backward kernels to take their im2col-free paths
      const perImage = 2 * shape.O * oH * oW * (shape.C / G) * shape.kH * shape.kW;
      const c = { ...shape, N: Math.max(shape.N, Math.ceil(MIN_IM2COL_FREE_FLOPS / perImage)) };
      const what = JSON.stringify(c);
      // a view: x stored [N, C, W, H] and read transposed (unit stride along H, not W)
      const x = c.view
        ? arr([c.N, c.C, c.W, c.H], "float32", small).permute(0, 1, 3, 2)
        : arr([c.N, c.C, c.H, c.W], "float32", small);
      const w = arr([c.O, c.C / G, c.kH, c.kW], "float32", small);
      const go = arr([c.N, c.O, oH, oW], "float32", small);
      const fwd = (kk: typeof k, out: NDArray) => kk.conv2d(x, w, p, out);
      agree(k, [c.N, c.O, oH, oW], "float32", fwd, 5e-5, `fwd ${what}`);
      const bwdIn = (kk: typeof k, gi: NDArray) => kk.conv2dBackwardInput(go, w, p, gi);
      agree(k, [c.N, c.C, c.H, c.W], "float32", bwdIn, 5e-5, `bwd input ${what}`);
      const bwdW = (kk: typeof k, gw: NDArray) => kk.conv2dBackwardWeight(x, go, p, gw);
      // gradW sums N·oH·oW products (131 K for the 88×88 images; the GEMM path's error is alike)
      agree(k, [c.O, c.C / G, c.kH, c.kW], "float32", bwdW, 3e-4, `bwd weight ${what}`);
    }
  });

  it("the CNN and digits shapes of the benchmark agree", () => {
    const p0: Conv2dParams = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    const p1: Conv2dParams = { ...p0, padding: [1, 1] };
    for (const [N, C, H, O, p] of [
      [4, 1, 28, 16, p0],
      [4, 16, 13, 32, p0],
      [4, 1, 8, 16, p1],
      [4, 16, 8, 32, p1],
    ] as const) {
      const oH = H + 2 * p.padding[0] - 2;
      const x = arr([N, C, H, H]);
      const w = arr([O, C, 3, 3]);
      const go = arr([N, O, oH, oH]);
      agree(k, [N, O, oH, oH], "float32", (kk, out) => kk.conv2d(x, w, p, out), 2e-5, "fwd");
      agree(
        k,
        [N, C, H, H],
        "float32",
        (kk, gi) => kk.conv2dBackwardInput(go, w, p, gi),
        1e-4, // sums of O·9 = 288 float32 products, in another order than the reference's
        "bwd input",
      );
      agree(
        k,
        [O, C, 3, 3],
        "float32",
        (kk, gw) => kk.conv2dBackwardWeight(x, go, p, gw),
        1e-4,
        "bwd weight",
      );
    }
  });

  // The input gradient of convolutions with less than "same" padding as a forward convolution
  // of gradOut padded by k - 1 - padding, where `backwardInputPath` picks it (few output
  // channels, images not much larger than gradOut): valid 3×3 (rows of 16, 17, 26: tails of 0,
  // 1, 2 columns), padding 1 of a 5×5 kernel, one side padded, groups, dilation, gradOut a
  // view. Their own random numbers, so that the cases above keep theirs.
  it("float32: the input gradient with less padding through the forward path agrees", () => {
    let seed = 11;
    const small = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const shapes: (ConvCase & { view?: boolean })[] = [
      { N: 2, C: 4, H: 16, W: 16, O: 8, kH: 3, kW: 3 },
      { N: 2, C: 6, H: 20, W: 17, O: 5, kH: 3, kW: 3 },
      { N: 1, C: 8, H: 24, W: 26, O: 13, kH: 3, kW: 3 },
      { N: 2, C: 5, H: 22, W: 19, O: 7, kH: 5, kW: 5, padding: [1, 1] },
      { N: 2, C: 4, H: 19, W: 21, O: 6, kH: 3, kW: 3, padding: [0, 1] },
      { N: 2, C: 8, H: 16, W: 16, O: 8, kH: 3, kW: 3, groups: 2 },
      { N: 2, C: 4, H: 20, W: 20, O: 6, kH: 3, kW: 3, dilation: [2, 2], padding: [1, 1] },
      { N: 2, C: 4, H: 17, W: 18, O: 8, kH: 3, kW: 3, view: true },
    ];
    for (const shape of shapes) {
      const { p, oH, oW } = convGeometry(shape);
      const G = shape.groups ?? 1;
      const perImage = 2 * shape.O * oH * oW * (shape.C / G) * shape.kH * shape.kW;
      const c = { ...shape, N: Math.max(shape.N, Math.ceil(MIN_IM2COL_FREE_FLOPS / perImage)) };
      const what = JSON.stringify(c);
      const w = arr([c.O, c.C / G, c.kH, c.kW], "float32", small);
      // a view: gradOut stored [N, O, oW, oH] and read transposed (copied before the product)
      const go = c.view
        ? arr([c.N, c.O, oW, oH], "float32", small).permute(0, 1, 3, 2)
        : arr([c.N, c.O, oH, oW], "float32", small);
      const path = backwardInputPath([c.N, c.C, c.H, c.W], [...w.shape], p, [oH, oW]);
      expect(path, what).toBe("forward");
      const bwdIn = (kk: typeof k, gi: NDArray) => kk.conv2dBackwardInput(go, w, p, gi);
      agree(k, [c.N, c.C, c.H, c.W], "float32", bwdIn, 5e-5, `bwd input ${what}`);
    }
    // the GEMM path where the forward one measured slower: more output channels (the CNN's
    // second convolution), fewer than 4 input channels (its first), more padding relative to
    // the image
    const valid: Conv2dParams = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    expect(backwardInputPath([32, 16, 13, 13], [32, 16, 3, 3], valid, [11, 11])).toBe("gemm");
    expect(backwardInputPath([32, 1, 28, 28], [16, 1, 3, 3], valid, [26, 26])).toBe("gemm");
    expect(backwardInputPath([32, 8, 10, 10], [8, 8, 3, 3], valid, [8, 8])).toBe("gemm");
  });
});

describe("max pooling kernels", () => {
  const pools: [number[], Partial<Pool2dParams>][] = [
    [[2, 3, 8, 8], { kernel: [2, 2], stride: [2, 2] }],
    [[2, 3, 9, 11], { kernel: [2, 2], stride: [2, 2] }],
    [[1, 2, 4, 30], { kernel: [2, 2], stride: [2, 2] }],
    [[2, 3, 9, 7], { kernel: [3, 2], stride: [2, 1], padding: [1, 1] }],
    [[1, 2, 11, 10], { kernel: [3, 3], stride: [2, 3], padding: [1, 0], dilation: [2, 2] }],
    [[2, 2, 5, 5], { kernel: [2, 2], stride: [2, 2], ceilMode: true }],
  ];
  const full = (q: Partial<Pool2dParams>): Pool2dParams => ({
    kernel: [2, 2],
    stride: [2, 2],
    padding: [0, 0],
    dilation: [1, 1],
    ceilMode: false,
    countIncludePad: true,
    divisorOverride: 0,
    ...q,
  });
  const outSize = (n: number, i: 0 | 1, p: Pool2dParams) => {
    const span =
      n +
      2 * p.padding[i] -
      p.dilation[i] * (p.kernel[i] - 1) -
      1 +
      (p.ceilMode ? p.stride[i] - 1 : 0);
    let o = Math.floor(span / p.stride[i]) + 1;
    if (p.ceilMode && (o - 1) * p.stride[i] >= n + p.padding[i]) o--;
    return o;
  };

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: values, indices (NaN included) and the backward scatter agree`, () => {
      for (const [shape, q] of pools) {
        const p = full(q);
        const [N, C, H, W] = shape as [number, number, number, number];
        const oH = outSize(H, 0, p);
        const oW = outSize(W, 1, p);
        let i = 0;
        const x = arr(shape, dtype, () => (i++ % 13 === 5 ? Number.NaN : rand()));
        const xs = x.permute(0, 1, 3, 2).permute(0, 1, 3, 2); // same values, a non-fresh view
        const what = JSON.stringify(q);
        const idx = arr([N, C, oH, oW], "int64", () => 0);
        agree(
          k,
          [N, C, oH, oW],
          dtype,
          (kk, out) => kk.maxPool2d(xs, p, out, idx),
          0,
          `values ${what}`,
        );
        agree(
          k,
          [N, C, oH, oW],
          "int64",
          (kk, ind) => kk.maxPool2d(x, p, arr([N, C, oH, oW], dtype), ind),
          0,
          `indices ${what}`,
        );
        k.maxPool2d(x, p, arr([N, C, oH, oW], dtype), idx);
        const go = arr([N, C, oH, oW], dtype);
        agree(
          k,
          shape,
          dtype,
          (kk, gi) => kk.maxPool2dBackward(go, idx, gi),
          1e-6,
          `backward ${what}`,
        );
      }
    });
  }
});
