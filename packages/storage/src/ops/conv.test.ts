/// <reference types="node" />
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DType } from "../dtype.js";
import type { NDArray } from "../ndArray.js";
import { adaptiveAvgPool2d, adaptiveAvgPool2dBackward } from "./adaptivePool.js";
import {
  conv1d,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  convTranspose2d,
  convTranspose2dBackwardInput,
  convTranspose2dBackwardWeight,
} from "./conv.js";
import { arange, fromArray } from "./creation.js";
import {
  avgPool2d,
  avgPool2dBackward,
  maxPool1d,
  maxPool1dBackward,
  maxPool2d,
  maxPool2dBackward,
} from "./pool.js";
import { interpolate, interpolateBackward } from "./resample.js";

interface T {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}
type Input = Record<string, unknown>;
interface Case {
  id: string;
  call: string;
  inputs: Input[];
  kwargs: Record<string, Input>;
  output: T;
  grad_output: T;
  grads: (T | null)[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../../../shared/conformance/ops.json", import.meta.url), "utf8"),
) as { tolerance: { float32: { rtol: number; atol: number } }; cases: Case[] };

const num = (v: number | string | boolean) =>
  v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v);

function toArray(t: T, dtype?: DType): NDArray {
  return fromArray(t.data.map(num), dtype ?? (t.dtype as DType)).reshape(t.shape);
}

function expectClose(actual: NDArray, expected: T, rtol: number, atol: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  const e = expected.data.map(num);
  for (let i = 0; i < e.length; i++) {
    const tol = atol + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) {
      expect.fail(`element ${i}: got ${a[i]}, expected ${e[i]} (tolerance ${tol})`);
    }
  }
}

function decode(i: Input, dtype: DType): unknown {
  if ("tensor" in i) return toArray(i.tensor as T, dtype);
  if ("none" in i) return null;
  for (const k of ["scalar", "int", "bool", "list", "str"]) if (k in i) return i[k];
  throw new Error(`unknown input ${JSON.stringify(i)}`);
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Sum of a gradient over every dim but 1 (the bias gradient of a convolution). */
function channelSum(g: NDArray): number[] {
  const C = g.shape[1]!;
  const inner = g.shape.slice(2).reduce((p, s) => p * s, 1);
  const v = g.toArray();
  const out = new Array<number>(C).fill(0);
  for (let i = 0; i < v.length; i++) out[Math.floor(i / inner) % C]! += v[i]!;
  return out;
}

type Opts = Record<string, any>;
interface Op {
  forward(args: any[], kw: Opts): NDArray;
  /** Gradients of the inputs that require grad, in order. */
  backward(args: any[], kw: Opts, go: NDArray): NDArray[];
}

const conv = (k: 1 | 2): Op => ({
  forward: ([x, w, b], kw) => (k === 1 ? conv1d : conv2d)(x, w, b, kw),
  backward: ([x, w, b], kw, go) => [
    conv2dBackwardInput(go, w, x.shape, kw),
    conv2dBackwardWeight(x, go, w.shape, kw),
    ...(b ? [fromArray(channelSum(go), go.dtype)] : []),
  ],
});

const OPS: Record<string, Op> = {
  "F.conv1d": conv(1),
  "F.conv2d": conv(2),
  "F.conv_transpose2d": {
    forward: ([x, w, b], kw) => convTranspose2d(x, w, b, kw),
    backward: ([x, w, b], kw, go) => [
      convTranspose2dBackwardInput(go, w, x.shape, kw),
      convTranspose2dBackwardWeight(x, go, w.shape, kw),
      ...(b ? [fromArray(channelSum(go), go.dtype)] : []),
    ],
  },
  "F.max_pool2d": {
    forward: ([x, k], kw) => maxPool2d(x, k, kw),
    backward: ([x, k], kw, go) => {
      const [, idx] = maxPool2d(x, k, { ...kw, returnIndices: true });
      return [maxPool2dBackward(go, idx, x.shape)];
    },
  },
  "F.max_pool1d": {
    forward: ([x, k], kw) => maxPool1d(x, k, kw),
    backward: ([x, k], kw, go) => {
      const [, idx] = maxPool1d(x, k, { ...kw, returnIndices: true });
      return [maxPool1dBackward(go, idx, x.shape)];
    },
  },
  "F.avg_pool2d": {
    forward: ([x, k], kw) => avgPool2d(x, k, kw),
    backward: ([x, k], kw, go) => [avgPool2dBackward(go, x.shape, k, kw)],
  },
  "F.adaptive_avg_pool2d": {
    forward: ([x, size]) => adaptiveAvgPool2d(x, size),
    backward: ([x], _kw, go) => [adaptiveAvgPool2dBackward(go, x.shape)],
  },
  "F.interpolate": {
    forward: ([x], kw) => interpolate(x, kw),
    backward: ([x], kw, go) => [interpolateBackward(go, x.shape, kw)],
  },
};

const cases = fixture.cases.filter((c) => c.call in OPS);

describe("conformance (ops.json): forward outputs and backward helpers", () => {
  const { rtol, atol } = fixture.tolerance.float32;
  it("covers every convolution, pooling and resampling case of the fixture", () => {
    expect(cases.map((c) => c.id)).toEqual([
      "F.conv1d",
      "F.conv2d/basic",
      "F.conv2d/stride-pad",
      "F.conv2d/dilation",
      "F.conv2d/groups",
      "F.conv2d/depthwise",
      "F.conv_transpose2d",
      "F.max_pool2d",
      "F.max_pool2d/stride-pad",
      "F.avg_pool2d",
      "F.avg_pool2d/pad",
      "F.adaptive_avg_pool2d",
      "F.max_pool1d",
      "F.interpolate/nearest",
      "F.interpolate/bilinear",
    ]);
  });
  for (const dtype of ["float32", "float64"] as const) {
    const [r, a] = dtype === "float32" ? [rtol, atol] : [1e-12, 1e-12];
    for (const c of cases) {
      const op = OPS[c.call]!;
      const args = () => c.inputs.map((i) => decode(i, dtype));
      const kw: Opts = {};
      for (const [k, v] of Object.entries(c.kwargs)) kw[camel(k)] = decode(v, dtype);
      it(`${c.id} forward (${dtype})`, () => {
        const out = op.forward(args(), kw);
        expect(out.dtype).toBe(dtype);
        expectClose(out, c.output, r, a);
      });
      it(`${c.id} backward (${dtype})`, () => {
        const grads = op.backward(args(), kw, toArray(c.grad_output, dtype));
        const expected = c.grads.filter((g): g is T => g !== null);
        expect(grads.length).toBe(expected.length);
        for (let i = 0; i < grads.length; i++) expectClose(grads[i]!, expected[i]!, r, a);
      });
    }
  }
});

const seq = (shape: number[], dtype: DType = "float64") =>
  arange(
    0,
    shape.reduce((p, s) => p * s, 1),
    1,
    dtype,
  ).reshape(shape);

describe("conv shapes and options", () => {
  it("accepts unbatched inputs, 'valid' and asymmetric 'same' padding", () => {
    expect(conv2d(seq([3, 5, 5]), seq([16, 3, 3, 3])).shape).toEqual([16, 3, 3]);
    expect(conv1d(seq([3, 5]), seq([2, 3, 3])).shape).toEqual([2, 3]);
    expect(conv2d(seq([1, 3, 5, 5]), seq([2, 3, 3, 3]), null, { padding: "valid" }).shape).toEqual([
      1, 2, 3, 3,
    ]);
    // Even kernel: PyTorch pads 1 at the top/left and 2 at the bottom/right for k = 4.
    const x = seq([1, 1, 5]);
    const w = fromArray([1, 10, 100, 1000], "float64").reshape([1, 1, 4]);
    const y = conv1d(x, w, null, { padding: "same" });
    expect(y.toArray()).toEqual([2100, 3210, 4321, 432, 43]);
    expect(conv1d(x, w, null, { padding: "same", dilation: 2 }).shape).toEqual([1, 1, 5]);
    expect(
      conv2d(seq([2, 4, 6, 7]), seq([6, 2, 2, 3]), null, { padding: "same", groups: 2 }).shape,
    ).toEqual([2, 6, 6, 7]);
  });

  it("gives convTranspose2d PyTorch's output size with outputPadding and dilation", () => {
    const y = convTranspose2d(seq([1, 3, 5, 5]), seq([3, 2, 3, 3]), null, {
      stride: 3,
      outputPadding: [1, 2],
      dilation: 2,
    });
    expect(y.shape).toEqual([1, 2, 18, 19]);
    expect(
      convTranspose2d(seq([1, 4, 5, 5]), seq([4, 2, 3, 3]), seq([4]), { groups: 2 }).shape,
    ).toEqual([1, 4, 7, 7]);
    expect(convTranspose2d(seq([3, 5, 5]), seq([3, 2, 3, 3]), null, { padding: 1 }).shape).toEqual([
      2, 5, 5,
    ]);
  });

  it("raises PyTorch's errors", () => {
    const r = (...s: number[]) => seq(s, "float32");
    expect(() => conv2d(r(1, 1, 28, 28), r(16, 3, 3, 3))).toThrow(
      "Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 1, 28, 28] to have 3 channels, but got 1 channels instead",
    );
    expect(() => conv2d(r(1, 28, 28), r(16, 3, 3, 3))).toThrow("expected input[1, 1, 28, 28]");
    expect(() => conv2d(r(28, 28), r(16, 3, 3, 3))).toThrow(
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [28, 28]",
    );
    expect(() => conv2d(r(1, 3, 28, 28), r(16, 3, 3))).toThrow(
      "expected stride to be a single integer value or a list of 1 values to match the convolution dimensions, but got stride=[1, 1]",
    );
    expect(() => conv2d(r(1, 3, 2, 2), r(16, 3, 3, 3))).toThrow(
      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
    expect(() => conv2d(r(1, 4, 5, 5), r(16, 2, 3, 3), null, { groups: 3 })).toThrow(
      "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [[16, 2, 3, 3]] instead",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(16, 3, 3, 3), r(3))).toThrow(
      "Given weight of size [16, 3, 3, 3], expected bias to be 1-dimensional with 16 elements, but got bias of size [3] instead",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { stride: 0 })).toThrow(
      "non-positive stride is not supported",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { padding: -1 })).toThrow(
      "negative padding is not supported",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { dilation: [1, 0] })).toThrow(
      "dilation should be greater than zero, but got [1, 0]",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { groups: 0 })).toThrow(
      "non-positive groups is not supported",
    );
    expect(() =>
      conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { stride: 2, padding: "same" }),
    ).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { padding: "foo" as never })).toThrow(
      "Invalid padding string: 'foo'",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), null, { padding: [1, 2, 3] })).toThrow(
      "expected padding to be a single integer value or a list of 2 values to match the convolution dimensions, but got padding=[1, 2, 3]",
    );
    expect(() => conv2d(seq([1, 3, 5, 5]), r(2, 3, 3, 3))).toThrow(
      "expected scalar type Double but found Float",
    );
    expect(() => conv2d(r(1, 3, 5, 5), r(2, 3, 3, 3), seq([2]))).toThrow(
      "Input type (float) and bias type (double) should be the same",
    );
    expect(() => conv1d(r(5), r(4, 2, 3))).toThrow(
      "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [5]",
    );
    expect(() => conv1d(r(1, 3, 2), r(4, 3, 3))).toThrow(
      "Calculated padded input size per channel: (2). Kernel size: (3).",
    );
    expect(() => convTranspose2d(r(1, 3, 5, 5), r(4, 2, 3, 3))).toThrow(
      "Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 5, 5] to have 4 channels, but got 3 channels instead",
    );
    expect(() =>
      convTranspose2d(r(1, 3, 5, 5), r(3, 2, 3, 3), null, { stride: 2, outputPadding: 2 }),
    ).toThrow(
      "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1",
    );
    expect(() => convTranspose2d(r(1, 3, 5, 5), r(3, 2, 3, 3), null, { padding: 5 })).toThrow(
      "Given input size per channel: (5 x 5). Calculated output size per channel: (-3 x -3). Output size is too small",
    );
    expect(() => convTranspose2d(r(1, 3, 5, 5), r(3, 2, 3, 3), r(3))).toThrow(
      "Given transposed=1, weight of size [3, 2, 3, 3], expected bias to be 1-dimensional with 2 elements, but got bias of size [3] instead",
    );
  });
});

describe("pooling and resampling options", () => {
  it("follows PyTorch's ceil_mode output sizes and divisors", () => {
    const x = arange(0, 25, 1, "float64").reshape([1, 1, 5, 5]);
    // Values printed by PyTorch for F.avg_pool2d(arange(25).view(1,1,5,5), 2, ceil_mode=True).
    expect(avgPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([
      3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24,
    ]);
    expect(maxPool2d(x, 2, { ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    expect(maxPool2d(x, 2, { padding: 1, dilation: 3, ceilMode: true }).shape).toEqual([
      1, 1, 3, 3,
    ]);
    const long = fromArray(
      [
        -21, -18, -15, -12, -9, -6, -3, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45,
        48, 51,
      ],
      "int64",
    ).reshape([1, 1, 5, 5]);
    expect(avgPool2d(long, 2, { ceilMode: true }).toArray()).toEqual([
      -12, -6, -1, 18, 24, 28, 40, 46, 51,
    ]);
    expect(avgPool2d(x, 3, { stride: 2, padding: 1, divisorOverride: 2 }).toArray()[0]).toBe(
      (0 + 1 + 5 + 6) / 2,
    );
    expect(avgPool2d(x, 3, { stride: 2, padding: 1 }).toArray()[0]).toBe((0 + 1 + 5 + 6) / 9);
    expect(avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }).toArray()[0]).toBe(3);
  });

  it("returns PyTorch's max indices, NaN included", () => {
    const x = fromArray([
      1,
      Number.NaN,
      3,
      Number.NaN,
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
    ]).reshape([1, 1, 2, 4]);
    const [v, i] = maxPool2d(x, 2, { returnIndices: true });
    expect(v.toArray().every(Number.isNaN)).toBe(true);
    expect(i.dtype).toBe("int64");
    expect(i.toArray()).toEqual([1, 3]);
    const [m, j] = maxPool1d(fromArray([[3, 1, 4, 1, 5, 9, 2, 6]]), 3, { returnIndices: true });
    expect(m.toArray()).toEqual([4, 9]);
    expect(j.toArray()).toEqual([2, 5]);
    const [d, k] = maxPool2d(seq([1, 1, 2, 3]), 2, {
      stride: 2,
      padding: 1,
      dilation: 2,
      returnIndices: true,
    });
    expect(d.toArray()).toEqual([4, 4]);
    expect(k.toArray()).toEqual([4, 4]);
  });

  it("adapts pooling windows and keeps null sizes", () => {
    const x = seq([1, 1, 5, 5]);
    const y = adaptiveAvgPool2d(x, [2, null]);
    expect(y.shape).toEqual([1, 1, 2, 5]);
    // Rows 0..2 and 2..4 (PyTorch's floor/ceil windows overlap at row 2).
    expect(y.toArray().slice(0, 2)).toEqual([5, 6]);
    expect(adaptiveAvgPool2d(seq([3, 5, 5]), 7).shape).toEqual([3, 7, 7]);
    expect(adaptiveAvgPool2d(x, [0, 0]).shape).toEqual([1, 1, 0, 0]);
  });

  it("resamples with PyTorch's index rules", () => {
    const x = seq([1, 1, 1, 5]);
    // PyTorch: F.interpolate(arange(5.).view(1,1,1,5), size=(1,7)) and scale_factor=1.5.
    expect(interpolate(x, { size: [1, 7] }).toArray()).toEqual([0, 0, 1, 2, 2, 3, 4]);
    expect(interpolate(x, { scaleFactor: [1, 1.5] }).toArray()).toEqual([0, 0, 1, 2, 2, 3, 4]);
    expect(interpolate(x, { size: [1, 7], mode: "nearest-exact" }).toArray()).toEqual([
      0, 1, 1, 2, 3, 3, 4,
    ]);
    expect(
      interpolate(x, { size: [1, 3], mode: "bilinear", alignCorners: true }).toArray(),
    ).toEqual([0, 2, 4]);
    expect(interpolate(seq([1, 1, 4]), { size: 8, mode: "linear" }).toArray()).toEqual([
      0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3,
    ]);
    const inf = fromArray([1, Infinity, 3]).reshape([1, 1, 1, 3]);
    expect(Number.isNaN(interpolate(inf, { size: [1, 3], mode: "bilinear" }).toArray()[1]!)).toBe(
      true,
    );
    expect(interpolate(inf, { size: [1, 6] }).toArray()).toEqual([1, 1, Infinity, Infinity, 3, 3]);
  });

  it("raises PyTorch's errors", () => {
    const r = (...s: number[]) => seq(s, "float32");
    expect(() => maxPool2d(r(1, 3, 5, 5), 2, { padding: 2 })).toThrow(
      "pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
    );
    expect(() => maxPool2d(r(1, 3, 1, 1), 2)).toThrow(
      "Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small",
    );
    expect(() => maxPool2d(r(3, 5), 2)).toThrow(
      "non-empty 3D or 4D (batch mode) tensor expected for input",
    );
    expect(() => maxPool2d(r(1, 3, 5, 5), 0)).toThrow("stride should not be zero");
    expect(() => maxPool2d(r(1, 3, 5, 5), 0, { stride: 1 })).toThrow(
      "kernel size should be greater than zero, but got kH: 0 kW: 0",
    );
    expect(() => maxPool2d(r(1, 3, 5, 5), 2, { stride: -1 })).toThrow(
      "stride should be greater than zero, but got dH: -1 dW: -1",
    );
    expect(() => maxPool2d(r(1, 3, 5, 5), [2, 2, 2])).toThrow(
      "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
    );
    expect(() => maxPool2d(r(1, 0, 5, 5), 2)).toThrow(
      "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 0, 5, 5]",
    );
    expect(() => maxPool2d(fromArray([1, 2, 3, 4], "int64").reshape([1, 1, 2, 2]), 2)).toThrow(
      `"max_pool2d" not implemented for 'Long'`,
    );
    expect(() => avgPool2d(r(1, 3, 5, 5), 2, { divisorOverride: 0 })).toThrow(
      "divisor must be not zero",
    );
    expect(() => maxPool1d(r(3, 5), 2, { padding: 2 })).toThrow(
      "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2",
    );
    expect(maxPool1d(r(1, 3, 1), 2).shape).toEqual([1, 3, 0]);
    expect(() => adaptiveAvgPool2d(r(3, 5), 2)).toThrow(
      "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [3, 5]",
    );
    expect(() => adaptiveAvgPool2d(r(1, 3, 5, 5), [2, -1])).toThrow(
      "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {2, -1}",
    );
    expect(() => interpolate(r(1, 3, 5, 5), { size: [3, 3], alignCorners: true })).toThrow(
      "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
    );
    expect(() => interpolate(r(1, 3, 5, 5), { size: 3, scaleFactor: 2 })).toThrow(
      "only one of size or scale_factor should be defined",
    );
    expect(() => interpolate(r(1, 3, 5, 5), {})).toThrow(
      "either size or scale_factor should be defined",
    );
    expect(() => interpolate(r(1, 3, 5), { size: 3, mode: "bilinear" })).toThrow(
      "Got 3D input, but bilinear mode needs 4D input",
    );
    expect(() => interpolate(r(1, 3, 5, 5), { scaleFactor: 0.1 })).toThrow(
      "Input and output sizes should be greater than 0, but got input (H: 5, W: 5) output (H: 0, W: 0)",
    );
    expect(() => interpolate(seq([1, 1, 2, 2], "int64"), { scaleFactor: 2 })).toThrow(
      `"compute_indices_weights_nearest" not implemented for 'Long'`,
    );
  });
});
