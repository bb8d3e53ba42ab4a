/**
 * Pooling of `F`: `maxPool1d`, `maxPool2d`, `avgPool1d`, `avgPool2d`, `adaptiveAvgPool1d`,
 * `adaptiveAvgPool2d`. Each primitive is one `autograd.Function` over
 * the storage kernels and their backward helpers (first-order gradients).
 */
import { autograd, type FunctionCtx, type Tensor } from "@x/autograd";
import * as S from "@x/storage";
import { wrap } from "./utils.js";

type IntArg = number | readonly number[];

/** Options of `F.maxPool1d` / `F.maxPool2d`. */
export interface MaxPoolOptions {
  /** Defaults to the kernel size. */
  stride?: IntArg | null;
  padding?: IntArg;
  dilation?: IntArg;
  ceilMode?: boolean;
}

/** Options of `F.avgPool1d` / `F.avgPool2d`. */
export interface AvgPoolOptions {
  /** Defaults to the kernel size. */
  stride?: IntArg | null;
  padding?: IntArg;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

class MaxPool extends autograd.Function {
  static override forward(
    ctx: FunctionCtx,
    input: Tensor,
    kernelSize: IntArg,
    opts: MaxPoolOptions,
    oneD: boolean,
  ): Tensor[] {
    const o = { ...opts, returnIndices: true as const };
    const [values, indices] = oneD
      ? S.maxPool1d(input.data, kernelSize, o)
      : S.maxPool2d(input.data, kernelSize, o);
    const idx = wrap(indices);
    ctx.saveForBackward(idx);
    ctx.inputShape = input.shape.slice();
    ctx.oneD = oneD;
    ctx.markNonDifferentiable(idx);
    return [wrap(values), idx];
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    const [idx] = ctx.savedTensors as [Tensor];
    const shape = ctx.inputShape as number[];
    const f = ctx.oneD ? S.maxPool1dBackward : S.maxPool2dBackward;
    return [wrap(f(grad.data, idx.data, shape)), null, null, null];
  }
}

class AvgPool extends autograd.Function {
  static override forward(
    ctx: FunctionCtx,
    input: Tensor,
    kernelSize: IntArg,
    opts: AvgPoolOptions,
  ): Tensor {
    ctx.inputShape = input.shape.slice();
    ctx.kernelSize = kernelSize;
    ctx.opts = opts;
    return wrap(S.avgPool2d(input.data, kernelSize, opts));
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    const shape = ctx.inputShape as number[];
    return [
      wrap(
        S.avgPool2dBackward(grad.data, shape, ctx.kernelSize as IntArg, ctx.opts as AvgPoolOptions),
      ),
      null,
      null,
    ];
  }
}

class AdaptiveAvgPool extends autograd.Function {
  static override forward(
    ctx: FunctionCtx,
    input: Tensor,
    outputSize: number | readonly (number | null)[],
  ): Tensor {
    ctx.inputShape = input.shape.slice();
    return wrap(S.adaptiveAvgPool2d(input.data, outputSize));
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    return [wrap(S.adaptiveAvgPool2dBackward(grad.data, ctx.inputShape as number[])), null];
  }
}

/**
 * 2-d max pooling over [N, C, H, W] (or [C, H, W]).
 * @example F.maxPool2d(x.randn(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function maxPool2d(input: Tensor, kernelSize: IntArg, opts: MaxPoolOptions = {}): Tensor {
  return MaxPool.apply(input, kernelSize, opts, false)[0]!;
}

/**
 * 2-d max pooling returning `[values, indices]` (PyTorch's `return_indices=True`); indices
 * are flat positions `h * W + w` within each plane.
 * @example const [v, i] = F.maxPool2dWithIndices(x.randn(1, 1, 4, 4), 2);
 */
export function maxPool2dWithIndices(
  input: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): [Tensor, Tensor] {
  const [v, i] = MaxPool.apply(input, kernelSize, opts, false);
  return [v!, i!];
}

/**
 * 1-d max pooling over [N, C, L] (or [C, L]).
 * @example F.maxPool1d(x.randn(2, 3, 8), 2).shape // [2, 3, 4]
 */
export function maxPool1d(input: Tensor, kernelSize: IntArg, opts: MaxPoolOptions = {}): Tensor {
  return MaxPool.apply(input, kernelSize, opts, true)[0]!;
}

/**
 * 2-d average pooling over [N, C, H, W] (or [C, H, W]).
 * @example F.avgPool2d(x.randn(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function avgPool2d(input: Tensor, kernelSize: IntArg, opts: AvgPoolOptions = {}): Tensor {
  return AvgPool.apply(input, kernelSize, opts);
}

function first(v: IntArg | null | undefined): number | null | undefined {
  if (v === null || v === undefined) return v;
  return typeof v === "number" ? v : v[0];
}

/**
 * 1-d average pooling over [N, C, L] (or [C, L]).
 * @example F.avgPool1d(x.randn(2, 3, 8), 2).shape // [2, 3, 4]
 */
export function avgPool1d(input: Tensor, kernelSize: IntArg, opts: AvgPoolOptions = {}): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new S.ShapeError(`avg_pool1d: Expected 2D or 3D input, but got ${input.ndim}D`);
  }
  const at = input.ndim - 1;
  const s = first(opts.stride);
  const out = AvgPool.apply(input.unsqueeze(at), [1, first(kernelSize)!], {
    ...opts,
    stride: s == null ? null : [1, s],
    padding: [0, first(opts.padding) ?? 0],
  });
  return out.squeeze(at);
}

/**
 * Adaptive average pooling to `outputSize` (a size, or `[h, w]` with `null` to keep a size).
 * @example F.adaptiveAvgPool2d(x.randn(2, 3, 7, 5), [3, 2]).shape // [2, 3, 3, 2]
 */
export function adaptiveAvgPool2d(
  input: Tensor,
  outputSize: number | readonly (number | null)[],
): Tensor {
  return AdaptiveAvgPool.apply(input, outputSize);
}

/**
 * Adaptive average pooling of [N, C, L] (or [C, L]) to `outputSize`.
 * @example F.adaptiveAvgPool1d(x.randn(2, 3, 8), 3).shape // [2, 3, 3]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  const at = input.ndim - 1;
  const size = typeof outputSize === "number" ? outputSize : outputSize[0]!;
  return AdaptiveAvgPool.apply(input.unsqueeze(at), [1, size]).squeeze(at);
}
