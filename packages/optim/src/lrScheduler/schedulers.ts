/**
 * The epoch-based schedulers, with PyTorch's chainable `getLr` formulas and, where PyTorch has
 * one, the closed form.
 */
import { ValueError } from "@x/storage";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lrScheduler.js";

/** Multiplies by `gamma` every `stepSize` epochs. @example new StepLR(opt, { stepSize: 30 }) */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(
    optimizer: Optimizer,
    options: { stepSize: number; gamma?: number; lastEpoch?: number },
  ) {
    super(optimizer, options.lastEpoch);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0 || e % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  override closedFormLr(e: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(e / this.stepSize));
  }
}

/** Multiplies by `gamma` at each milestone. @example new MultiStepLR(opt, { milestones: [30, 80] }) */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(
    optimizer: Optimizer,
    options: { milestones: number[]; gamma?: number; lastEpoch?: number },
  ) {
    super(optimizer, options.lastEpoch);
    this.milestones = options.milestones.slice().sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.groups.map((g) => (hits === 0 ? g.lr : g.lr * this.gamma ** hits));
  }
  override closedFormLr(e: number): number[] {
    const passed = this.milestones.filter((m) => m <= e).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** Multiplies by `gamma` every epoch. @example new ExponentialLR(opt, { gamma: 0.9 }) */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number; lastEpoch?: number }) {
    super(optimizer, options.lastEpoch);
    this.gamma = options.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  override closedFormLr(e: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** e);
  }
}

/** Cosine annealing to `etaMin` over `tMax` epochs. @example new CosineAnnealingLR(opt, { tMax: 10 }) */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(
    optimizer: Optimizer,
    options: { tMax: number; etaMin?: number; lastEpoch?: number },
  ) {
    super(optimizer, options.lastEpoch);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    const eta = this.etaMin;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / T))) / 2,
      );
    }
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) *
          (g.lr - eta) +
        eta,
    );
  }
  override closedFormLr(e: number): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2,
    );
  }
}

/** Linear warm-up of the factor from `startFactor` to `endFactor`. @example new LinearLR(opt, { startFactor: 0.25, totalIters: 4 }) */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(
    optimizer: Optimizer,
    options: {
      startFactor?: number;
      endFactor?: number;
      totalIters?: number;
      lastEpoch?: number;
    } = {},
  ) {
    super(optimizer, options.lastEpoch);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    if (this.startFactor > 1 || this.startFactor <= 0) {
      throw new ValueError(
        "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
      );
    }
    if (this.endFactor > 1 || this.endFactor < 0) {
      throw new ValueError("Ending multiplicative factor expected to be between 0 and 1.");
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  override closedFormLr(e: number): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }
}

/** A constant factor for the first `totalIters` epochs. @example new ConstantLR(opt, { factor: 0.5, totalIters: 3 }) */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(
    optimizer: Optimizer,
    options: { factor?: number; totalIters?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, options.lastEpoch);
    this.factor = options.factor ?? 1 / 3;
    this.totalIters = options.totalIters ?? 5;
    if (this.factor > 1 || this.factor < 0) {
      throw new ValueError("Constant multiplicative factor expected to be between 0 and 1.");
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0) return this.groups.map((g) => g.lr * this.factor);
    if (e !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  override closedFormLr(e: number): number[] {
    return this.baseLrs.map(
      (b) => b * (this.factor + (e >= this.totalIters ? 1 - this.factor : 0)),
    );
  }
}

/** `lr = baseLr * lrLambda(epoch)`. @example new LambdaLR(opt, { lrLambda: (e) => 0.95 ** e }) */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: Optimizer,
    options: {
      lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[];
      lastEpoch?: number;
    },
  ) {
    super(optimizer, options.lastEpoch);
    const l = options.lrLambda;
    this.lrLambdas = Array.isArray(l) ? l : this.optimizer.paramGroups.map(() => l);
    if (this.lrLambdas.length !== this.optimizer.paramGroups.length) {
      throw new ValueError(
        `Expected ${this.optimizer.paramGroups.length} lr_lambdas, but got ${this.lrLambdas.length}`,
      );
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** Multiplies the current rate by `lrLambda(epoch)` (after epoch 0). */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: Optimizer,
    options: {
      lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[];
      lastEpoch?: number;
    },
  ) {
    super(optimizer, options.lastEpoch);
    const l = options.lrLambda;
    this.lrLambdas = Array.isArray(l) ? l : this.optimizer.paramGroups.map(() => l);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch <= 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
  }
}
