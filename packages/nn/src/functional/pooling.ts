/**
 * Pooling of `F`: `maxPool1d`, `maxPool2d`, `avgPool1d`, `avgPool2d`, `adaptiveAvgPool1d`,
 * `adaptiveAvgPool2d`. The 2-d ops and `maxPool1d` are the differentiable ops of
 * `@x/autograd`; the other 1-d ones are 2-d pooling of unit height, as PyTorch composes them.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { type AvgPoolOptions, type MaxPoolOptions, ShapeError, ValueError } from "@x/storage";

/** Options of `F.maxPool1d`/`F.maxPool2d` and `F.avgPool1d`/`F.avgPool2d`: storage's. */
export type { AvgPoolOptions, MaxPoolOptions };

type IntArg = number | readonly number[];

/**
 * 2-d max pooling over [N, C, H, W] (or [C, H, W]); with `returnIndices: true`,
 * `[values, indices]` (flat positions `h * W + w` within each plane).
 * @example F.maxPool2d(x.randn(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): Tensor | [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  return A.maxPool2d(input, kernelSize, opts);
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
  return A.maxPool2d(input, kernelSize, { ...opts, returnIndices: true });
}

/**
 * 1-d max pooling over [N, C, L] (or [C, L]); with `returnIndices: true`, `[values, indices]`.
 * @example F.maxPool1d(x.randn(2, 3, 8), 2).shape // [2, 3, 4]
 */
export function maxPool1d(
  input: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool1d(
  input: Tensor,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): Tensor | [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): Tensor | [Tensor, Tensor] {
  return A.maxPool1d(input, kernelSize, opts);
}

/**
 * 2-d average pooling over [N, C, H, W] (or [C, H, W]).
 * @example F.avgPool2d(x.randn(1, 1, 4, 4), 2).shape // [1, 1, 2, 2]
 */
export function avgPool2d(input: Tensor, kernelSize: IntArg, opts: AvgPoolOptions = {}): Tensor {
  return A.avgPool2d(input, kernelSize, opts);
}

// PyTorch's checks of the 1-d poolings it runs as 2-d ones: 2 or 3 dims, one-int sizes.
function check1dInput(input: Tensor, op: string): void {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(
      `Expected 2 to 3 dimensions, but got ${input.ndim}-dimensional tensor for argument #1 'self' (while checking arguments for ${op})`,
    );
  }
}

function oneInt(op: string, name: string, v: IntArg): number {
  if (typeof v === "number") return v;
  if (v.length !== 1) {
    throw new ValueError(`${op}() argument '${name}' should contain one int (got ${v.length})`);
  }
  return v[0]!;
}

/**
 * 1-d average pooling over [N, C, L] (or [C, L]).
 * @example F.avgPool1d(x.randn(2, 3, 8), 2).shape // [2, 3, 4]
 */
export function avgPool1d(input: Tensor, kernelSize: IntArg, opts: AvgPoolOptions = {}): Tensor {
  check1dInput(input, "avg_pool1d");
  const k = oneInt("avg_pool1d", "kernel_size", kernelSize);
  const s = opts.stride;
  // no stride (or an empty list) means the kernel size
  const stride =
    s == null || (typeof s !== "number" && s.length === 0) ? k : oneInt("avg_pool1d", "stride", s);
  const padding = oneInt("avg_pool1d", "padding", opts.padding ?? 0);
  const out = A.avgPool2d(input.unsqueeze(-2), [1, k], {
    ...opts,
    stride: [1, stride],
    padding: [0, padding],
  });
  return out.squeeze(-2);
}

/**
 * Adaptive average pooling to `outputSize` (a size, or `[h, w]` with `null` to keep a size).
 * @example F.adaptiveAvgPool2d(x.randn(2, 3, 7, 5), [3, 2]).shape // [2, 3, 3, 2]
 */
export function adaptiveAvgPool2d(
  input: Tensor,
  outputSize: number | readonly (number | null)[],
): Tensor {
  return A.adaptiveAvgPool2d(input, outputSize);
}

/**
 * Adaptive average pooling of [N, C, L] (or [C, L]) to `outputSize`.
 * @example F.adaptiveAvgPool1d(x.randn(2, 3, 8), 3).shape // [2, 3, 3]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  check1dInput(input, "adaptive_avg_pool1d");
  const size = oneInt("adaptive_avg_pool1d", "output_size", outputSize);
  return A.adaptiveAvgPool2d(input.unsqueeze(-2), [1, size]).squeeze(-2);
}
