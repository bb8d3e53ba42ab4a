/**
 * Convolutions of `F`: `conv1d`, `conv2d`, `convTranspose1d`, `convTranspose2d`, the
 * differentiable ops of `@x/autograd` (second derivatives included, PyTorch's node names).
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";

/** Options of `F.conv1d` / `F.conv2d` (PyTorch's keyword arguments). */
export interface ConvOptions {
  stride?: number | readonly number[];
  /** A size, one per spatial dim, `"valid"` (0) or `"same"` (output size = input size). */
  padding?: number | readonly number[] | "valid" | "same";
  dilation?: number | readonly number[];
  groups?: number;
}

/** Options of `F.convTranspose1d` / `F.convTranspose2d`. */
export interface ConvTransposeOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  outputPadding?: number | readonly number[];
  groups?: number;
  dilation?: number | readonly number[];
}

/**
 * 2-d convolution: `input` [N, C, H, W] (or [C, H, W]), `weight` [O, C/groups, kH, kW].
 * @example F.conv2d(x.randn(1, 3, 8, 8), x.randn(4, 3, 3, 3), null, { padding: 1 }).shape // [1, 4, 8, 8]
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvOptions = {},
): Tensor {
  return A.conv2d(input, weight, bias ?? null, opts);
}

/**
 * 1-d convolution: `input` [N, C, L] (or [C, L]), `weight` [O, C/groups, k].
 * @example F.conv1d(x.randn(2, 3, 9), x.randn(4, 3, 3), null, { stride: 2 }).shape // [2, 4, 4]
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvOptions = {},
): Tensor {
  return A.conv1d(input, weight, bias ?? null, opts);
}

/**
 * Transposed 2-d convolution (the gradient of `conv2d` w.r.t. its input): `input`
 * [N, Cin, H, W] (or [Cin, H, W]), `weight` [Cin, Cout/groups, kH, kW].
 * @example F.convTranspose2d(x.randn(1, 2, 4, 4), x.randn(2, 3, 3, 3), null, { stride: 2 }).shape // [1, 3, 9, 9]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return A.convTranspose2d(input, weight, bias ?? null, opts);
}

/**
 * Transposed 1-d convolution: `input` [N, Cin, L] (or [Cin, L]), `weight` [Cin, Cout/groups, k].
 * @example F.convTranspose1d(x.randn(1, 2, 4), x.randn(2, 3, 3), null, { stride: 2 }).shape // [1, 3, 9]
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return A.convTranspose1d(input, weight, bias ?? null, opts);
}
