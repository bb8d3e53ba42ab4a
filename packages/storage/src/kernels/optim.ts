/**
 * Optimizer update kernels: one step of `torch.optim`'s single-tensor rules, written in place.
 * `param`, `grad` and the state buffers are contiguous arrays of one float dtype (float32 or
 * float64) and the same number of elements; `param` and the buffers are updated, `grad` is
 * read. A buffer passed as `null` is one the options leave unused (no momentum, no `amsgrad`, …).
 * The options hold the group's hyperparameters and the scalars the optimizer derives for the
 * step (bias corrections, decayed learning rates); the kernels compute in doubles, so float32
 * values are rounded where they are stored, exactly as the reference loops do.
 */
import type { NDArray } from "../ndArray.js";

/** `torch.optim.SGD`. */
export interface SgdUpdateOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  /** The momentum buffer is new: it takes this step's direction as it is (no dampening). */
  readonly firstStep: boolean;
}

/** `torch.optim.Adam` / `AdamW` (`decoupled`: the weights decay directly by `1 - lr·wd`). */
export interface AdamUpdateOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** `lr / (1 - beta1^step)`. */
  readonly stepSize: number;
  /** `sqrt(1 - beta2^step)`. */
  readonly bias2Sqrt: number;
}

/** `torch.optim.RMSprop`. */
export interface RmspropUpdateOptions {
  readonly lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly maximize: boolean;
}

/** `torch.optim.Adagrad`. */
export interface AdagradUpdateOptions {
  /** The decayed learning rate `lr / (1 + (step - 1)·lr_decay)`. */
  readonly clr: number;
  readonly weightDecay: number;
  readonly eps: number;
  readonly maximize: boolean;
}

/** `torch.optim.Adamax`. */
export interface AdamaxUpdateOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
  /** `lr / (1 - beta1^step)`. */
  readonly clr: number;
}

/** `torch.optim.NAdam`. */
export interface NadamUpdateOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
  /** `1 - beta2^step`. */
  readonly bias2: number;
  /** The gradient's coefficient `-lr·(1 - mu) / (1 - mu_product)`. */
  readonly gradCoef: number;
  /** The average's coefficient `-lr·mu_next / (1 - mu_product_next)`. */
  readonly avgCoef: number;
}

/** `torch.optim.RAdam`. */
export interface RadamUpdateOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maximize: boolean;
  /** `1 - beta1^step`. */
  readonly bias1: number;
  /** `1 - beta2^step`. */
  readonly bias2: number;
  /** rho_t > 5: the adaptive, rectified step; otherwise the plain momentum step. */
  readonly rectified: boolean;
  /** The rectification term (used when `rectified`). */
  readonly rect: number;
}

export interface OptimKernels {
  /** `momentumBuffer` is null when `momentum` is 0. */
  sgdUpdate(
    param: NDArray,
    grad: NDArray,
    momentumBuffer: NDArray | null,
    options: SgdUpdateOptions,
  ): void;
  /** `maxExpAvgSq` is given for `amsgrad` only. */
  adamUpdate(
    param: NDArray,
    grad: NDArray,
    expAvg: NDArray,
    expAvgSq: NDArray,
    maxExpAvgSq: NDArray | null,
    options: AdamUpdateOptions,
  ): void;
  /** `gradAvg` is given when centered, `momentumBuffer` when `momentum` > 0. */
  rmspropUpdate(
    param: NDArray,
    grad: NDArray,
    squareAvg: NDArray,
    gradAvg: NDArray | null,
    momentumBuffer: NDArray | null,
    options: RmspropUpdateOptions,
  ): void;
  adagradUpdate(param: NDArray, grad: NDArray, sum: NDArray, options: AdagradUpdateOptions): void;
  adamaxUpdate(
    param: NDArray,
    grad: NDArray,
    expAvg: NDArray,
    expInf: NDArray,
    options: AdamaxUpdateOptions,
  ): void;
  nadamUpdate(
    param: NDArray,
    grad: NDArray,
    expAvg: NDArray,
    expAvgSq: NDArray,
    options: NadamUpdateOptions,
  ): void;
  radamUpdate(
    param: NDArray,
    grad: NDArray,
    expAvg: NDArray,
    expAvgSq: NDArray,
    options: RadamUpdateOptions,
  ): void;
}
