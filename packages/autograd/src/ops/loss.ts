/**
 * The negative log likelihood loss at class indices as one op (`nll_loss` / `nll_loss2d`), and
 * its gradient w.r.t. the input as a differentiable op of its own (linear in the upstream
 * gradient), so second derivatives work as in PyTorch.
 */
import type { LossReduction } from "@x/storage";
import * as S from "@x/storage";
import { isGradEnabled } from "../gradMode.js";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/** Options of `nllLoss`. */
export interface NllLossOpOptions {
  /** A weight per class (not differentiable). */
  weight?: Tensor | null;
  /** How the per-target losses are reduced (default `"mean"`). */
  reduction?: LossReduction;
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
}

/**
 * Negative log likelihood of log-probabilities `self` ([C], [N, C] or [N, C, d1, …]) at the
 * `int64` class indices `target` ([], [N] or [N, d1, …]), as `torch.nll_loss`: no reshaping,
 * one node (`NllLossBackward0`, `NllLoss2DBackward0` for inputs of 3 or more dims).
 * @example nllLoss(logp, tensor([1, 0], { dtype: "int64" }), { reduction: "sum" })
 */
export function nllLoss(self: Tensor, target: Tensor, opts: NllLossOpOptions = {}): Tensor {
  const weight = opts.weight ?? null;
  const reduction = opts.reduction ?? "mean";
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (weight?.requiresGrad && isGradEnabled()) {
    throw new S.RuntimeError(
      `The function '${self.ndim >= 3 ? "nll_loss2d_forward" : "nll_loss_forward"}' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.`,
    );
  }
  const { output, totalWeight } = S.nllLoss(
    self.data,
    target.data,
    weight === null ? null : weight.data,
    reduction,
    ignoreIndex,
  );
  return record1("nllLoss", { self, target, weight, reduction, ignoreIndex, totalWeight }, output);
}

/**
 * The gradient of `nllLoss` w.r.t. `self` from the gradient of its output (`totalWeight`: the
 * forward's total weight of the non-ignored targets). Differentiable w.r.t. `gradOutput`.
 */
export function nllLossBackward(
  gradOutput: Tensor,
  self: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: LossReduction,
  ignoreIndex: number,
  totalWeight: number,
): Tensor {
  return record1(
    "nllLossBackward",
    { gradOutput, self, target, weight, reduction, ignoreIndex, totalWeight },
    S.nllLossBackward(
      gradOutput.data,
      self.shape,
      target.data,
      weight === null ? null : weight.data,
      reduction,
      ignoreIndex,
      totalWeight,
    ),
  );
}
