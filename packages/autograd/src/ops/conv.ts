/**
 * Convolution (`conv1d`, `conv2d`, `convTranspose2d`), pooling (`maxPool1d`, `maxPool2d`,
 * `avgPool2d`, `adaptiveAvgPool2d`) and resampling (`interpolate`) on tensors, with their
 * backward helpers as differentiable ops of their own (so second derivatives work).
 */

import type {
  AvgPoolOptions,
  ConvOptions,
  ConvTransposeOptions,
  IntArg,
  InterpolateOptions,
  MaxPoolOptions,
} from "@x/storage";
import * as S from "@x/storage";
import { record, record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

type Shape = readonly number[];

function convNd(
  nd: 1 | 2,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  opts: ConvOptions,
): Tensor {
  const f = nd === 1 ? S.conv1d : S.conv2d;
  const out = f(input.data, weight.data, bias?.data ?? null, opts);
  return record1(
    "conv",
    { input, weight, bias, opts, nd, inputShape: input.shape, weightShape: weight.shape },
    out,
  );
}

/**
 * 2-d convolution (`F.conv2d`): `input` [N, C, H, W] (or [C, H, W]), `weight` [O, C/groups, kH, kW].
 * @example conv2d(ones(1, 3, 8, 8), ones(4, 3, 3, 3), null, { padding: 1 }).shape // [1, 4, 8, 8]
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return convNd(2, input, weight, bias, opts);
}

/** 1-d convolution (`F.conv1d`): `input` [N, C, L] (or [C, L]), `weight` [O, C/groups, k]. */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return convNd(1, input, weight, bias, opts);
}

/** @internal The convolution of `input` by `weight` (1-d or 2-d by the weight's rank), no bias. */
export function convRaw(input: Tensor, weight: Tensor, opts: ConvOptions): Tensor {
  return convNd(weight.ndim === 3 ? 1 : 2, input, weight, null, opts);
}

/** The gradient of a convolution w.r.t. its input (differentiable). */
export function convBackwardInput(
  gradOutput: Tensor,
  weight: Tensor,
  inputShape: Shape,
  weightShape: Shape,
  opts: ConvOptions,
): Tensor {
  return record1(
    "convBackwardInput",
    { gradOutput, weight, inputShape, weightShape, opts },
    S.conv2dBackwardInput(gradOutput.data, weight.data, inputShape, opts),
  );
}

/** The gradient of a convolution w.r.t. its weight (differentiable). */
export function convBackwardWeight(
  input: Tensor,
  gradOutput: Tensor,
  inputShape: Shape,
  weightShape: Shape,
  opts: ConvOptions,
): Tensor {
  return record1(
    "convBackwardWeight",
    { input, gradOutput, inputShape, weightShape, opts },
    S.conv2dBackwardWeight(input.data, gradOutput.data, weightShape, opts),
  );
}

/**
 * Transposed 2-d convolution (`F.conv_transpose2d`): `weight` [Cin, Cout/groups, kH, kW].
 * @example convTranspose2d(ones(1, 2, 4, 4), ones(2, 3, 3, 3), null, { stride: 2 }).shape // [1, 3, 9, 9]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvTransposeOptions = {},
): Tensor {
  const out = S.convTranspose2d(input.data, weight.data, bias?.data ?? null, opts);
  return record1("convTranspose2d", { input, weight, bias, opts, weightShape: weight.shape }, out);
}

function maxPool(
  nd: 1 | 2,
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions,
): Tensor | [Tensor, Tensor] {
  const f = nd === 1 ? S.maxPool1d : S.maxPool2d;
  const [v, i] = f(self.data, kernelSize, { ...opts, returnIndices: true });
  const [tv, ti] = record("maxPool", { self, kernelSize, opts, nd, inputShape: self.shape }, [
    v,
    i,
  ]);
  return opts.returnIndices ? [tv!, ti!] : tv!;
}

/**
 * 2-d max pooling (`F.max_pool2d`); with `returnIndices`, `[values, indices]`.
 * @example maxPool2d(ones(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool2d(self: Tensor, kernelSize: IntArg, opts?: MaxPoolOptions): Tensor;
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  return maxPool(2, self, kernelSize, opts);
}

/** 1-d max pooling (`F.max_pool1d`); with `returnIndices`, `[values, indices]`. */
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool1d(self: Tensor, kernelSize: IntArg, opts?: MaxPoolOptions): Tensor;
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  return maxPool(1, self, kernelSize, opts);
}

/** The gradient of max pooling w.r.t. its input (differentiable). */
export function maxPoolBackward(
  gradOutput: Tensor,
  indices: Tensor,
  inputShape: Shape,
  nd: 1 | 2,
): Tensor {
  const f = nd === 1 ? S.maxPool1dBackward : S.maxPool2dBackward;
  return record1(
    "maxPoolBackward",
    { gradOutput, indices, inputShape, nd },
    f(gradOutput.data, indices.data, inputShape),
  );
}

/** 2-d average pooling (`F.avg_pool2d`). @example avgPool2d(ones(1, 1, 4, 4), 2).shape // [1, 1, 2, 2] */
export function avgPool2d(self: Tensor, kernelSize: IntArg, opts: AvgPoolOptions = {}): Tensor {
  return record1(
    "avgPool2d",
    { self, kernelSize, opts, inputShape: self.shape },
    S.avgPool2d(self.data, kernelSize, opts),
  );
}

/** The gradient of `avgPool2d` w.r.t. its input (differentiable). */
export function avgPool2dBackward(
  gradOutput: Tensor,
  inputShape: Shape,
  kernelSize: IntArg,
  opts: AvgPoolOptions,
): Tensor {
  return record1(
    "avgPool2dBackward",
    { gradOutput, inputShape, kernelSize, opts },
    S.avgPool2dBackward(gradOutput.data, inputShape, kernelSize, opts),
  );
}

/** Adaptive average pooling to `outputSize` (`F.adaptive_avg_pool2d`). */
export function adaptiveAvgPool2d(
  self: Tensor,
  outputSize: number | readonly (number | null)[],
): Tensor {
  return record1(
    "adaptiveAvgPool2d",
    { self, outputSize, inputShape: self.shape },
    S.adaptiveAvgPool2d(self.data, outputSize),
  );
}

/** The gradient of `adaptiveAvgPool2d` w.r.t. its input (differentiable). */
export function adaptiveAvgPool2dBackward(
  gradOutput: Tensor,
  inputShape: Shape,
  outputSize: number | readonly (number | null)[],
): Tensor {
  return record1(
    "adaptiveAvgPool2dBackward",
    { gradOutput, inputShape, outputSize },
    S.adaptiveAvgPool2dBackward(gradOutput.data, inputShape),
  );
}

/**
 * Resampling (`F.interpolate`) to `size` or by `scaleFactor`: nearest, nearest-exact, linear,
 * bilinear.
 * @example interpolate(ones(1, 2, 3, 3), { scaleFactor: 2 }).shape // [1, 2, 6, 6]
 */
export function interpolate(self: Tensor, opts: InterpolateOptions): Tensor {
  return record1(
    "interpolate",
    { self, opts, inputShape: self.shape },
    S.interpolate(self.data, opts),
  );
}

/** The gradient of `interpolate` w.r.t. its input (differentiable). */
export function interpolateBackward(
  gradOutput: Tensor,
  inputShape: Shape,
  opts: InterpolateOptions,
): Tensor {
  return record1(
    "interpolateBackward",
    { gradOutput, inputShape, opts },
    S.interpolateBackward(gradOutput.data, inputShape, opts),
  );
}
