/**
 * The primitives of `F` written as `autograd.Function`s over the storage kernels (convolutions,
 * pooling, interpolation): their gradients pass `gradcheck` in float64, batched and unbatched.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import { F } from "../index.js";

const rand = (...shape: number[]) => A.randn(shape, { dtype: "float64" }).requiresGrad_();

describe("autograd.Function primitives", () => {
  it("convolutions", () => {
    A.manualSeed(0);
    const check = (fn: (...t: A.Tensor[]) => A.Tensor, inputs: A.Tensor[]) =>
      expect(A.autograd.gradcheck(fn, inputs)).toBe(true);
    check(
      (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      [rand(2, 2, 5, 6), rand(3, 2, 3, 2), rand(3)],
    );
    check(
      (x, w) => F.conv2d(x, w, null, { groups: 2, padding: "same" }),
      [rand(1, 4, 4, 4), rand(4, 2, 2, 3)],
    );
    check((x, w, b) => F.conv2d(x, w, b), [rand(2, 4, 4), rand(3, 2, 2, 2), rand(3)]);
    check(
      (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }),
      [rand(2, 2, 7), rand(3, 2, 3), rand(3)],
    );
    check(
      (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      [rand(1, 2, 3, 3), rand(2, 3, 3, 3), rand(3)],
    );
    check((x, w) => F.convTranspose1d(x, w, null, { stride: 2 }), [rand(1, 2, 4), rand(2, 3, 3)]);
  });

  it("pooling and interpolation", () => {
    A.manualSeed(1);
    const check = (fn: (x: A.Tensor) => A.Tensor, x: A.Tensor) =>
      expect(A.autograd.gradcheck(fn, [x])).toBe(true);
    check((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), rand(1, 2, 5, 5));
    check((x) => F.maxPool1d(x, 2), rand(2, 3, 6));
    check(
      (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
      rand(1, 2, 5, 5),
    );
    check((x) => F.avgPool1d(x, 2), rand(2, 6));
    check((x) => F.adaptiveAvgPool2d(x, [3, 2]), rand(2, 7, 5));
    check((x) => F.adaptiveAvgPool1d(x, 3), rand(1, 2, 7));
    check((x) => F.interpolate(x, { size: [5, 7], mode: "bilinear" }), rand(1, 1, 3, 4));
    check((x) => F.interpolate(x, { scaleFactor: 2, mode: "nearest" }), rand(1, 2, 3));
    check((x) => F.interpolate(x, { size: 5, mode: "linear", alignCorners: true }), rand(1, 2, 3));
  });

  it("records one node per call and leaves inputs that need no gradient alone", () => {
    const x = A.randn(1, 1, 4, 4);
    const w = A.randn(2, 1, 3, 3).requiresGrad_();
    const y = F.conv2d(x, w);
    expect(y.gradFn?.name).toBe("ConvolutionBackward");
    y.sum().backward();
    expect(w.grad?.shape).toEqual([2, 1, 3, 3]);
    expect(x.grad).toBeNull();
    expect(F.conv2d(x, w.detach()).requiresGrad).toBe(false);
  });
});
