/**
 * Resizing and padding of `F`: `interpolate` (nearest, nearest-exact, linear, bilinear; one
 * `autograd.Function` over the storage kernels) and `pad` (constant, reflect, replicate,
 * circular; the autograd primitive).
 */
import * as A from "@x/autograd";
import { autograd, type FunctionCtx, type Tensor } from "@x/autograd";
import * as S from "@x/storage";
import { wrap } from "./utils.js";

/** Options of `F.interpolate` (give `size` or `scaleFactor`). */
export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  /** Default `"nearest"`. */
  mode?: "nearest" | "nearest-exact" | "linear" | "bilinear";
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

class Interpolate extends autograd.Function {
  static override forward(ctx: FunctionCtx, input: Tensor, opts: S.InterpolateOptions): Tensor {
    ctx.inputShape = input.shape.slice();
    ctx.opts = opts;
    return wrap(S.interpolate(input.data, opts));
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    const opts = ctx.opts as S.InterpolateOptions;
    return [wrap(S.interpolateBackward(grad.data, ctx.inputShape as number[], opts)), null];
  }
}

/**
 * Resizes [N, C, L] or [N, C, H, W] inputs to `size` or by `scaleFactor`.
 * @example F.interpolate(x.randn(1, 2, 3, 3), { scaleFactor: 2, mode: "nearest" }).shape // [1, 2, 6, 6]
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  const mode = opts.mode ?? "nearest";
  if (
    (mode as string) === "bicubic" ||
    (mode as string) === "trilinear" ||
    (mode as string) === "area"
  ) {
    throw new S.ValueError(`interpolate: mode "${mode}" is not supported yet`);
  }
  if (mode === "linear" && input.ndim !== 3) {
    throw new S.ValueError(`Got ${input.ndim}D input, but linear mode needs 3D input`);
  }
  if (mode === "bilinear" && input.ndim !== 4) {
    throw new S.ValueError(`Got ${input.ndim}D input, but bilinear mode needs 4D input`);
  }
  if ((opts.size == null) === (opts.scaleFactor == null)) {
    throw new S.ValueError(
      opts.size == null
        ? "either size or scale_factor should be defined"
        : "only one of size or scale_factor should be defined",
    );
  }
  return Interpolate.apply(input, { ...opts, mode });
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
