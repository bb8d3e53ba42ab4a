/**
 * Loss layers over `F`'s losses: `L1Loss`, `MSELoss`, `CrossEntropyLoss`, `NLLLoss`, `BCELoss`,
 * `BCEWithLogitsLoss`, `SmoothL1Loss`, `HuberLoss`, `KLDivLoss`, `MarginRankingLoss`,
 * `CosineEmbeddingLoss`, `HingeEmbeddingLoss`, `SoftMarginLoss`, `TripletMarginLoss`,
 * `PoissonNLLLoss`. Class weights are buffers (`weight`, `pos_weight`), as in PyTorch.
 */
import type { Tensor } from "@x/autograd";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { pyFloat } from "./repr.js";

type Reduction = F.Reduction;

abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(opts: { reduction?: Reduction } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
  }
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
}

/** Mean absolute error. @example new nn.L1Loss()(pred, target) */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Mean squared error. @example new nn.MSELoss({ reduction: "sum" })(pred, target) */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Options of `CrossEntropyLoss` and `NLLLoss`. */
export interface ClassLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * Cross entropy of logits against class indices or probabilities.
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(logits, labels)
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: ClassLossOptions & { labelSmoothing?: number } = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood of log-probabilities. @example new nn.NLLLoss()(logp, labels) */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(opts: ClassLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/** Binary cross entropy of probabilities. @example new nn.BCELoss()(probs, targets) */
export class BCELoss extends WeightedLoss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits. @example new nn.BCEWithLogitsLoss({ posWeight })(logits, targets) */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;

  constructor(
    opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {},
  ) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("posWeight", opts.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}

/** Smooth L1 (quadratic below `beta`). @example new nn.SmoothL1Loss({ beta: 0.5 })(pred, target) */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss (quadratic below `delta`). @example new nn.HuberLoss({ delta: 1 })(pred, target) */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Kullback-Leibler divergence. @example new nn.KLDivLoss({ reduction: "batchmean" })(logq, p) */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;

  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    this.logTarget = opts.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

abstract class MarginLoss extends Loss {
  readonly margin: number;

  constructor(opts: { reduction?: Reduction; margin?: number }, fallback: number) {
    super(opts);
    this.margin = opts.margin ?? fallback;
  }
}

/** `max(0, -y·(x1 - x2) + margin)`. @example new nn.MarginRankingLoss({ margin: 0.1 })(x1, x2, y) */
export class MarginRankingLoss extends MarginLoss {
  constructor(opts: { reduction?: Reduction; margin?: number } = {}) {
    super(opts, 0);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, {
      margin: this.margin,
      reduction: this.reduction,
    });
  }
}

/** Cosine embedding loss. @example new nn.CosineEmbeddingLoss()(x1, x2, y) */
export class CosineEmbeddingLoss extends MarginLoss {
  constructor(opts: { reduction?: Reduction; margin?: number } = {}) {
    super(opts, 0);
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, {
      margin: this.margin,
      reduction: this.reduction,
    });
  }
}

/** Hinge embedding loss. @example new nn.HingeEmbeddingLoss()(dist, y) */
export class HingeEmbeddingLoss extends MarginLoss {
  constructor(opts: { reduction?: Reduction; margin?: number } = {}) {
    super(opts, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** `log(1 + exp(-y·x))`. @example new nn.SoftMarginLoss()(x, y) */
export class SoftMarginLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Triplet margin loss. @example new nn.TripletMarginLoss({ margin: 1 })(a, p, n) */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;

  constructor(opts: F.TripletMarginOptions = {}) {
    super(opts);
    this.margin = opts.margin ?? 1;
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.swap = opts.swap ?? false;
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin,
      p: this.p,
      eps: this.eps,
      swap: this.swap,
      reduction: this.reduction,
    });
  }

  override extraRepr(): string {
    return `margin=${pyFloat(this.margin)}`;
  }
}

/** Poisson negative log likelihood. @example new nn.PoissonNLLLoss()(logRate, counts) */
export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;

  constructor(opts: F.PoissonNllOptions = {}) {
    super(opts);
    this.logInput = opts.logInput ?? true;
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-8;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(input, target, {
      logInput: this.logInput,
      full: this.full,
      eps: this.eps,
      reduction: this.reduction,
    });
  }
}
