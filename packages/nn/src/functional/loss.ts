/**
 * Classification losses of `F`: `crossEntropy` (class indices or probabilities, `weight`,
 * `ignoreIndex`, `labelSmoothing`, spatial inputs), `nllLoss`, `binaryCrossEntropy`,
 * `binaryCrossEntropyWithLogits` (`posWeight`) and `klDiv`, composed of autograd ops as PyTorch
 * composes them (`nllLoss` is one op, as PyTorch's).
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { isFloatingPoint, RuntimeError, TORCH_NAME, ValueError } from "@x/storage";
import { applyReduction, type Reduction, sameSize, sizeStr, warnOnce } from "./utils.js";

/** Options of `F.nllLoss`. */
export interface NllLossOptions {
  /** A weight per class. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Options of `F.crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: `(1 - s)·target + s / C`. */
  labelSmoothing?: number;
}

/** `reduction`, or PyTorch's error for an unknown one (raised before anything else). */
function checkReduction(reduction: string): Reduction {
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    throw new ValueError(`${reduction} is not a valid value for reduction`);
  }
  return reduction;
}

/**
 * PyTorch's `nll_loss_nd`: [C] and [N, C] inputs run `nll_loss`, [N, C, H, W] `nll_loss2d`, and
 * other ranks `nll_loss2d` on [N, C, 1, d1·d2·…] (the output of `"none"` viewed back).
 */
function nllLossNd(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
): Tensor {
  const nd = input.ndim;
  if (nd < 1) throw new ValueError(`Expected 1 or more dimensions (got ${nd})`);
  if (nd !== 1 && input.shape[0] !== (target.shape[0] ?? 0)) {
    throw new ValueError(
      `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`,
    );
  }
  const opts = { weight, reduction, ignoreIndex };
  if (nd <= 2 || nd === 4) return A.nllLoss(input, target, opts);
  const n = input.shape[0]!;
  const c = input.shape[1]!;
  const spatial = input.shape.slice(2);
  if (!sameSize(target.shape.slice(1), spatial)) {
    throw new RuntimeError(
      `Expected target size [${[n, ...spatial].join(", ")}], got [${target.shape.join(", ")}]`,
    );
  }
  const x = input.contiguous();
  const t = target.contiguous();
  const out = A.nllLoss(
    x.numel() > 0 ? x.view(n, c, 1, -1) : x.view(n, c, 0, 0),
    t.numel() > 0 ? t.view(n, 1, -1) : t.view(n, 0, 0),
    opts,
  );
  return reduction === "none" ? out.view(n, ...spatial) : out;
}

/**
 * Negative log likelihood of log-probabilities `input` ([N, C], [C] or [N, C, d…]) at the class
 * indices `target` (int64): `-weight[t]·input[t]`, averaged over the targets' total weight by
 * default (NaN when every target is ignored, as PyTorch). One node, PyTorch's
 * `NllLossBackward0` (`NllLoss2DBackward0` for spatial inputs).
 * @example F.nllLoss(x.randn(5, 4).logSoftmax(1), x.tensor([1, 0, 3, 2, 1], { dtype: "int64" }))
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  return nllLossNd(input, target, opts.weight ?? null, reduction, opts.ignoreIndex ?? -100);
}

// [1, C, 1, …] (or [C]) for a per-class vector against the input.
function classView(v: Tensor, input: Tensor, dim: number): Tensor {
  const shape = new Array<number>(input.ndim).fill(1);
  shape[dim] = v.numel();
  return v.reshape(shape);
}

/** The total weight of the targets that are not `ignoreIndex` (their count without weights). */
function keptWeight(target: Tensor, weight: Tensor | null, ignoreIndex: number): number {
  const t = target.data.toArray();
  const w = weight ? weight.data.toArray() : null;
  let total = 0;
  for (const c of t) if (c !== ignoreIndex) total += w ? w[c]! : 1;
  return total;
}

/**
 * Cross entropy of unnormalized logits `input` ([N, C], [C] or [N, C, d…]) against class
 * indices or class probabilities (a float `target` of the input's shape). Class indices give
 * PyTorch's graph: `nllLoss` of `logSoftmax` (label smoothing adds the smoothing term to it).
 * @example F.crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const ls = opts.labelSmoothing ?? 0;
  const weight = opts.weight ?? null;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const dim = input.ndim === 1 ? 0 : 1;
  if (sameSize(input.shape, target.shape)) {
    return probTargetLoss(input, target, dim, weight, reduction, opts.ignoreIndex, ls);
  }
  if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  const logp = input.logSoftmax(dim);
  const nll = nllLossNd(logp, target, weight, reduction, ignoreIndex);
  if (!(ls > 0)) return nll;
  // PyTorch's cross_entropy_loss_label_smoothing: the mean of -Σ_c w_c·logp_c over the kept
  // targets (normalized by their total weight with class weights), mixed with the nll.
  const nClasses = input.shape[dim]!;
  const ignored = target.eq(ignoreIndex);
  const prod = weight ? logp.mul(classView(weight, input, dim)) : logp;
  const smooth = prod.sum(dim).neg().maskedFill(ignored, 0);
  let ret: Tensor;
  if (reduction === "mean") {
    const denom = weight
      ? keptWeight(target, weight, ignoreIndex)
      : target.numel() - (ignored.sum().item() as number);
    ret = smooth.sum().div(A.tensor(denom, { dtype: smooth.dtype }));
  } else ret = reduction === "sum" ? smooth.sum() : smooth;
  return nll.mul(1 - ls).add(ret.mul(ls / nClasses));
}

// PyTorch's cross_entropy_loss_prob_target: -Σ_c w_c·target_c·logp_c, the mean over all but
// the class dim.
function probTargetLoss(
  input: Tensor,
  target: Tensor,
  dim: number,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number | undefined,
  ls: number,
): Tensor {
  if (!isFloatingPoint(target.dtype)) {
    throw new RuntimeError(
      `Expected floating point type for target with class probabilities, got ${TORCH_NAME[target.dtype]}`,
    );
  }
  if (ignoreIndex !== undefined && ignoreIndex >= 0) {
    throw new RuntimeError("ignore_index is not supported for floating point target");
  }
  const nClasses = input.shape[dim] ?? 1;
  if (weight && (weight.ndim !== 1 || weight.numel() !== nClasses)) {
    throw new RuntimeError(
      `cross_entropy: weight tensor should be defined either for all ${nClasses} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`,
    );
  }
  const logp = input.logSoftmax(dim);
  if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  const t = ls > 0 ? target.mul(1 - ls).add(ls / nClasses) : target;
  let prod = logp.mul(t);
  if (weight) prod = prod.mul(classView(weight, input, dim));
  if (reduction === "mean") {
    return prod
      .sum()
      .neg()
      .div(input.numel() === 0 ? 0 : input.numel() / nClasses);
  }
  return applyReduction(prod.sum(dim).neg(), reduction);
}

/** Options of `F.binaryCrossEntropy`. */
export interface BceOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Binary cross entropy of probabilities `input` against `target` (same shape); each log is
 * clamped to ≥ -100, as PyTorch.
 * @example F.binaryCrossEntropy(x.rand(3), x.tensor([0, 1, 1]))
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  if (!sameSize(input.shape, target.shape)) {
    throw new ValueError(
      `Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  const v = input.data.toArray();
  if (v.some((e) => !(e >= 0 && e <= 1))) {
    throw new RuntimeError("all elements of input should be between 0 and 1");
  }
  const logX = input.log().clampMin(-100);
  const log1mX = input.neg().add(1).log().clampMin(-100);
  let loss = target.mul(logX).add(target.neg().add(1).mul(log1mX)).neg();
  if (opts.weight) loss = loss.mul(opts.weight);
  return applyReduction(loss, opts.reduction ?? "mean");
}

/** Options of `F.binaryCrossEntropyWithLogits`. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive examples, one per class (broadcast against the last dim). */
  posWeight?: Tensor | null;
}

/**
 * `binaryCrossEntropy(sigmoid(input), target)` computed stably from logits.
 * @example F.binaryCrossEntropyWithLogits(logits, targets, { posWeight })
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: BceWithLogitsOptions = {},
): Tensor {
  if (!sameSize(input.shape, target.shape)) {
    throw new ValueError(
      `Target size (${sizeStr(target.shape)}) must be the same as input size (${sizeStr(input.shape)})`,
    );
  }
  // max(-x, 0) + log(exp(-max) + exp(-x - max)) = log(1 + exp(-x)), computed stably.
  const maxVal = input.neg().clampMin(0);
  const logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
  const linear = target.neg().add(1).mul(input);
  let loss: Tensor;
  if (opts.posWeight) {
    const logWeight = opts.posWeight.sub(1).mul(target).add(1);
    loss = linear.add(logWeight.mul(logTerm));
  } else loss = linear.add(logTerm);
  if (opts.weight) loss = loss.mul(opts.weight);
  return applyReduction(loss, opts.reduction ?? "mean");
}

/** Options of `F.klDiv`. */
export interface KlDivOptions {
  /** `"batchmean"` divides the sum by the batch size (the KL divergence itself). */
  reduction?: Reduction | "batchmean";
  /** `target` holds log-probabilities. */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence `target·(log target - input)` of log-probabilities `input`.
 * @example F.klDiv(logq, p, { reduction: "batchmean" })
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  const reduction = opts.reduction ?? "mean";
  if (reduction === "mean") {
    warnOnce(
      "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const loss = opts.logTarget
    ? target.exp().mul(target.sub(input))
    : A.xlogy(target, target).sub(target.mul(input));
  if (reduction === "batchmean") {
    return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  }
  return applyReduction(loss, reduction);
}
