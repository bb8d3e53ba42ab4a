/**
 * Convolutions of `F`: `conv1d`, `conv2d`, `convTranspose1d`, `convTranspose2d`. Each is one
 * `autograd.Function` over the storage kernels (forward, and the input/weight gradients of the
 * storage layer's backward helpers); the gradients are first order only.
 */
import { autograd, type FunctionCtx, type Tensor } from "@x/autograd";
import * as S from "@x/storage";
import { wrap } from "./utils.js";

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

// Sum of the output gradient over every dim but the channel dim: the bias gradient.
function biasGrad(grad: Tensor, batched: boolean): Tensor {
  const dims: number[] = [];
  for (let d = 0; d < grad.ndim; d++) if (d !== (batched ? 1 : 0)) dims.push(d);
  return grad.sum(dims);
}

class Convolution extends autograd.Function {
  static override forward(
    ctx: FunctionCtx,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | null,
    opts: S.ConvOptions,
  ): Tensor {
    ctx.saveForBackward(input, weight);
    ctx.opts = opts;
    const f = weight.ndim === 3 ? S.conv1d : S.conv2d;
    return wrap(f(input.data, weight.data, bias?.data ?? null, opts));
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
    const opts = ctx.opts as S.ConvOptions;
    const [needX, needW, needB] = ctx.needsInputGrad;
    const g = grad.data;
    return [
      needX ? wrap(S.conv2dBackwardInput(g, weight.data, input.shape, opts)) : null,
      needW ? wrap(S.conv2dBackwardWeight(input.data, g, weight.shape, opts)) : null,
      needB ? biasGrad(grad, input.ndim === weight.ndim) : null,
      null,
    ];
  }
}

class ConvTranspose extends autograd.Function {
  static override forward(
    ctx: FunctionCtx,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | null,
    opts: S.ConvTransposeOptions,
  ): Tensor {
    ctx.saveForBackward(input, weight);
    ctx.opts = opts;
    return wrap(S.convTranspose2d(input.data, weight.data, bias?.data ?? null, opts));
  }

  static override backward(ctx: FunctionCtx, grad: Tensor): (Tensor | null)[] {
    const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
    const opts = ctx.opts as S.ConvTransposeOptions;
    const [needX, needW, needB] = ctx.needsInputGrad;
    const g = grad.data;
    return [
      needX ? wrap(S.convTranspose2dBackwardInput(g, weight.data, input.shape, opts)) : null,
      needW ? wrap(S.convTranspose2dBackwardWeight(input.data, g, weight.shape, opts)) : null,
      needB ? biasGrad(grad, input.ndim === 4) : null,
      null,
    ];
  }
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
  return Convolution.apply(input, weight, bias ?? null, opts);
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
  if (weight.ndim !== 3) {
    throw new S.RuntimeError(
      `Expected 3-dimensional weight for 3-dimensional input, but got ${weight.ndim}-dimensional weight of size [${weight.shape.join(", ")}] instead`,
    );
  }
  return Convolution.apply(input, weight, bias ?? null, opts);
}

/**
 * Transposed 2-d convolution (the gradient of `conv2d` w.r.t. its input): `input`
 * [N, Cin, H, W], `weight` [Cin, Cout/groups, kH, kW].
 * @example F.convTranspose2d(x.randn(1, 2, 4, 4), x.randn(2, 3, 3, 3), null, { stride: 2 }).shape // [1, 3, 9, 9]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return ConvTranspose.apply(input, weight, bias ?? null, opts);
}

function one(v: number | readonly number[] | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  return typeof v === "number" ? v : (v[0] ?? fallback);
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
  const at = input.ndim - 1;
  const out = ConvTranspose.apply(input.unsqueeze(at), weight.unsqueeze(2), bias ?? null, {
    stride: [1, one(opts.stride, 1)],
    padding: [0, one(opts.padding, 0)],
    outputPadding: [0, one(opts.outputPadding, 0)],
    dilation: [1, one(opts.dilation, 1)],
    groups: opts.groups ?? 1,
  });
  return out.squeeze(at);
}
