/**
 * Derivatives of the losses with kernels of their own. `nll_loss` is linear in its input: its
 * gradient is `nll_loss_backward`, itself linear in the upstream gradient, whose derivative is
 * `nll_loss` again (and 0 w.r.t. the input). Targets and class weights are not differentiable.
 * Node names are PyTorch 1.13's (the 2-d loss for inputs of 3 or more dims).
 */
import type { LossReduction } from "@x/storage";
import { nllLoss, nllLossBackward } from "../ops/loss.js";
import type { Tensor } from "../tensor.js";
import { zerosLike } from "./helpers.js";
import type { RuleTable } from "./rule.js";

interface NllArgs {
  self: Tensor;
  target: Tensor;
  weight: Tensor | null;
  reduction: LossReduction;
  ignoreIndex: number;
  /** The forward's total weight of the non-ignored targets (the mean's divisor). */
  totalWeight: number;
}

export interface LossOps {
  nllLoss: NllArgs;
  nllLossBackward: NllArgs & { gradOutput: Tensor };
}

const is2d = ({ self }: { self: Tensor }) => self.ndim >= 3;

export const lossRules: RuleTable<LossOps> = {
  // d nll = -w[t]·g (÷ total weight for the mean) at each target, 0 elsewhere
  nllLoss: {
    name: (a) => (is2d(a) ? "NllLoss2DBackward0" : "NllLossBackward0"),
    inputs: {
      self: {
        uses: ["self", "target", "weight"],
        grad: ({ grad, self, target, weight, reduction, ignoreIndex, totalWeight }) =>
          nllLossBackward(grad, self, target, weight, reduction, ignoreIndex, totalWeight),
      },
      target: "nondifferentiable",
      weight: "nondifferentiable",
    },
  },
  // linear in g: d/dg = nll_loss of the incoming gradient; constant in self
  nllLossBackward: {
    name: (a) => (is2d(a) ? "NllLoss2DBackwardBackward0" : "NllLossBackwardBackward0"),
    inputs: {
      gradOutput: {
        uses: ["target", "weight"],
        grad: ({ grad, target, weight, reduction, ignoreIndex }) =>
          nllLoss(grad, target, { weight, reduction, ignoreIndex }),
      },
      self: { uses: [], grad: ({ grad }) => zerosLike(grad) },
      target: "nondifferentiable",
      weight: "nondifferentiable",
    },
  },
};
