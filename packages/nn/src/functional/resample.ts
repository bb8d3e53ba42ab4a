/**
 * Resizing and padding of `F`: `interpolate` (nearest, nearest-exact, linear, bilinear) and
 * `pad` (constant, reflect, replicate, circular), the differentiable ops of `@x/autograd`.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { ValueError } from "@x/storage";

/** Options of `F.interpolate` (give `size` or `scaleFactor`). */
export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  /** Default `"nearest"`. */
  mode?: "nearest" | "nearest-exact" | "linear" | "bilinear";
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

const UNSUPPORTED = new Set(["bicubic", "trilinear", "area"]);

/**
 * Resizes [N, C, L] or [N, C, H, W] inputs to `size` or by `scaleFactor`; the checks and
 * messages are PyTorch's.
 * @example F.interpolate(x.randn(1, 2, 3, 3), { scaleFactor: 2, mode: "nearest" }).shape // [1, 2, 6, 6]
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  const mode = opts.mode ?? "nearest";
  if (UNSUPPORTED.has(mode)) {
    throw new ValueError(`interpolate: mode "${mode}" is not supported yet`);
  }
  return A.interpolate(input, { ...opts, mode });
}

/** Padding modes of `F.pad`. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/**
 * Pads the last dims: `pad` lists (left, right) for the last dim, then the dim before, …;
 * negative values crop. `value` fills in constant mode.
 * @example F.pad(x.ones(1, 2), [1, 1], { value: 0.5 }) // tensor([[0.5, 1, 1, 0.5]])
 */
export function pad(
  input: Tensor,
  padding: readonly number[],
  opts: { mode?: PadMode; value?: number | null } | PadMode = {},
  value?: number,
): Tensor {
  const o = typeof opts === "string" ? { mode: opts, value } : opts;
  const mode = o.mode ?? "constant";
  return A.pad(input, padding, { mode, value: o.value ?? 0 });
}
