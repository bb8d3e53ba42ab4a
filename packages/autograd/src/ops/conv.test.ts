/**
 * Convolution, pooling and resampling ops beyond the gradcheck of the derivative table: the
 * graphs PyTorch 1.13 builds (node names of the first and second backward), unbatched inputs as
 * a batch of one, the unit-height 2-d forms of the 1-d ops, and PyTorch's error messages.
 */
import * as S from "@x/storage";
import { describe, expect, it } from "vitest";
import {
  adaptiveAvgPool2d,
  autograd,
  avgPool2d,
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  Generator,
  interpolate,
  maxPool1d,
  maxPool2d,
  noGrad,
  randn,
  type Tensor,
} from "../index.js";

const gen = new Generator(7);
const rn = (...shape: number[]) =>
  randn(shape, { dtype: "float64", generator: gen }).requiresGrad_();

/** The node names of `y` and of the input gradients of `(y * y).sum()` (created with a graph). */
function names(y: Tensor, inputs: Tensor[]): [string | undefined, (string | undefined)[]] {
  const gs = autograd.grad(y.mul(y).sum(), inputs, { createGraph: true });
  return [y.gradFn?.name, gs.map((g) => g?.gradFn?.name)];
}

const close = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [a.data.toArray(), b.data.toArray()];
  for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i]!, 10);
};

describe("convolution, pooling and resampling graphs", () => {
  it("name their nodes as PyTorch 1.13 does, first and second order", () => {
    const [x4, x3, w2, w1, wt, b] = [
      rn(2, 3, 6, 6),
      rn(2, 3, 8),
      rn(4, 3, 3, 3),
      rn(4, 3, 3),
      rn(3, 4, 3, 3),
      rn(4),
    ];
    const conv2 = "ConvolutionBackwardBackward0";
    expect(names(conv2d(x4, w2, b), [x4, w2, b])).toEqual([
      "ConvolutionBackward0",
      [conv2, conv2, conv2],
    ]);
    expect(names(conv1d(x3, w1, b), [x3, w1])).toEqual(["ConvolutionBackward0", [conv2, conv2]]);
    expect(names(convTranspose2d(x4, wt, b, { stride: 2 }), [x4, wt])).toEqual([
      "ConvolutionBackward0",
      [conv2, conv2],
    ]);
    const wt1 = rn(3, 4, 3);
    expect(names(convTranspose1d(x3, wt1), [x3, wt1])).toEqual([
      "ConvolutionBackward0",
      [conv2, conv2],
    ]);
    // unbatched: unsqueeze, batched op, squeeze
    const u3 = rn(3, 6, 6);
    expect(names(conv2d(u3, w2), [u3, w2])).toEqual([
      "SqueezeBackward1",
      ["SqueezeBackward1", conv2],
    ]);
    const u2 = rn(3, 8);
    expect(names(convTranspose1d(u2, wt1), [u2])).toEqual([
      "SqueezeBackward1",
      ["SqueezeBackward1"],
    ]);

    const mp = "MaxPool2DWithIndicesBackward0";
    expect(names(maxPool2d(x4, 2), [x4])).toEqual([mp, ["MaxPool2DWithIndicesBackwardBackward0"]]);
    expect(names(maxPool2d(u3, 2), [u3])).toEqual([mp, ["MaxPool2DWithIndicesBackwardBackward0"]]);
    expect(names(maxPool1d(x3, 2), [x3])).toEqual(["SqueezeBackward1", ["SqueezeBackward1"]]);
    const [v, i] = maxPool2d(x4, 2, { returnIndices: true });
    expect([v.gradFn?.name, i.gradFn, i.dtype]).toEqual([mp, null, "int64"]);
    expect(names(avgPool2d(x4, 2), [x4])).toEqual([
      "AvgPool2DBackward0",
      ["AvgPool2DBackwardBackward0"],
    ]);
    expect(names(adaptiveAvgPool2d(x4, [3, 2]), [x4])).toEqual([
      "AdaptiveAvgPool2DBackward0",
      ["AdaptiveAvgPool2DBackwardBackward0"],
    ]);
    // to 1×1 it is a mean (PyTorch's second-order node there, DivBackward1, is mean's own)
    expect(names(adaptiveAvgPool2d(x4, 1), [x4])[0]).toBe("MeanBackward1");
    expect(names(adaptiveAvgPool2d(u3, [null, 1]), [u3])[0]).toBe("AdaptiveAvgPool2DBackward0");

    const up: [Tensor, Parameters<typeof interpolate>[1], string][] = [
      [x4, { scaleFactor: 2 }, "UpsampleNearest2DBackward1"],
      [x4, { size: 5, mode: "nearest-exact" }, "UpsampleNearestExact2DBackward1"],
      [x4, { size: [5, 7], mode: "bilinear", alignCorners: true }, "UpsampleBilinear2DBackward1"],
      [x3, { scaleFactor: 2 }, "UpsampleNearest1DBackward1"],
      [x3, { scaleFactor: 2, mode: "nearest-exact" }, "UpsampleNearestExact1DBackward1"],
      [x3, { scaleFactor: 2, mode: "linear" }, "UpsampleLinear1DBackward1"],
    ];
    for (const [x, opts, name] of up) {
      expect(names(interpolate(x, opts), [x])).toEqual([
        name,
        [name.replace("Backward1", "BackwardBackward1")],
      ]);
    }
  });

  it("runs an unbatched convolution as a batch of one", () => {
    const [x, w, b] = [rn(2, 5, 4), rn(3, 2, 2, 2), rn(3)];
    const y = conv2d(x, w, b, { padding: 1 });
    const want = conv2d(x.unsqueeze(0), w, b, { padding: 1 }).squeeze(0);
    close(y, want);
    const [gx, gw] = autograd.grad(y.sum(), [x, w]) as [Tensor, Tensor];
    const [hx, hw] = autograd.grad(want.sum(), [x, w]) as [Tensor, Tensor];
    close(gx, hx);
    close(gw, hw);
  });

  it("computes 1-d transposed convolutions as 2-d ones of unit height", () => {
    const [x, w, b] = [rn(2, 4, 5), rn(4, 3, 3), rn(6)];
    const opts = { stride: 2, padding: 1, outputPadding: 1, dilation: 2, groups: 2 };
    const y = convTranspose1d(x, w, b, opts);
    const want = convTranspose2d(x.unsqueeze(2), w.unsqueeze(2), b, {
      stride: [1, 2],
      padding: [0, 1],
      outputPadding: [0, 1],
      dilation: [1, 2],
      groups: 2,
    }).squeeze(2);
    expect(y.shape).toEqual([2, 6, 12]);
    close(y, want);
  });

  it("checks 1-d transposed convolutions with PyTorch's messages", () => {
    const t = (...s: number[]) => randn(s, { generator: gen });
    expect(() => convTranspose1d(t(2, 3, 8), t(2, 2, 3))).toThrow(
      "Given transposed=1, weight of size [2, 2, 3], expected input[2, 3, 8] to have 2 channels, but got 3 channels instead",
    );
    expect(() => convTranspose1d(t(2, 2, 8), t(2, 2, 3, 3))).toThrow(
      "Expected 4-dimensional input for 4-dimensional weight [2, 2, 3, 3], but got 3-dimensional input of size [2, 2, 8] instead",
    );
    expect(() => convTranspose1d(t(2, 2, 8), t(2, 2, 3), t(3))).toThrow(
      "Given transposed=1, weight of size [2, 2, 3], expected bias to be 1-dimensional with 2 elements, but got bias of size [3] instead",
    );
    expect(() => convTranspose1d(t(2, 2, 8), t(2, 2, 3), null, { stride: [1, 2] })).toThrow(
      "expected stride to be a single integer value or a list of 1 values to match the convolution dimensions, but got stride=[1, 2]",
    );
    expect(() => convTranspose1d(t(2, 3, 8), t(3, 2, 3), null, { groups: 2 })).toThrow(
      "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [[3, 2, 3]] instead",
    );
    expect(() =>
      convTranspose1d(t(2, 2, 8), t(2, 2, 3), null, { outputPadding: 3, stride: 2 }),
    ).toThrow(
      "output padding must be smaller than either stride or dilation, but got output_padding_height: 0 output_padding_width: 3 stride_height: 1 stride_width: 2 dilation_height: 1 dilation_width: 1",
    );
    expect(() => convTranspose1d(t(2, 2, 2, 8), t(2, 2, 3))).toThrow(
      "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: [2, 2, 2, 8]",
    );
  });

  it("pools 1-d inputs with or without a graph to the same values and indices", () => {
    const x = rn(2, 3, 9);
    const opts = { stride: 2, padding: 1, ceilMode: true };
    const plain = noGrad(() => maxPool1d(x, 3, opts));
    const [v, i] = maxPool1d(x, 3, { ...opts, returnIndices: true });
    expect(plain.gradFn).toBeNull();
    close(plain, v);
    expect(i.shape).toEqual([2, 3, 5]);
    const [raw, rawIdx] = S.maxPool1d(x.data, 3, { ...opts, returnIndices: true });
    expect(i.data.toArray()).toEqual(rawIdx.toArray());
    expect(v.data.toArray()).toEqual(raw.toArray());
    // PyTorch checks the 1-d form without a graph, the 2-d form with one
    expect(() => noGrad(() => maxPool1d(x, 2, { padding: 2 }))).toThrow(
      "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2",
    );
    expect(() => maxPool1d(x, 2, { padding: 2 })).toThrow(
      "pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
    );
  });

  it("pools to 1×1 as a mean over the last two dims, which equals the pooling kernel", () => {
    const x = rn(2, 3, 5, 4);
    const y = adaptiveAvgPool2d(x, [1, null]);
    expect(y.shape).toEqual([2, 3, 1, 4]);
    const one = adaptiveAvgPool2d(x, 1);
    expect(one.gradFn?.name).toBe("MeanBackward1");
    const kernel = S.adaptiveAvgPool2d(x.data, 1).toArray();
    const mean = one.data.toArray();
    expect(mean.length).toBe(6);
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo(kernel[i]!, 12);
  });
});
