/**
 * `Identity`, `Linear` and `Bilinear`, with PyTorch's parameter names and default
 * initialization (Kaiming uniform with `a = √5` for the weight, `U(±1/√fanIn)` for the bias).
 */

import type { DType, Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyBool } from "./repr.js";

/** Options of layers that create parameters. */
export interface FactoryOptions {
  dtype?: DType;
}

/** An uninitialized parameter of `shape`. */
export function emptyParameter(shape: readonly number[], dtype?: DType): Parameter {
  return new Parameter(A.empty([...shape], dtype ? { dtype } : {}));
}

/** PyTorch's default bias initialization: `U(-1/√fanIn, 1/√fanIn)` (0 when fanIn is 0). */
export function initBias(bias: Tensor, fanIn: number): void {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  init.uniform_(bias, -bound, bound);
}

/**
 * Returns its input unchanged.
 * @example new nn.Identity()(t) === t
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * `y = x Wᵀ + b`: `weight` [out, in], `bias` [out].
 * @example const fc = new nn.Linear(4, 2, { bias: false }); fc(x.randn(3, 4)).shape // [3, 2]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    inFeatures: number,
    outFeatures: number,
    opts: { bias?: boolean } & FactoryOptions = {},
  ) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = emptyParameter([outFeatures, inFeatures], opts.dtype);
    this.bias = (opts.bias ?? true) ? emptyParameter([outFeatures], opts.dtype) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialization, drawing weight then bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) initBias(this.bias, init.calculateFanInAndFanOut(this.weight)[0]);
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * `y = x1ᵀ A x2 + b`: `weight` [out, in1, in2], `bias` [out].
 * @example new nn.Bilinear(2, 3, 4)(x.randn(5, 2), x.randn(5, 3)).shape // [5, 4]
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    in1Features: number,
    in2Features: number,
    outFeatures: number,
    opts: { bias?: boolean } & FactoryOptions = {},
  ) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = emptyParameter([outFeatures, in1Features, in2Features], opts.dtype);
    this.bias = (opts.bias ?? true) ? emptyParameter([outFeatures], opts.dtype) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
