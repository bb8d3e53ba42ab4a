/**
 * Regression and margin losses of `F`: `mseLoss`, `l1Loss`, `smoothL1Loss`, `huberLoss`,
 * `marginRankingLoss`, `cosineEmbeddingLoss`, `hingeEmbeddingLoss`, `softMarginLoss`,
 * `tripletMarginLoss`, `poissonNllLoss`, composed of autograd ops as PyTorch composes them.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { RuntimeError } from "@x/storage";
import { pairwiseDistance } from "./distance.js";
import { applyReduction, type Reduction, sameSize, sizeStr, warnIfBroadcast } from "./utils.js";

/** `{ reduction }`: `"mean"` (default), `"sum"` or `"none"`. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error. @example F.mseLoss(pred, target, { reduction: "sum" }) */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  warnIfBroadcast(input, target);
  return applyReduction(input.sub(target).square(), opts.reduction);
}

/** Mean absolute error. @example F.l1Loss(pred, target) */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  warnIfBroadcast(input, target);
  return applyReduction(input.sub(target).abs(), opts.reduction);
}

/**
 * `0.5·d²/beta` where `|d| < beta`, else `|d| - 0.5·beta` (default beta = 1).
 * @example F.smoothL1Loss(pred, target, { beta: 0.5 })
 */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { beta?: number } = {},
): Tensor {
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return l1Loss(input, target, opts);
  warnIfBroadcast(input, target);
  const d = input.sub(target).abs();
  const loss = A.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta));
  return applyReduction(loss, opts.reduction);
}

/**
 * `0.5·d²` where `|d| < delta`, else `delta·(|d| - 0.5·delta)` (default delta = 1).
 * @example F.huberLoss(pred, target, { delta: 1 })
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { delta?: number } = {},
): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0))
    throw new RuntimeError("huber_loss does not support non-positive values for delta.");
  warnIfBroadcast(input, target);
  const d = input.sub(target).abs();
  const loss = A.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta));
  return applyReduction(loss, opts.reduction);
}

/**
 * `max(0, -y·(x1 - x2) + margin)` for targets `y` of ±1.
 * @example F.marginRankingLoss(x1, x2, y, { margin: 0.1 })
 */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  opts: ReductionOptions & { margin?: number } = {},
): Tensor {
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new RuntimeError(
      `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${sizeStr(input1.shape)}, input2: ${sizeStr(input2.shape)}, target: ${sizeStr(target.shape)} `,
    );
  }
  const loss = target
    .neg()
    .mul(input1.sub(input2))
    .add(opts.margin ?? 0)
    .clampMin(0);
  return applyReduction(loss, opts.reduction);
}

/**
 * `1 - cos(x1, x2)` for targets 1, `max(0, cos(x1, x2) - margin)` for targets -1.
 * @example F.cosineEmbeddingLoss(x1, x2, y)
 */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  opts: ReductionOptions & { margin?: number } = {},
): Tensor {
  const dim = target.ndim;
  if (dim > 1)
    throw new RuntimeError(`0D or 1D target tensor expected, multi-target not supported`);
  if (!sameSize(input1.shape, input2.shape)) {
    throw new RuntimeError(
      `the size of tensor a (${input1.shape[dim]}) must match the size of tensor b (${input2.shape[dim]})`,
    );
  }
  const eps = 1e-12;
  const prod = input1.mul(input2).sum(dim);
  const mag1 = input1.mul(input1).sum(dim).add(eps);
  const mag2 = input2.mul(input2).sum(dim).add(eps);
  const cos = prod.div(mag1.mul(mag2).sqrt());
  const zeros = A.zerosLike(cos);
  const pos = A.where(target.eq(1), cos.neg().add(1), zeros);
  const neg = A.where(target.eq(-1), cos.sub(opts.margin ?? 0).clampMin(0), zeros);
  return applyReduction(pos.add(neg), opts.reduction);
}

/**
 * `x` for targets 1, `max(0, margin - x)` for targets -1 (default margin 1).
 * @example F.hingeEmbeddingLoss(dist, y)
 */
export function hingeEmbeddingLoss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { margin?: number } = {},
): Tensor {
  const zeros = A.zerosLike(input);
  const marginClamp = input
    .neg()
    .add(opts.margin ?? 1)
    .clampMin(0);
  const loss = A.where(target.ne(1), marginClamp, zeros).add(A.where(target.ne(-1), input, zeros));
  return applyReduction(loss, opts.reduction);
}

/** `log(1 + exp(-y·x))`. @example F.softMarginLoss(x, y) */
export function softMarginLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return applyReduction(target.neg().mul(input).exp().add(1).log(), opts.reduction);
}

/** Options of `F.tripletMarginLoss`. */
export interface TripletMarginOptions extends ReductionOptions {
  margin?: number;
  p?: number;
  eps?: number;
  /** Use the smaller of d(anchor, negative) and d(positive, negative). */
  swap?: boolean;
}

/**
 * `max(0, margin + d(a, p) - d(a, n))` with pairwise p-norm distances.
 * @example F.tripletMarginLoss(anchor, positive, negative, { margin: 1 })
 */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  opts: TripletMarginOptions = {},
): Tensor {
  const d = { p: opts.p ?? 2, eps: opts.eps ?? 1e-6 };
  const dPos = pairwiseDistance(anchor, positive, d);
  let dNeg = pairwiseDistance(anchor, negative, d);
  if (opts.swap) dNeg = A.minimum(dNeg, pairwiseDistance(positive, negative, d));
  return applyReduction(
    dPos
      .sub(dNeg)
      .add(opts.margin ?? 1)
      .clampMin(0),
    opts.reduction,
  );
}

/** Options of `F.poissonNllLoss`. */
export interface PoissonNllOptions extends ReductionOptions {
  /** `input` is the log of the rate (default true). */
  logInput?: boolean;
  /** Add Stirling's approximation of `log(target!)`. */
  full?: boolean;
  eps?: number;
}

/**
 * Negative log likelihood of a Poisson distribution: `exp(x) - t·x` (log input).
 * @example F.poissonNllLoss(logRate, counts)
 */
export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  opts: PoissonNllOptions = {},
): Tensor {
  let loss =
    (opts.logInput ?? true)
      ? input.exp().sub(target.mul(input))
      : input.sub(target.mul(input.add(opts.eps ?? 1e-8).log()));
  if (opts.full) {
    const stirling = target
      .mul(target.log())
      .sub(target)
      .add(
        target
          .mul(2 * Math.PI)
          .log()
          .mul(0.5),
      );
    loss = loss.add(A.where(target.gt(1), stirling, A.zerosLike(stirling)));
  }
  return applyReduction(loss, opts.reduction);
}
