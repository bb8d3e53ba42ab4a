/**
 * Adamax, NAdam and RAdam, as PyTorch's single-tensor implementations compute them.
 */

import { type NDArray, ValueError } from "@x/storage";
import { checkBetas } from "./adam.js";
import {
  type GroupOptions,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from "./optimizer.js";

export interface AdamaxOptions extends GroupOptions {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * The shared part of the Adam variants: PyTorch's defaults (betas 0.9/0.999, eps 1e-8, no weight
 * decay) with a per-optimizer learning rate, and the checks of `checkBetas`.
 */
abstract class BetasOptimizer<O extends AdamaxOptions> extends Optimizer<O> {
  constructor(params: ParamsArg<O>, defaults: Partial<O> & { lr: number }, options: Partial<O>) {
    super(params, {
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
      ...defaults,
      ...options,
    } as unknown as O);
  }

  protected override validate(g: ParamGroup<O>): void {
    super.validate(g);
    checkBetas(g);
  }
}

/** Adam with the infinity norm. @example new Adamax(params, { lr: 2e-3 }) */
export class Adamax extends BetasOptimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, { lr: 2e-3 }, options);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, betas, eps, weightDecay, maximize }: ParamGroup<AdamaxOptions>,
  ): void {
    const [beta1, beta2] = betas;
    const step = this.nextStep(state);
    const m = this.buffer(state, "expAvg", p);
    const u = this.buffer(state, "expInf", p);
    const clr = lr / (1 - beta1 ** step);
    p.storage.backend.kernels.adamaxUpdate(p, g, m, u, {
      beta1,
      beta2,
      eps,
      weightDecay,
      maximize,
      clr,
    });
  }
}

export interface NAdamOptions extends AdamaxOptions {
  momentumDecay: number;
}

/** Adam with Nesterov momentum. @example new NAdam(params, { lr: 2e-3 }) */
export class NAdam extends BetasOptimizer<NAdamOptions> {
  constructor(params: ParamsArg<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, { lr: 2e-3, momentumDecay: 4e-3 }, options);
  }

  protected override validate(g: ParamGroup<NAdamOptions>): void {
    super.validate(g);
    if (!(g.momentumDecay >= 0))
      throw new ValueError(`Invalid momentum_decay value: ${g.momentumDecay}`);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, betas, eps, weightDecay, momentumDecay, maximize }: ParamGroup<NAdamOptions>,
  ): void {
    const [beta1, beta2] = betas;
    const step = this.nextStep(state);
    const m = this.buffer(state, "expAvg", p);
    const v = this.buffer(state, "expAvgSq", p);
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    // PyTorch keeps mu_product in a float32 tensor, and 1.13 multiplies it by mu twice for
    // mu_product_next; the fixtures (and users porting 1.13 runs) see exactly that.
    const muProduct = Math.fround(((state.muProduct as number | undefined) ?? 1) * mu);
    state.muProduct = muProduct;
    const muProductNext = Math.fround(muProduct * mu * muNext);
    p.storage.backend.kernels.nadamUpdate(p, g, m, v, {
      beta1,
      beta2,
      eps,
      weightDecay,
      maximize,
      bias2: 1 - beta2 ** step,
      gradCoef: (-lr * (1 - mu)) / (1 - muProduct),
      avgCoef: (-lr * muNext) / (1 - muProductNext),
    });
  }
}

/** Rectified Adam. @example new RAdam(params, { lr: 1e-3 }) */
export class RAdam extends BetasOptimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, { lr: 1e-3 }, options);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, betas, eps, weightDecay, maximize }: ParamGroup<AdamaxOptions>,
  ): void {
    const [beta1, beta2] = betas;
    const step = this.nextStep(state);
    const m = this.buffer(state, "expAvg", p);
    const v = this.buffer(state, "expAvgSq", p);
    const bias1 = 1 - beta1 ** step;
    const bias2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / bias2;
    const rectified = rhoT > 5;
    const rect = rectified
      ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
      : 0;
    p.storage.backend.kernels.radamUpdate(p, g, m, v, {
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      maximize,
      bias1,
      bias2,
      rectified,
      rect,
    });
  }
}
