/**
 * Activation functions of `F` (`torch.nn.functional`): pointwise nonlinearities, `glu`, `prelu`
 * and the softmax family. Most are autograd primitives; the rest are compositions of them.
 * An optional scalar PyTorch takes positionally (`F.leaky_relu(x, 0.2)`) may be given either
 * positionally or in the options object.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { type DType, normalizeDim, RuntimeError } from "@x/storage";

/** `{ inplace }`: overwrite the input with the result (as PyTorch's `inplace=True`). */
export interface InplaceOptions {
  inplace?: boolean;
}

function scalarOr<O extends object>(
  v: number | O | undefined,
  key: keyof O,
  fallback: number,
): [number, O] {
  if (typeof v === "number") return [v, {} as O];
  const o = (v ?? {}) as O;
  const given = o[key];
  return [typeof given === "number" ? given : fallback, o];
}

// The result written back into `input` when `inplace` is asked for.
function maybeInplace(input: Tensor, out: Tensor, opts: InplaceOptions): Tensor {
  return opts.inplace ? input.copy_(out) : out;
}

/** `max(0, x)`. @example F.relu(x.tensor([-1, 2])) // tensor([0., 2.]) */
export function relu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return opts.inplace ? input.relu_() : input.relu();
}

/** In-place `relu`. @example F.relu_(t) */
export function relu_(input: Tensor): Tensor {
  return input.relu_();
}

/** `min(max(0, x), 6)`. @example F.relu6(x.tensor([-1, 7])) // tensor([0., 6.]) */
export function relu6(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.relu6(input), opts);
}

/** `x` for `x > 0`, else `negativeSlope·x` (default 0.01). @example F.leakyRelu(t, 0.2) */
export function leakyRelu(
  input: Tensor,
  negativeSlope?: number | ({ negativeSlope?: number } & InplaceOptions),
  opts: InplaceOptions = {},
): Tensor {
  const [slope, o] = scalarOr(negativeSlope, "negativeSlope", 0.01);
  return maybeInplace(input, A.leakyRelu(input, slope), { ...o, ...opts });
}

/** `x` for `x > 0`, else `alpha·(exp(x) - 1)`. @example F.elu(t, { alpha: 0.5 }) */
export function elu(
  input: Tensor,
  alpha?: number | ({ alpha?: number } & InplaceOptions),
  opts: InplaceOptions = {},
): Tensor {
  const [a, o] = scalarOr(alpha, "alpha", 1);
  return maybeInplace(input, A.elu(input, a), { ...o, ...opts });
}

/** `max(0, x) + min(0, alpha·(exp(x/alpha) - 1))`. @example F.celu(t) */
export function celu(
  input: Tensor,
  alpha?: number | ({ alpha?: number } & InplaceOptions),
  opts: InplaceOptions = {},
): Tensor {
  const [a, o] = scalarOr(alpha, "alpha", 1);
  return maybeInplace(input, A.celu(input, a), { ...o, ...opts });
}

/** Scaled ELU with PyTorch's constants. @example F.selu(t) */
export function selu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.selu(input), opts);
}

/** `x·Φ(x)` (`approximate: "tanh"` for the tanh form). @example F.gelu(t, { approximate: "tanh" }) */
export function gelu(input: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  return A.gelu(input, opts);
}

/** `x·σ(x)`. @example F.silu(t) */
export function silu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.silu(input), opts);
}

/** `x·tanh(softplus(x))`. @example F.mish(t) */
export function mish(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.mish(input), opts);
}

/** `relu6(x + 3) / 6`. @example F.hardsigmoid(t) */
export function hardsigmoid(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.hardsigmoid(input), opts);
}

/** `x·relu6(x + 3) / 6`. @example F.hardswish(t) */
export function hardswish(input: Tensor, opts: InplaceOptions = {}): Tensor {
  return maybeInplace(input, A.hardswish(input), opts);
}

/** Clamps to `[minVal, maxVal]` (default `[-1, 1]`). @example F.hardtanh(t, { minVal: -2, maxVal: 2 }) */
export function hardtanh(
  input: Tensor,
  opts: { minVal?: number; maxVal?: number } & InplaceOptions = {},
): Tensor {
  const minVal = opts.minVal ?? -1;
  const maxVal = opts.maxVal ?? 1;
  if (!(maxVal >= minVal))
    throw new RuntimeError("max_val must be greater than or equal to min_val");
  return maybeInplace(input, A.hardtanh(input, { minVal, maxVal }), opts);
}

/** `log(1 + exp(beta·x)) / beta`, linear above `threshold`. @example F.softplus(t, { beta: 2 }) */
export function softplus(input: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  return A.softplus(input, opts);
}

/** `log σ(x)`. @example F.logsigmoid(t) */
export function logsigmoid(input: Tensor): Tensor {
  return A.logSigmoid(input);
}

/** `x / (1 + |x|)`. @example F.softsign(t) */
export function softsign(input: Tensor): Tensor {
  return A.softsign(input);
}

/** `x - tanh(x)`. @example F.tanhshrink(t) */
export function tanhshrink(input: Tensor): Tensor {
  return A.tanhshrink(input);
}

/** `x` where `|x| > lambd`, else 0. @example F.hardshrink(t, 0.5) */
export function hardshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  return A.hardshrink(input, scalarOr(lambd, "lambd", 0.5)[0]);
}

/** `x ∓ lambd` where `|x| > lambd`, else 0. @example F.softshrink(t, 0.5) */
export function softshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  return A.softshrink(input, scalarOr(lambd, "lambd", 0.5)[0]);
}

/** `x` where `x > threshold`, else `value`. @example F.threshold(t, 0.1, 20) */
export function threshold(
  input: Tensor,
  thresholdValue: number,
  value: number,
  opts: InplaceOptions = {},
): Tensor {
  return maybeInplace(input, A.threshold(input, thresholdValue, value), opts);
}

/** The logistic function. @example F.sigmoid(t) */
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}

/** The hyperbolic tangent. @example F.tanh(t) */
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}

/**
 * `x` where `x >= 0`, else `weight·x`, with one learned slope per channel (dim 1) or one for all.
 * @example F.prelu(t, x.full([1], 0.25))
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const c = weight.numel();
  let w = weight;
  if (c !== 1) {
    if (input.ndim < 2 || input.shape[1] !== c) {
      throw new RuntimeError(
        `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${c} and channel size = ${input.ndim >= 2 ? input.shape[1] : 1}.`,
      );
    }
    w = weight.reshape([c, ...new Array<number>(input.ndim - 2).fill(1)]);
  }
  return A.where(input.gt(0), input, input.mul(w));
}

/**
 * Gated linear unit: splits `dim` in halves `a`, `b` and returns `a·σ(b)`.
 * @example F.glu(x.randn(2, 6), { dim: -1 }).shape // [2, 3]
 */
export function glu(input: Tensor, dim?: number | { dim?: number }): Tensor {
  const d = normalizeDim(typeof dim === "number" ? dim : (dim?.dim ?? -1), input.ndim);
  const n = input.shape[d]!;
  if (n % 2 !== 0) {
    throw new RuntimeError(`Halving dimension must be even, but dimension ${d} is size ${n}`);
  }
  const [a, b] = input.chunk(2, d) as [Tensor, Tensor];
  return a.mul(b.sigmoid());
}

/** Options of the softmax family: the dim (also positional) and a dtype to compute in. */
export interface SoftmaxOptions {
  dim?: number;
  dtype?: DType;
}

function softmaxArgs(
  dim: number | SoftmaxOptions | undefined,
  opts: SoftmaxOptions,
  name: string,
): [number, SoftmaxOptions] {
  const o = typeof dim === "object" ? { ...dim, ...opts } : opts;
  const d = typeof dim === "number" ? dim : o.dim;
  if (d === undefined) throw new RuntimeError(`${name}(): argument 'dim' must be given`);
  return [d, o.dtype !== undefined ? { dtype: o.dtype } : {}];
}

/** `exp(x) / Σ exp(x)` along `dim`. @example F.softmax(t, -1) */
export function softmax(
  input: Tensor,
  dim: number | SoftmaxOptions,
  opts: SoftmaxOptions = {},
): Tensor {
  const [d, o] = softmaxArgs(dim, opts, "softmax");
  return input.softmax(d, o);
}

/** `softmax(-x)`. @example F.softmin(t, 1) */
export function softmin(
  input: Tensor,
  dim: number | SoftmaxOptions,
  opts: SoftmaxOptions = {},
): Tensor {
  const [d, o] = softmaxArgs(dim, opts, "softmin");
  return input.neg().softmax(d, o);
}

/** `log softmax(x)`, computed stably. @example F.logSoftmax(t, 1) */
export function logSoftmax(
  input: Tensor,
  dim: number | SoftmaxOptions,
  opts: SoftmaxOptions = {},
): Tensor {
  const [d, o] = softmaxArgs(dim, opts, "log_softmax");
  return input.logSoftmax(d, o);
}
