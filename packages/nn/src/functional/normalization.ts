/**
 * Normalizations of `F`, composed of autograd ops: `batchNorm` (batch statistics in training,
 * with PyTorch's in-place running-statistics update; running statistics in evaluation),
 * `layerNorm`, `groupNorm`, `instanceNorm` and `normalize`.
 */
import { noGrad, type Tensor } from "@x/autograd";
import { binary, RuntimeError, ValueError } from "@x/storage";
import { sizeStr } from "./utils.js";

/** Options of `F.batchNorm`. */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with the batch's statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  eps?: number;
}

// [1, C, 1, …] for a per-channel vector against an [N, C, …] input.
function channelView(v: Tensor, ndim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[1] = v.numel();
  return v.reshape(shape);
}

function affine(
  x: Tensor,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
  ndim: number,
): Tensor {
  let out = x;
  if (weight) out = out.mul(channelView(weight, ndim));
  if (bias) out = out.add(channelView(bias, ndim));
  return out;
}

/**
 * Batch normalization over dim 1 of [N, C, …]: in training, normalizes with the batch's mean and
 * biased variance and updates `runningMean`/`runningVar` in place (the variance unbiased) with
 * `momentum`; otherwise normalizes with the running statistics.
 * @example F.batchNorm(x.randn(4, 3), runningMean, runningVar, { training: true })
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (input.ndim < 2) {
    throw new ValueError(`expected 2D or more input (got ${input.ndim}D input)`);
  }
  const c = input.shape[1]!;
  const n = input.numel() / c;
  for (const [name, t] of [
    ["running_mean", runningMean],
    ["running_var", runningVar],
    ["weight", opts.weight],
    ["bias", opts.bias],
  ] as const) {
    if (t && t.numel() !== c) {
      throw new RuntimeError(`${name} should contain ${c} elements not ${t.numel()}`);
    }
  }
  const nd = input.ndim;
  const dims = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2)];
  if (training || runningMean === null || runningVar === null) {
    if (training && n === 1) {
      throw new ValueError(
        `Expected more than 1 value per channel when training, got input size ${sizeStr(input.shape)}`,
      );
    }
    const mean = input.mean(dims, { keepdim: true });
    const variance = input.var(dims, { correction: 0, keepdim: true });
    if (training) {
      noGrad(() => {
        if (runningMean) {
          const batchMean = mean.data.view([c]);
          runningMean.data.mul_(1 - momentum).add_(batchMean, momentum);
          batchMean.dispose();
        }
        if (runningVar) {
          const unbiased = binary("mul", variance.data, n / Math.max(n - 1, 1));
          const flat = unbiased.view([c]);
          runningVar.data.mul_(1 - momentum).add_(flat, momentum);
          flat.dispose();
          unbiased.dispose();
        }
      });
    }
    const xhat = input.sub(mean).mul(variance.add(eps).rsqrt());
    return affine(xhat, opts.weight, opts.bias, nd);
  }
  const xhat = input
    .sub(channelView(runningMean, nd))
    .mul(channelView(runningVar, nd).add(eps).rsqrt());
  return affine(xhat, opts.weight, opts.bias, nd);
}

/**
 * Layer normalization over the last `normalizedShape.length` dims, then `weight`/`bias`
 * elementwise.
 * @example F.layerNorm(x.randn(2, 3, 4), [4], weight, bias)
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: { eps?: number } = {},
): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
  const k = shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k === 0 || input.ndim < k || tail.some((s, i) => s !== shape[i])) {
    throw new RuntimeError(
      `Given normalized_shape=[${shape.join(", ")}], expected input with shape [*, ${shape.join(", ")}], but got input of size[${input.shape.join(", ")}]`,
    );
  }
  const dims = Array.from({ length: k }, (_, i) => input.ndim - k + i);
  const mean = input.mean(dims, { keepdim: true });
  const variance = input.var(dims, { correction: 0, keepdim: true });
  let out = input.sub(mean).mul(variance.add(opts.eps ?? 1e-5).rsqrt());
  if (weight) out = out.mul(weight);
  if (bias) out = out.add(bias);
  return out;
}

/**
 * Group normalization: channels (dim 1) split into `numGroups` groups, each normalized over its
 * channels and spatial positions, then per-channel `weight`/`bias`.
 * @example F.groupNorm(x.randn(2, 4, 3, 3), 2, weight, bias)
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: { eps?: number } = {},
): Tensor {
  if (input.ndim < 2)
    throw new RuntimeError(
      `Expected at least 2 dimensions for input tensor but received ${input.ndim}`,
    );
  const [n, c] = [input.shape[0]!, input.shape[1]!];
  if (c % numGroups !== 0) {
    throw new RuntimeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape [${input.shape.join(", ")}] and num_groups=${numGroups}`,
    );
  }
  const grouped = input.reshape([n, numGroups, -1]);
  const mean = grouped.mean(2, { keepdim: true });
  const variance = grouped.var(2, { correction: 0, keepdim: true });
  const xhat = grouped
    .sub(mean)
    .mul(variance.add(opts.eps ?? 1e-5).rsqrt())
    .reshape(input.shape.slice());
  return affine(xhat, weight, bias, input.ndim);
}

/** Options of `F.instanceNorm`. */
export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with each instance's statistics (default true); else with the running ones. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalization: each (sample, channel) plane normalized over its spatial positions.
 * @example F.instanceNorm(x.randn(2, 3, 4, 4))
 */
export function instanceNorm(input: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const eps = opts.eps ?? 1e-5;
  const nd = input.ndim;
  if (!(opts.useInputStats ?? true) && opts.runningMean && opts.runningVar) {
    const xhat = input
      .sub(channelView(opts.runningMean, nd))
      .mul(channelView(opts.runningVar, nd).add(eps).rsqrt());
    return affine(xhat, opts.weight, opts.bias, nd);
  }
  const dims = Array.from({ length: nd - 2 }, (_, i) => i + 2);
  const mean = input.mean(dims, { keepdim: true });
  const variance = input.var(dims, { correction: 0, keepdim: true });
  const m = opts.momentum ?? 0.1;
  const count = dims.reduce((p, d) => p * input.shape[d]!, 1);
  noGrad(() => {
    const c = input.shape[1]!;
    if (opts.runningMean) {
      const batchMean = mean.mean(0).reshape([c]);
      opts.runningMean.data.mul_(1 - m).add_(batchMean.data, m);
    }
    if (opts.runningVar) {
      const batchVar = variance
        .mean(0)
        .reshape([c])
        .mul(count / Math.max(count - 1, 1));
      opts.runningVar.data.mul_(1 - m).add_(batchVar.data, m);
    }
  });
  const xhat = input.sub(mean).mul(variance.add(eps).rsqrt());
  return affine(xhat, opts.weight, opts.bias, nd);
}

/**
 * `input / max(‖input‖_p, eps)` along `dim` (default p = 2, dim = 1, eps = 1e-12).
 * @example F.normalize(x.randn(3, 4), { dim: 1 })
 */
export function normalize(
  input: Tensor,
  opts: { p?: number; dim?: number; eps?: number } = {},
): Tensor {
  const denom = input
    .norm(opts.p ?? 2, opts.dim ?? 1, { keepdim: true })
    .clampMin(opts.eps ?? 1e-12)
    .expandAs(input);
  return input.div(denom);
}
