/**
 * Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d`, with PyTorch's
 * constructor arguments, parameter shapes, padding modes and default initialization (Kaiming
 * uniform with `a = √5`, bias `U(±1/√fanIn)`).
 */
import type { Tensor } from "@x/autograd";
import { ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions, initBias } from "./linear.js";
import { pyBool, pyTuple } from "./repr.js";

type IntArg = number | readonly number[];

/** Options of `Conv1d` / `Conv2d`. */
export interface ConvLayerOptions extends FactoryOptions {
  stride?: IntArg;
  padding?: IntArg | "valid" | "same";
  dilation?: IntArg;
  groups?: number;
  bias?: boolean;
  /** How the input is padded (default `"zeros"`). */
  paddingMode?: "zeros" | "reflect" | "replicate" | "circular";
}

/** Options of `ConvTranspose1d` / `ConvTranspose2d`. */
export interface ConvTransposeLayerOptions extends FactoryOptions {
  stride?: IntArg;
  padding?: IntArg;
  outputPadding?: IntArg;
  groups?: number;
  bias?: boolean;
  dilation?: IntArg;
}

function tuple(v: IntArg, n: number): number[] {
  return typeof v === "number"
    ? new Array<number>(n).fill(v)
    : v.length === 1
      ? new Array<number>(n).fill(v[0]!)
      : v.slice();
}

/** Shared state and printing of the convolution layers. */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "valid" | "same";
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: string;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    n: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: IntArg,
    opts: ConvLayerOptions & { outputPadding?: IntArg },
  ) {
    super();
    const groups = opts.groups ?? 1;
    if (groups <= 0) throw new ValueError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new ValueError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0)
      throw new ValueError("out_channels must be divisible by groups");
    const padding = opts.padding ?? 0;
    const stride = tuple(opts.stride ?? 1, n);
    if (typeof padding === "string") {
      if (padding !== "valid" && padding !== "same") {
        throw new ValueError(
          `Invalid padding string '${padding}', should be one of ['valid', 'same']`,
        );
      }
      if (padding === "same" && stride.some((s) => s !== 1)) {
        throw new ValueError("padding='same' is not supported for strided convolutions");
      }
    }
    const mode = opts.paddingMode ?? "zeros";
    if (!["zeros", "reflect", "replicate", "circular"].includes(mode)) {
      throw new ValueError(
        `padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${mode}'`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(kernelSize, n);
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : tuple(padding, n);
    this.dilation = tuple(opts.dilation ?? 1, n);
    this.transposed = transposed;
    this.outputPadding = tuple(opts.outputPadding ?? 0, n);
    this.groups = groups;
    this.paddingMode = mode;
    const shape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = emptyParameter(shape, opts.dtype);
    this.bias = (opts.bias ?? true) ? emptyParameter([outChannels], opts.dtype) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialization, drawing weight then bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) initBias(this.bias, init.calculateFanInAndFanOut(this.weight)[0]);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0))
      s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  // Non-zero padding modes: pad explicitly, then convolve without padding.
  protected padInput(input: Tensor): [Tensor, F.ConvOptions["padding"]] {
    if (this.paddingMode === "zeros" || typeof this.padding === "string")
      return [input, this.padding];
    const pads: number[] = [];
    for (let i = this.padding.length - 1; i >= 0; i--)
      pads.push(this.padding[i]!, this.padding[i]!);
    return [F.pad(input, pads, { mode: this.paddingMode as F.PadMode }), 0];
  }
}

/**
 * 1-d convolution over [N, C, L] (or [C, L]): `weight` [out, in/groups, k].
 * @example new nn.Conv1d(2, 3, 3, { stride: 2 })(x.randn(2, 2, 9)).shape // [2, 3, 4]
 */
export class Conv1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntArg,
    opts: ConvLayerOptions = {},
  ) {
    super(1, false, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    const [x, padding] = this.padInput(input);
    return F.conv1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/**
 * 2-d convolution over [N, C, H, W] (or [C, H, W]): `weight` [out, in/groups, kH, kW].
 * @example new nn.Conv2d(2, 3, 3, { padding: 1 })(x.randn(2, 2, 5, 5)).shape // [2, 3, 5, 5]
 */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntArg,
    opts: ConvLayerOptions = {},
  ) {
    super(2, false, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    const [x, padding] = this.padInput(input);
    return F.conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

function checkZeros(mode: string | undefined, name: string): void {
  if (mode !== undefined && mode !== "zeros") {
    throw new ValueError(`Only "zeros" padding mode is supported for ${name}`);
  }
}

/**
 * Transposed 1-d convolution: `weight` [in, out/groups, k].
 * @example new nn.ConvTranspose1d(2, 3, 3, { stride: 2 })(x.randn(1, 2, 4)).shape // [1, 3, 9]
 */
export class ConvTranspose1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntArg,
    opts: ConvTransposeLayerOptions & { paddingMode?: "zeros" } = {},
  ) {
    checkZeros(opts.paddingMode, "ConvTranspose1d");
    super(1, true, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    return F.convTranspose1d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/**
 * Transposed 2-d convolution (the gradient of `Conv2d` w.r.t. its input): `weight`
 * [in, out/groups, kH, kW].
 * @example new nn.ConvTranspose2d(2, 3, 3, { stride: 2 })(x.randn(1, 2, 3, 3)).shape // [1, 3, 7, 7]
 */
export class ConvTranspose2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntArg,
    opts: ConvTransposeLayerOptions & { paddingMode?: "zeros" } = {},
  ) {
    checkZeros(opts.paddingMode, "ConvTranspose2d");
    super(2, true, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    return F.convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}
