/**
 * Adam and AdamW (decoupled weight decay), with `amsgrad` and `maximize`, as PyTorch's
 * single-tensor implementation computes them.
 */
import { type NDArray, ValueError } from "@x/storage";
import {
  type GroupOptions,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from "./optimizer.js";

export interface AdamOptions extends GroupOptions {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Checks `eps`, `betas` and `weightDecay` with PyTorch's messages (Adam and its variants). */
export function checkBetas(g: {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
}): void {
  if (!(g.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${g.eps}`);
  if (!(g.betas[0] >= 0 && g.betas[0] < 1))
    throw new ValueError(`Invalid beta parameter at index 0: ${g.betas[0]}`);
  if (!(g.betas[1] >= 0 && g.betas[1] < 1))
    throw new ValueError(`Invalid beta parameter at index 1: ${g.betas[1]}`);
  if (!(g.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${g.weightDecay}`);
}

/**
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamOptions> {
  /** AdamW decays the weights directly instead of adding to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(
    params: ParamsArg<AdamOptions>,
    options: Partial<AdamOptions> = {},
    weightDecayDefault = 0,
  ) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: weightDecayDefault,
      amsgrad: false,
      maximize: false,
      ...options,
    });
  }

  protected override validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    checkBetas(g);
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, betas, eps, weightDecay, amsgrad, maximize }: ParamGroup<AdamOptions>,
  ): void {
    const [beta1, beta2] = betas;
    const step = this.nextStep(state);
    const m = this.buffer(state, "expAvg", p);
    const v = this.buffer(state, "expAvgSq", p);
    const vmax = amsgrad ? this.buffer(state, "maxExpAvgSq", p) : null;
    const bc1 = 1 - beta1 ** step;
    p.storage.backend.kernels.adamUpdate(p, g, m, v, vmax, {
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      decoupled: this.decoupled,
      maximize,
      stepSize: lr / bc1,
      bias2Sqrt: Math.sqrt(1 - beta2 ** step),
    });
  }
}

/**
 * Adam with decoupled weight decay (default 0.01).
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, 0.01);
  }
}
