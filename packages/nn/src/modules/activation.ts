/**
 * Activation layers: thin modules over `F`'s activations (`ReLU`, `GELU`, `SiLU`, `Tanh`,
 * `Sigmoid`, `Softmax`, `LogSoftmax`, `LeakyReLU`, `ELU`, …) and `PReLU` with its learned slope.
 */
import type { Tensor } from "@x/autograd";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions } from "./linear.js";
import { pyFloat } from "./repr.js";

type Inplace = { inplace?: boolean };

abstract class InplaceActivation extends Module {
  readonly inplace: boolean;

  constructor(opts: Inplace = {}) {
    super();
    this.inplace = opts.inplace ?? false;
  }

  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** `max(0, x)`. @example new nn.ReLU()(t) */
export class ReLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.relu(input, { inplace: this.inplace });
  }
}

/** `min(max(0, x), 6)`. @example new nn.ReLU6()(t) */
export class ReLU6 extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.relu6(input, { inplace: this.inplace });
  }
}

/** `x·σ(x)`. @example new nn.SiLU()(t) */
export class SiLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }
}

/** `x·tanh(softplus(x))`. @example new nn.Mish()(t) */
export class Mish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.mish(input, { inplace: this.inplace });
  }
}

/** Scaled ELU. @example new nn.SELU()(t) */
export class SELU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.selu(input, { inplace: this.inplace });
  }
}

/** `relu6(x + 3) / 6`. @example new nn.Hardsigmoid()(t) */
export class Hardsigmoid extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, { inplace: this.inplace });
  }
}

/** `x·relu6(x + 3) / 6`. @example new nn.Hardswish()(t) */
export class Hardswish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardswish(input, { inplace: this.inplace });
  }
}

/** `x` for `x > 0`, else `negativeSlope·x`. @example new nn.LeakyReLU(0.2)(t) */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;

  constructor(
    negativeSlope: number | ({ negativeSlope?: number } & Inplace) = 0.01,
    opts: Inplace = {},
  ) {
    super();
    const o = typeof negativeSlope === "number" ? { negativeSlope, ...opts } : negativeSlope;
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }

  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** `x` for `x > 0`, else `alpha·(exp(x) - 1)`. @example new nn.ELU({ alpha: 0.5 })(t) */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;

  constructor(alpha: number | ({ alpha?: number } & Inplace) = 1, opts: Inplace = {}) {
    super();
    const o = typeof alpha === "number" ? { alpha, ...opts } : alpha;
    this.alpha = o.alpha ?? 1;
    this.inplace = o.inplace ?? false;
  }

  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** `max(0, x) + min(0, alpha·(exp(x/alpha) - 1))`. @example new nn.CELU()(t) */
export class CELU extends ELU {
  override forward(input: Tensor): Tensor {
    return F.celu(input, this.alpha, { inplace: this.inplace });
  }
}

/** `x·Φ(x)`. @example new nn.GELU({ approximate: "tanh" })(t) */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Clamps to `[minVal, maxVal]`. @example new nn.Hardtanh({ minVal: -2, maxVal: 2 })(t) */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;

  constructor(opts: { minVal?: number; maxVal?: number } & Inplace = {}) {
    super();
    this.minVal = opts.minVal ?? -1;
    this.maxVal = opts.maxVal ?? 1;
    this.inplace = opts.inplace ?? false;
  }

  forward(input: Tensor): Tensor {
    return F.hardtanh(input, { minVal: this.minVal, maxVal: this.maxVal, inplace: this.inplace });
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** `log(1 + exp(beta·x)) / beta`. @example new nn.Softplus({ beta: 2 })(t) */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }

  forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

/** `x` where `|x| > lambd`, else 0. @example new nn.Hardshrink()(t) */
export class Hardshrink extends Module {
  readonly lambd: number;

  constructor(lambd = 0.5) {
    super();
    this.lambd = lambd;
  }

  forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }

  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/** `x ∓ lambd` where `|x| > lambd`, else 0. @example new nn.Softshrink()(t) */
export class Softshrink extends Hardshrink {
  override forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
}

/** `x` where `x > threshold`, else `value`. @example new nn.Threshold(0.1, 20)(t) */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;

  constructor(threshold: number, value: number, opts: Inplace = {}) {
    super();
    this.threshold = threshold;
    this.value = value;
    this.inplace = opts.inplace ?? false;
  }

  forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** The hyperbolic tangent. @example new nn.Tanh()(t) */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/** The logistic function. @example new nn.Sigmoid()(t) */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** `log σ(x)`. @example new nn.LogSigmoid()(t) */
export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

/** `x / (1 + |x|)`. @example new nn.Softsign()(t) */
export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

/** `x - tanh(x)`. @example new nn.Tanhshrink()(t) */
export class Tanhshrink extends Module {
  forward(input: Tensor): Tensor {
    return F.tanhshrink(input);
  }
}

/** Gated linear unit along `dim` (default -1). @example new nn.GLU()(x.randn(2, 6)).shape // [2, 3] */
export class GLU extends Module {
  readonly dim: number;

  constructor(dim = -1) {
    super();
    this.dim = dim;
  }

  forward(input: Tensor): Tensor {
    return F.glu(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

abstract class SoftmaxBase extends Module {
  readonly dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = typeof dim === "object" && dim !== null ? (dim.dim ?? null) : dim;
  }

  // PyTorch's implicit dim for legacy calls: 0 for 0-, 1- and 3-d inputs, else 1.
  protected dimFor(input: Tensor): number {
    if (this.dim !== null) return this.dim;
    return input.ndim === 0 || input.ndim === 1 || input.ndim === 3 ? 0 : 1;
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** Softmax along `dim`. @example new nn.Softmax(1)(t) */
export class Softmax extends SoftmaxBase {
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dimFor(input));
  }
}

/** Log-softmax along `dim`. @example new nn.LogSoftmax(1)(t) */
export class LogSoftmax extends SoftmaxBase {
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dimFor(input));
  }
}

/** Softmin along `dim`. @example new nn.Softmin(1)(t) */
export class Softmin extends SoftmaxBase {
  forward(input: Tensor): Tensor {
    return F.softmin(input, this.dimFor(input));
  }
}

/**
 * `x` where `x >= 0`, else `weight·x`, with `numParameters` learned slopes (1, or one per
 * channel) initialized to `init` (0.25).
 * @example new nn.PReLU({ numParameters: 3 })(x.randn(2, 3, 4))
 */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;

  constructor(opts: { numParameters?: number; init?: number } & FactoryOptions = {}) {
    super();
    this.numParameters = opts.numParameters ?? 1;
    this.weight = emptyParameter([this.numParameters], opts.dtype);
    init.constant_(this.weight, opts.init ?? 0.25);
  }

  forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }

  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}
