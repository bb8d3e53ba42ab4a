/**
 * Pooling layers: `MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d`, `AdaptiveAvgPool1d`,
 * `AdaptiveAvgPool2d` (no parameters), printed as PyTorch prints them.
 */
import type { Tensor } from "@x/autograd";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { pyBool, pyIntArg } from "./repr.js";

type IntArg = number | readonly number[];

/** Options of the max-pooling layers; `returnIndices: true` makes them return `[values, indices]`. */
export interface MaxPoolLayerOptions<R extends boolean = boolean> {
  stride?: IntArg | null;
  padding?: IntArg;
  dilation?: IntArg;
  returnIndices?: R;
  ceilMode?: boolean;
}

/** What a max-pooling layer returns: `[values, indices]` when built with `returnIndices: true`. */
export type MaxPoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: IntArg;
  readonly stride: IntArg;
  readonly padding: IntArg;
  readonly dilation: IntArg;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  constructor(kernelSize: IntArg, opts: MaxPoolLayerOptions<R> = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = (opts.returnIndices ?? false) as R;
    this.ceilMode = opts.ceilMode ?? false;
  }

  protected get options(): F.MaxPoolOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
      returnIndices: this.returnIndices,
    };
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntArg(this.kernelSize)}, stride=${pyIntArg(this.stride)}, padding=${pyIntArg(this.padding)}, dilation=${pyIntArg(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-d max pooling (`returnIndices: true` gives `[values, indices]`, as PyTorch).
 * @example new nn.MaxPool1d(2)(x.randn(2, 3, 8)).shape // [2, 3, 4]
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(input: Tensor): MaxPoolOutput<R> {
    return F.maxPool1d(input, this.kernelSize, this.options) as MaxPoolOutput<R>;
  }
}

/**
 * 2-d max pooling (`returnIndices: true` gives `[values, indices]`, as PyTorch).
 * @example new nn.MaxPool2d(2)(x.randn(1, 1, 4, 4)).shape // [1, 1, 2, 2]
 * @example const [v, i] = new nn.MaxPool2d(2, { returnIndices: true })(x.randn(1, 1, 4, 4));
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(input: Tensor): MaxPoolOutput<R> {
    return F.maxPool2d(input, this.kernelSize, this.options) as MaxPoolOutput<R>;
  }
}

/** Options of the average-pooling layers. */
export interface AvgPoolLayerOptions {
  stride?: IntArg | null;
  padding?: IntArg;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

abstract class AvgPoolNd extends Module {
  readonly kernelSize: IntArg;
  readonly stride: IntArg;
  readonly padding: IntArg;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntArg, opts: AvgPoolLayerOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  protected get options(): F.AvgPoolOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntArg(this.kernelSize)}, stride=${pyIntArg(this.stride)}, padding=${pyIntArg(this.padding)}`;
  }
}

/** 1-d average pooling. @example new nn.AvgPool1d(2)(x.randn(2, 3, 8)).shape // [2, 3, 4] */
export class AvgPool1d extends AvgPoolNd {
  forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, this.options);
  }
}

/** 2-d average pooling. @example new nn.AvgPool2d(2)(x.randn(1, 1, 4, 4)).shape // [1, 1, 2, 2] */
export class AvgPool2d extends AvgPoolNd {
  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.options);
  }
}

/**
 * Adaptive average pooling to a fixed output size (`null` keeps an input size).
 * @example new nn.AdaptiveAvgPool2d(1)(x.randn(2, 3, 7, 5)).shape // [2, 3, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | readonly (number | null)[];

  constructor(outputSize: number | readonly (number | null)[]) {
    super();
    this.outputSize = outputSize;
  }

  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === "number" ? o : `(${o.map((v) => (v === null ? "None" : v)).join(", ")})`}`;
  }
}

/** 1-d adaptive average pooling. @example new nn.AdaptiveAvgPool1d(3)(x.randn(2, 3, 8)).shape // [2, 3, 3] */
export class AdaptiveAvgPool1d extends Module {
  readonly outputSize: number;

  constructor(outputSize: number) {
    super();
    this.outputSize = outputSize;
  }

  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${this.outputSize}`;
  }
}
