/**
 * Pooling on tensors (`maxPool1d`, `maxPool2d`, `avgPool2d`, `adaptiveAvgPool2d`), with their
 * backward helpers as differentiable ops of their own (so second derivatives work). The graphs
 * are PyTorch's: 1-d max pooling is 2-d pooling of unit height between an unsqueeze and a
 * squeeze, and adaptive pooling to 1×1 is a mean.
 */

import type { AvgPoolOptions, IntArg, MaxPoolOptions } from "@x/storage";
import * as S from "@x/storage";
import { isGradEnabled } from "../gradMode.js";
import { record, record1 } from "../opNode.js";
import { Tensor } from "../tensor.js";
import { OWN } from "../tensorBase.js";

type Shape = readonly number[];

/** Options of `maxPool1d` / `maxPool2d` that ask for the indices too. */
export type MaxPoolWithIndicesOptions = MaxPoolOptions & { returnIndices: true };

// Tensors of 2-d max pooling's values and indices (computed from `self`'s data), recorded.
function maxPoolNode(self: Tensor, values: S.NDArray, indices: S.NDArray): [Tensor, Tensor] {
  const [v, i] = record("maxPool", { self, inputShape: self.shape }, [values, indices]);
  return [v!, i!];
}

/**
 * 2-d max pooling (`F.max_pool2d`) over [N, C, H, W] or [C, H, W]; with `returnIndices`,
 * `[values, indices]` (int64 flat positions `h * W + w` within each plane).
 * @example maxPool2d(ones(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolWithIndicesOptions,
): [Tensor, Tensor];
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): Tensor | [Tensor, Tensor];
export function maxPool2d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  const [v, i] = S.maxPool2d(self.data, kernelSize, { ...opts, returnIndices: true });
  const [values, indices] = maxPoolNode(self, v, i);
  if (opts.returnIndices) return [values, indices];
  // nobody sees the indices: only the graph's saved reference keeps them (freed by backward)
  indices.dispose();
  return values;
}

/**
 * 1-d max pooling (`F.max_pool1d`) over [N, C, L] or [C, L]; with `returnIndices`,
 * `[values, indices]`. When a gradient or the indices are needed it is 2-d pooling of unit
 * height, as PyTorch's `max_pool1d_with_indices` (checks and messages included).
 * @example maxPool1d(ones(2, 3, 8), 2).shape // [2, 3, 4]
 */
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolWithIndicesOptions,
): [Tensor, Tensor];
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): Tensor | [Tensor, Tensor];
export function maxPool1d(
  self: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  if (!opts.returnIndices && !(isGradEnabled() && self.requiresGrad)) {
    return new Tensor(
      S.maxPool1d(self.data, kernelSize, { ...opts, returnIndices: false }),
      {},
      OWN,
    );
  }
  const [v, i] = S.maxPool1d(self.data, kernelSize, { ...opts, returnIndices: true });
  const [v2, i2] = [v.unsqueeze(-2), i.unsqueeze(-2)];
  v.dispose();
  i.dispose();
  const [values, indices] = maxPoolNode(self.unsqueeze(-2), v2, i2);
  const out = values.squeeze(-2);
  return opts.returnIndices ? [out, indices.squeeze(-2)] : out;
}

/** The gradient of 2-d max pooling w.r.t. its input (differentiable). */
export function maxPoolBackward(gradOutput: Tensor, indices: Tensor, inputShape: Shape): Tensor {
  return record1(
    "maxPoolBackward",
    { gradOutput, indices, inputShape },
    S.maxPool2dBackward(gradOutput.data, indices.data, inputShape),
  );
}

/**
 * 2-d average pooling (`F.avg_pool2d`) over [N, C, H, W] or [C, H, W].
 * @example avgPool2d(ones(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
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

/** Whether adaptive pooling of `shape` to `outputSize` has a 1×1 output (`null` keeps a size). */
function toOneByOne(shape: Shape, outputSize: number | readonly (number | null)[]): boolean {
  if (typeof outputSize === "number") return outputSize === 1 && shape.length >= 2;
  if (outputSize.length !== 2 || shape.length <= 2) return false;
  return outputSize.every((v, i) => (v ?? shape[shape.length - 2 + i]) === 1);
}

/**
 * Adaptive average pooling (`F.adaptive_avg_pool2d`) of [N, C, H, W] or [C, H, W] to
 * `outputSize` (a size, or `[h, w]` with `null` to keep a size). To 1×1 it is the mean over
 * the last two dims, as in PyTorch (`MeanBackward1`).
 * @example adaptiveAvgPool2d(ones(2, 3, 7, 5), [3, 2]).shape // [2, 3, 3, 2]
 */
export function adaptiveAvgPool2d(
  self: Tensor,
  outputSize: number | readonly (number | null)[],
): Tensor {
  if (toOneByOne(self.shape, outputSize)) return self.mean([-1, -2], { keepdim: true });
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
