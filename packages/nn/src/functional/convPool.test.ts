/**
 * Convolution, pooling and resampling of `F` and their layers run on the differentiable ops of
 * `@x/autograd`: gradients and second derivatives pass `gradcheck`/`gradgradcheck` in float64,
 * batched and unbatched; the graphs are PyTorch's (1-d poolings as 2-d ones of unit height);
 * `returnIndices` gives `[values, indices]`; the 1-d checks speak PyTorch's words.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import { F, MaxPool1d, MaxPool2d } from "../index.js";

const rand = (...shape: number[]) => A.randn(shape, { dtype: "float64" }).requiresGrad_();

function check(fn: (...t: A.Tensor[]) => A.Tensor, inputs: A.Tensor[]): void {
  expect(A.autograd.gradcheck(fn, inputs)).toBe(true);
  expect(A.autograd.gradgradcheck(fn, inputs)).toBe(true);
}

describe("F's convolutions, poolings and resampling", () => {
  it("convolutions have first and second derivatives", () => {
    A.manualSeed(0);
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
      (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: "valid" }),
      [rand(2, 2, 7), rand(3, 2, 3), rand(3)],
    );
    check(
      (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      [rand(1, 2, 3, 3), rand(2, 3, 3, 3), rand(3)],
    );
    check((x, w) => F.convTranspose1d(x, w, null, { stride: 2 }), [rand(2, 4), rand(2, 3, 3)]);
  });

  it("poolings and interpolation have first and second derivatives", () => {
    A.manualSeed(1);
    check((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [rand(1, 2, 5, 5)]);
    check((x) => F.maxPool1d(x, 2), [rand(2, 3, 6)]);
    check(
      (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
      [rand(1, 2, 5, 5)],
    );
    check((x) => F.avgPool1d(x, 2, { stride: 1, padding: 1 }), [rand(2, 6)]);
    check((x) => F.adaptiveAvgPool2d(x, [3, 2]), [rand(2, 7, 5)]);
    check((x) => F.adaptiveAvgPool2d(x, 1), [rand(1, 2, 3, 3)]);
    check((x) => F.adaptiveAvgPool1d(x, 3), [rand(1, 2, 7)]);
    check((x) => F.interpolate(x, { size: [5, 7], mode: "bilinear" }), [rand(1, 1, 3, 4)]);
    check((x) => F.interpolate(x, { scaleFactor: 2, mode: "nearest" }), [rand(1, 2, 3)]);
    check(
      (x) => F.interpolate(x, { size: 5, mode: "linear", alignCorners: true }),
      [rand(1, 2, 3)],
    );
  });

  it("builds PyTorch's graphs and leaves inputs that need no gradient alone", () => {
    const x = A.randn(1, 1, 4, 4);
    const w = A.randn(2, 1, 3, 3).requiresGrad_();
    const y = F.conv2d(x, w);
    expect(y.gradFn?.name).toBe("ConvolutionBackward0");
    y.sum().backward();
    expect(w.grad?.shape).toEqual([2, 1, 3, 3]);
    expect(x.grad).toBeNull();
    expect(F.conv2d(x, w.detach()).requiresGrad).toBe(false);
    const s = A.randn(2, 3, 8).requiresGrad_();
    expect(F.maxPool1d(s, 2).gradFn?.name).toBe("SqueezeBackward1");
    expect(F.avgPool1d(s, 2).gradFn?.name).toBe("SqueezeBackward1");
    expect(F.adaptiveAvgPool1d(s, 3).gradFn?.name).toBe("SqueezeBackward1");
    expect(F.maxPool2d(s.unsqueeze(0), 2).gradFn?.name).toBe("MaxPool2DWithIndicesBackward0");
    expect(F.interpolate(s, { scaleFactor: 2 }).gradFn?.name).toBe("UpsampleNearest1DBackward1");
  });

  it("returns [values, indices] with returnIndices, from F and from the layers", () => {
    const x = A.tensor([
      [
        [
          [1, 5, 2, 0],
          [3, 4, 8, 1],
        ],
      ],
    ]);
    const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
    expect(v.tolist()).toEqual([[[[5, 8]]]]);
    expect(i.tolist()).toEqual([[[[1, 6]]]]);
    expect(i.dtype).toBe("int64");
    const [v2, i2] = new MaxPool2d(2, { returnIndices: true })(x);
    expect([v2.tolist(), i2.tolist()]).toEqual([v.tolist(), i.tolist()]);
    expect(new MaxPool2d(2)(x).tolist()).toEqual(v.tolist());
    const [v1, i1] = new MaxPool1d(2, { returnIndices: true })(A.tensor([[3, 1, 0, 7, 2]]));
    expect([v1.tolist(), i1.tolist()]).toEqual([[[3, 7]], [[0, 3]]]);
    const [wv, wi] = F.maxPool2dWithIndices(x, 2);
    expect([wv.tolist(), wi.tolist()]).toEqual([v.tolist(), i.tolist()]);
  });

  it("checks the 1-d poolings and the convolutions as PyTorch does", () => {
    const t = (...s: number[]) => A.randn(...s);
    expect(() => F.avgPool1d(t(2, 2, 3, 8), 2)).toThrow(
      "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)",
    );
    expect(() => F.avgPool1d(t(2, 3, 8), [2, 2])).toThrow(
      "avg_pool1d() argument 'kernel_size' should contain one int (got 2)",
    );
    expect(() => F.avgPool1d(t(2, 3, 8), 2, { stride: [1, 1] })).toThrow(
      "avg_pool1d() argument 'stride' should contain one int (got 2)",
    );
    expect(() => F.adaptiveAvgPool1d(t(2, 3, 8), [2, 2])).toThrow(
      "adaptive_avg_pool1d() argument 'output_size' should contain one int (got 2)",
    );
    expect(() => F.conv1d(t(2, 3, 8), t(4, 3, 3, 3))).toThrow(
      "Expected 4-dimensional input for 4-dimensional weight [4, 3, 3, 3], but got 3-dimensional input of size [2, 3, 8] instead",
    );
    expect(() => F.conv2d(t(3, 8, 8), t(4, 2, 3, 3))).toThrow(
      "Given groups=1, weight of size [4, 2, 3, 3], expected input[1, 3, 8, 8] to have 2 channels, but got 3 channels instead",
    );
    expect(() => F.interpolate(t(1, 2, 3, 3), { scaleFactor: 2, mode: "linear" })).toThrow(
      "Got 4D input, but linear mode needs 3D input",
    );
    expect(() => F.interpolate(t(1, 2, 3), {})).toThrow(
      "either size or scale_factor should be defined",
    );
  });
});
