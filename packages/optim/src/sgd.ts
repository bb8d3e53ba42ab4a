/**
 * SGD with momentum, dampening, Nesterov momentum, weight decay and `maximize` (PyTorch's
 * `torch.optim.SGD`, same update order and formulas).
 */
import { type NDArray, ValueError } from "@x/storage";
import {
  type GroupOptions,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsArg,
} from "./optimizer.js";

export interface SGDOptions extends GroupOptions {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, options: Partial<SGDOptions> & { lr?: number } = {}) {
    super(params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
  }

  protected override validate(g: ParamGroup<SGDOptions>): void {
    super.validate(g);
    if (!(g.momentum >= 0)) throw new ValueError(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
    }
  }

  protected update(
    p: NDArray,
    g: NDArray,
    state: ParamState,
    { lr, momentum, dampening, weightDecay, nesterov, maximize }: ParamGroup<SGDOptions>,
  ): void {
    const firstStep = state.momentumBuffer === undefined;
    const buf = momentum !== 0 ? this.buffer(state, "momentumBuffer", p) : null;
    p.storage.backend.kernels.sgdUpdate(p, g, buf, {
      lr,
      momentum,
      dampening,
      weightDecay,
      nesterov,
      maximize,
      firstStep,
    });
  }
}
