/**
 * Classification losses of `F`: `crossEntropy` (class indices or probabilities, `weight`,
 * `ignoreIndex`, `labelSmoothing`, spatial inputs), `nllLoss`, `binaryCrossEntropy`,
 * `binaryCrossEntropyWithLogits` (`posWeight`) and `klDiv`, composed of autograd ops as PyTorch
 * composes them.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { IndexError, isFloatingPoint, RuntimeError, ValueError } from "@x/storage";
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

// The class dim and the checks of PyTorch's nll_loss_nd.
function classDim(input: Tensor, target: Tensor): number {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim === 1) {
    if (target.ndim !== 0) {
      throw new RuntimeError(`0D or 1D target tensor expected, multi-target not supported`);
    }
    return 0;
  }
  if (input.shape[0] !== target.shape[0] || target.ndim !== input.ndim - 1) {
    if (target.ndim !== input.ndim - 1) {
      throw new RuntimeError(
        input.ndim === 2
          ? "1D target tensor expected, multi-target not supported"
          : `Expected target size ${sizeStr([input.shape[0]!, ...input.shape.slice(2)])}, got ${sizeStr(target.shape)}`,
      );
    }
    throw new ValueError(
      `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`,
    );
  }
  const spatialIn = input.shape.slice(2);
  const spatialT = target.shape.slice(1);
  if (!sameSize(spatialIn, spatialT)) {
    throw new RuntimeError(
      `Expected target size ${sizeStr([input.shape[0]!, ...spatialIn])}, got ${sizeStr(target.shape)}`,
    );
  }
  return 1;
}

/**
 * Per-target values of the loss: `[safeTarget, weightPerTarget, totalWeight]`, where ignored
 * targets point at class 0 with weight 0 (targets and class weights are not differentiated).
 */
function targetWeights(
  target: Tensor,
  nClasses: number,
  weight: Tensor | null | undefined,
  ignoreIndex: number,
  dtype: Tensor["dtype"],
): [Tensor, Tensor, number] {
  if (isFloatingPoint(target.dtype) || target.dtype === "bool") {
    throw new RuntimeError(
      `expected scalar type Long but found ${target.dtype === "bool" ? "Bool" : target.dtype === "float64" ? "Double" : "Float"}`,
    );
  }
  if (weight && weight.numel() !== nClasses) {
    throw new RuntimeError(
      `weight tensor should be defined either for all ${nClasses} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`,
    );
  }
  const t = target.data.toArray();
  const w = weight ? weight.data.toArray() : null;
  const safe = new Array<number>(t.length);
  const per = new Array<number>(t.length);
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === ignoreIndex) {
      safe[i] = 0;
      per[i] = 0;
      continue;
    }
    if (c < 0 || c >= nClasses) throw new IndexError(`Target ${c} is out of bounds.`);
    safe[i] = c;
    per[i] = w ? w[c]! : 1;
    total += per[i]!;
  }
  const shape = target.shape.slice();
  return [
    A.tensor(safe, { dtype: "int64" }).reshape(shape),
    A.tensor(per, { dtype }).reshape(shape),
    total,
  ];
}

/**
 * Negative log likelihood of log-probabilities `input` ([N, C], [C] or [N, C, d…]) at the class
 * indices `target`: `-weight[t]·input[t]`, averaged over the targets' total weight by default.
 * @example F.nllLoss(x.randn(5, 4).logSoftmax(1), x.tensor([1, 0, 3, 2, 1], { dtype: "int64" }))
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const dim = classDim(input, target);
  const [safe, per, total] = targetWeights(
    target,
    input.shape[dim]!,
    opts.weight,
    opts.ignoreIndex ?? -100,
    input.dtype,
  );
  const picked = input.gather(dim, safe.unsqueeze(dim)).squeeze(dim);
  const loss = picked.mul(per).neg();
  const reduction = opts.reduction ?? "mean";
  if (reduction === "mean") return loss.sum().div(total);
  return applyReduction(loss, reduction);
}

// [1, C, 1, …] (or [C]) for a per-class vector against the input.
function classView(v: Tensor, input: Tensor, dim: number): Tensor {
  const shape = new Array<number>(input.ndim).fill(1);
  shape[dim] = v.numel();
  return v.reshape(shape);
}

/**
 * Cross entropy of unnormalized logits `input` ([N, C], [C] or [N, C, d…]) against class
 * indices or class probabilities (a float `target` of the input's shape).
 * @example F.crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  const ls = opts.labelSmoothing ?? 0;
  if (ls < 0 || ls > 1) {
    throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  }
  const dim = input.ndim === 1 ? 0 : 1;
  const logp = input.logSoftmax(dim);
  const reduction = opts.reduction ?? "mean";
  const nClasses = input.shape[dim]!;
  if (isFloatingPoint(target.dtype) && sameSize(input.shape, target.shape)) {
    const t = ls > 0 ? target.mul(1 - ls).add(ls / nClasses) : target;
    let prod = logp.mul(t);
    if (opts.weight) prod = prod.mul(classView(opts.weight, input, dim));
    if (reduction === "mean") {
      return prod
        .sum()
        .neg()
        .div(input.numel() === 0 ? 0 : input.numel() / nClasses);
    }
    return applyReduction(prod.sum(dim).neg(), reduction);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const nll = nllLoss(logp, target, { weight: opts.weight ?? null, ignoreIndex, reduction });
  if (ls === 0) return nll;
  const total = targetWeights(target, nClasses, opts.weight, ignoreIndex, input.dtype)[2];
  const kept = target.ne(ignoreIndex);
  let smooth = opts.weight ? logp.mul(classView(opts.weight, input, dim)) : logp;
  smooth = smooth.sum(dim).neg().mul(kept.to(input.dtype));
  let ret: Tensor;
  if (reduction === "mean") {
    const denom = opts.weight ? total : kept.sum().item();
    ret = smooth.sum().div(denom);
  } else ret = applyReduction(smooth, reduction);
  return nll.mul(1 - ls).add(ret.mul(ls / nClasses));
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
