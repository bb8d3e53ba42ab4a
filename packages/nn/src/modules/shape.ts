/**
 * Parameter-free layers that reshape, resize, pad or drop: `Flatten`, `Unflatten`, `Dropout`,
 * `Dropout1d`, `Dropout2d`, `Upsample`, `ZeroPad2d`, `ConstantPad1d`, `ConstantPad2d`,
 * `ReflectionPad1d`, `ReflectionPad2d`, `ReplicationPad1d`, `ReplicationPad2d`.
 */
import type { Tensor } from "@x/autograd";
import { ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { pyBool, pyFloat, pyTuple } from "./repr.js";

/**
 * Flattens dims `startDim … endDim` (default 1 … -1).
 * @example new nn.Flatten()(x.randn(2, 3, 4)).shape // [2, 12]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(opts: { startDim?: number; endDim?: number } = {}) {
    super();
    this.startDim = opts.startDim ?? 1;
    this.endDim = opts.endDim ?? -1;
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits `dim` into `unflattenedSize`.
 * @example new nn.Unflatten(1, [2, 3])(x.randn(4, 6)).shape // [4, 2, 3]
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = unflattenedSize.slice();
  }

  forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}

abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p?: number | { p?: number; inplace?: boolean }, opts: { inplace?: boolean } = {}) {
    super();
    const o = typeof p === "object" ? p : { p, ...opts };
    const prob = o.p ?? 0.5;
    if (prob < 0 || prob > 1) {
      throw new ValueError(`dropout probability has to be between 0 and 1, but got ${prob}`);
    }
    this.p = prob;
    this.inplace = o.inplace ?? false;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes elements with probability `p` in training mode (scaling the rest by `1 / (1 - p)`).
 * @example new nn.Dropout(0.2)
 */
export class Dropout extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/** Zeroes whole channels of [N, C, L] inputs. @example new nn.Dropout1d(0.2) */
export class Dropout1d extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout1d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/** Zeroes whole channels of [N, C, H, W] inputs. @example new nn.Dropout2d(0.2) */
export class Dropout2d extends DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout2d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/** Options of `Upsample`. */
export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: F.InterpolateOptions["mode"];
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/**
 * Resizes with `F.interpolate`.
 * @example new nn.Upsample({ scaleFactor: 2, mode: "nearest" })(x.randn(1, 2, 3, 3)).shape // [1, 2, 6, 6]
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: NonNullable<F.InterpolateOptions["mode"]>;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(opts: UpsampleOptions = {}) {
    super();
    this.size = opts.size ?? null;
    this.scaleFactor = opts.scaleFactor ?? null;
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }

  forward(input: Tensor): Tensor {
    return F.interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const s = this.scaleFactor;
    const head =
      s !== null
        ? `scale_factor=${typeof s === "number" ? pyFloat(s) : `(${s.map(pyFloat).join(", ")})`}`
        : `size=${typeof this.size === "number" ? this.size : pyTuple(this.size ?? [])}`;
    return `${head}, mode=${this.mode}`;
  }
}

abstract class PadNd extends Module {
  readonly padding: number[];
  readonly mode: F.PadMode;
  readonly value: number;

  constructor(padding: number | readonly number[], n: number, mode: F.PadMode, value = 0) {
    super();
    this.padding =
      typeof padding === "number" ? new Array<number>(2 * n).fill(padding) : padding.slice();
    this.mode = mode;
    this.value = value;
  }

  forward(input: Tensor): Tensor {
    return F.pad(
      input,
      this.padding,
      this.mode === "constant" ? { value: this.value } : { mode: this.mode },
    );
  }

  override extraRepr(): string {
    return this.mode === "constant"
      ? `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`
      : pyTuple(this.padding);
  }
}

/** Pads the last dim with `value`. @example new nn.ConstantPad1d(2, 3.5) */
export class ConstantPad1d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 1, "constant", value);
  }
}

/** Pads the last two dims with `value`. @example new nn.ConstantPad2d([1, 1, 2, 0], 0) */
export class ConstantPad2d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 2, "constant", value);
  }
}

/** Pads the last two dims with zeros. @example new nn.ZeroPad2d(1) */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "constant", 0);
  }

  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

/** Reflects the last dim at its borders. @example new nn.ReflectionPad1d(2) */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "reflect");
  }
}

/** Reflects the last two dims at their borders. @example new nn.ReflectionPad2d(1) */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "reflect");
  }
}

/** Repeats the border values of the last dim. @example new nn.ReplicationPad1d(2) */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "replicate");
  }
}

/** Repeats the border values of the last two dims. @example new nn.ReplicationPad2d(1) */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "replicate");
  }
}
