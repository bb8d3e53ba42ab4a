/**
 * RMSprop (with momentum and the centered variant) and Adagrad, as PyTorch computes them.
 */
import { type NDArray, ValueError } from "@x/storage";
import {
  type GroupOptions,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from "./optimizer.js";

export interface RMSpropOptions extends GroupOptions {
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * @example
 * const opt = new RMSprop(model.parameters(), { lr: 0.01, momentum: 0.5, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...options,
    });
  }

  protected override validate(g: ParamGroup<RMSpropOptions>): void {
    super.validate(g);
    if (!(g.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${g.eps}`);
    if (!(g.momentum >= 0)) throw new ValueError(`Invalid momentum value: ${g.momentum}`);
    if (!(g.alpha >= 0)) throw new ValueError(`Invalid alpha value: ${g.alpha}`);
    if (!(g.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${g.weightDecay}`);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, alpha, eps, weightDecay, momentum, centered, maximize }: ParamGroup<RMSpropOptions>,
  ): void {
    this.nextStep(state);
    const sq = this.buffer(state, "squareAvg", p);
    const gavg = centered ? this.buffer(state, "gradAvg", p) : null;
    const buf = momentum > 0 ? this.buffer(state, "momentumBuffer", p) : null;
    p.storage.backend.kernels.rmspropUpdate(p, g, sq, gavg, buf, {
      lr,
      alpha,
      eps,
      weightDecay,
      momentum,
      maximize,
    });
  }
}

export interface AdagradOptions extends GroupOptions {
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * @example
 * const opt = new Adagrad(model.parameters(), { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...options,
    });
  }

  protected override validate(g: ParamGroup<AdagradOptions>): void {
    super.validate(g);
    if (!(g.lrDecay >= 0)) throw new ValueError(`Invalid lr_decay value: ${g.lrDecay}`);
    if (!(g.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.initialAccumulatorValue >= 0)) {
      throw new ValueError(`Invalid initial_accumulator_value value: ${g.initialAccumulatorValue}`);
    }
    if (!(g.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${g.eps}`);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    {
      lr,
      lrDecay,
      weightDecay,
      initialAccumulatorValue,
      eps,
      maximize,
    }: ParamGroup<AdagradOptions>,
  ): void {
    const step = this.nextStep(state);
    const sum = this.buffer(state, "sum", p, initialAccumulatorValue);
    const clr = lr / (1 + (step - 1) * lrDecay);
    p.storage.backend.kernels.adagradUpdate(p, g, sum, { clr, weightDecay, eps, maximize });
  }
}
