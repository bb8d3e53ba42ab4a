/**
 * Normalization layers: `BatchNorm1d`, `BatchNorm2d`, `BatchNorm3d` (affine parameters, running
 * statistics as buffers `running_mean`, `running_var`, `num_batches_tracked`), `LayerNorm`,
 * `GroupNorm`, `InstanceNorm1d`, `InstanceNorm2d`.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions } from "./linear.js";
import { pyBool, pyFloat, pyTuple } from "./repr.js";

/** Options of the batch and instance normalization layers. */
export interface NormLayerOptions extends FactoryOptions {
  eps?: number;
  /** Weight of a new batch in the running statistics; null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift. */
  affine?: boolean;
  /** Keep running statistics (used in evaluation). */
  trackRunningStats?: boolean;
}

/** Shared state of batch and instance normalization. */
abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;

  constructor(
    numFeatures: number,
    opts: NormLayerOptions,
    defaults: { affine: boolean; track: boolean },
  ) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? defaults.affine;
    this.trackRunningStats = opts.trackRunningStats ?? defaults.track;
    this.weight = this.affine ? emptyParameter([numFeatures], opts.dtype) : null;
    this.bias = this.affine ? emptyParameter([numFeatures], opts.dtype) : null;
    const dt = opts.dtype ? { dtype: opts.dtype } : {};
    if (this.trackRunningStats) {
      this.registerBuffer("runningMean", A.zeros([numFeatures], dt));
      this.registerBuffer("runningVar", A.ones([numFeatures], dt));
      this.registerBuffer("numBatchesTracked", A.tensor(0, { dtype: "int64" }));
    } else {
      this.registerBuffer("runningMean", null);
      this.registerBuffer("runningVar", null);
      this.registerBuffer("numBatchesTracked", null);
    }
    this.resetParameters();
  }

  /** Running statistics to 0 / 1, batch count to 0. */
  resetRunningStats(): void {
    if (this.runningMean) init.zeros_(this.runningMean);
    if (this.runningVar) init.ones_(this.runningVar);
    if (this.numBatchesTracked) init.zeros_(this.numBatchesTracked);
  }

  /** Running statistics reset; weight 1, bias 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** The momentum for this step (counting the batch when tracking statistics in training). */
  protected averageFactor(): number {
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      this.numBatchesTracked.data.add_(1);
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.item();
    }
    return factor;
  }

  override extraRepr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

abstract class BatchNormNd extends NormBase {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts, { affine: true, track: true });
  }

  protected abstract checkInput(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const momentum = this.averageFactor();
    const useBatch = this.training || (this.runningMean === null && this.runningVar === null);
    const keepStats = !this.training || this.trackRunningStats;
    return F.batchNorm(
      input,
      keepStats ? this.runningMean : null,
      keepStats ? this.runningVar : null,
      {
        weight: this.weight,
        bias: this.bias,
        training: useBatch,
        momentum,
        eps: this.eps,
      },
    );
  }
}

/** Batch normalization of [N, C] or [N, C, L]. @example new nn.BatchNorm1d(3)(x.randn(6, 3)) */
export class BatchNorm1d extends BatchNormNd {
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ValueError(`expected 2D or 3D input (got ${input.ndim}D input)`);
    }
  }
}

/** Batch normalization of [N, C, H, W]. @example new nn.BatchNorm2d(3)(x.randn(4, 3, 2, 2)) */
export class BatchNorm2d extends BatchNormNd {
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 4) throw new ValueError(`expected 4D input (got ${input.ndim}D input)`);
  }
}

/** Batch normalization of [N, C, D, H, W]. @example new nn.BatchNorm3d(3) */
export class BatchNorm3d extends BatchNormNd {
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 5) throw new ValueError(`expected 5D input (got ${input.ndim}D input)`);
  }
}

abstract class InstanceNormNd extends NormBase {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts, { affine: false, track: false });
  }

  protected abstract readonly spatial: number;

  forward(input: Tensor): Tensor {
    const nd = this.spatial;
    if (input.ndim !== nd + 1 && input.ndim !== nd + 2) {
      throw new ValueError(`expected ${nd + 1}D or ${nd + 2}D input (got ${input.ndim}D input)`);
    }
    const batched = input.ndim === nd + 2;
    const x = batched ? input : input.unsqueeze(0);
    const useStats = this.training || !this.trackRunningStats;
    const out = F.instanceNorm(x, {
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      weight: this.weight,
      bias: this.bias,
      useInputStats: useStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
    return batched ? out : out.squeeze(0);
  }
}

/** Instance normalization of [N, C, L]. @example new nn.InstanceNorm1d(3) */
export class InstanceNorm1d extends InstanceNormNd {
  protected readonly spatial = 1;
}

/** Instance normalization of [N, C, H, W]. @example new nn.InstanceNorm2d(3) */
export class InstanceNorm2d extends InstanceNormNd {
  protected readonly spatial = 2;
}

/**
 * Layer normalization over the trailing `normalizedShape` dims, with elementwise `weight` and
 * `bias` of that shape.
 * @example new nn.LayerNorm(4)(x.randn(2, 3, 4))
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    normalizedShape: number | readonly number[],
    opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOptions = {},
  ) {
    super();
    this.normalizedShape =
      typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const affine = this.elementwiseAffine;
    this.weight = affine ? emptyParameter(this.normalizedShape, opts.dtype) : null;
    this.bias =
      affine && (opts.bias ?? true) ? emptyParameter(this.normalizedShape, opts.dtype) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/**
 * Group normalization: `numChannels` split in `numGroups` groups, with per-channel `weight`
 * and `bias`.
 * @example new nn.GroupNorm(2, 4)(x.randn(2, 4, 3))
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    numGroups: number,
    numChannels: number,
    opts: { eps?: number; affine?: boolean } & FactoryOptions = {},
  ) {
    super();
    if (numChannels % numGroups !== 0)
      throw new ValueError("num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? emptyParameter([numChannels], opts.dtype) : null;
    this.bias = this.affine ? emptyParameter([numChannels], opts.dtype) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
