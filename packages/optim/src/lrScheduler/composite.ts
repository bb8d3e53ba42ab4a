/**
 * Schedulers that are not a simple per-epoch factor: `OneCycleLR` (per batch, with momentum
 * cycling), `SequentialLR` (one scheduler after another) and `ReduceLROnPlateau` (on a metric).
 */
import { ValueError } from "@x/storage";
import type { GroupOptions, Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lrScheduler.js";

export interface OneCycleOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

type Phase = { end: number; startLr: string; endLr: string; startM: string; endM: string };
type CycleGroup = GroupOptions & Record<string, number | unknown>;

/**
 * The 1cycle policy (per batch): warm up to `maxLr`, then anneal far below the start.
 * @example new OneCycleLR(opt, { maxLr: 0.5, totalSteps: 12 })
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly phases: Phase[];
  readonly anneal: (start: number, end: number, pct: number) => number;
  readonly cycleMomentum: boolean;
  readonly useBetas: boolean;

  constructor(optimizer: Optimizer, o: OneCycleOptions) {
    const groups = optimizer.paramGroups as CycleGroup[];
    let total: number;
    if (o.totalSteps !== undefined) {
      if (!(o.totalSteps > 0 && Number.isInteger(o.totalSteps))) {
        throw new ValueError(`Expected positive integer total_steps, but got ${o.totalSteps}`);
      }
      total = o.totalSteps;
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      total = o.epochs * o.stepsPerEpoch;
    } else {
      throw new ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    }
    const pct = o.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1))
      throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const div = o.divFactor ?? 25;
    const finalDiv = o.finalDivFactor ?? 1e4;
    const lastEpoch = o.lastEpoch ?? -1;
    groups.forEach((g, i) => {
      const maxLr = Array.isArray(o.maxLr) ? o.maxLr[i]! : o.maxLr;
      if (lastEpoch === -1) {
        g.initialLr = maxLr / div;
        g.lr = g.initialLr as number;
        g.maxLr = maxLr;
        g.minLr = (g.initialLr as number) / finalDiv;
      }
    });
    // The base class records initialLr from lr (now maxLr / divFactor).
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.phases = o.threePhase
      ? [
          {
            end: pct * total - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startM: "maxMomentum",
            endM: "baseMomentum",
          },
          {
            end: 2 * pct * total - 2,
            startLr: "maxLr",
            endLr: "initialLr",
            startM: "baseMomentum",
            endM: "maxMomentum",
          },
          {
            end: total - 1,
            startLr: "initialLr",
            endLr: "minLr",
            startM: "maxMomentum",
            endM: "maxMomentum",
          },
        ]
      : [
          {
            end: pct * total - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startM: "maxMomentum",
            endM: "baseMomentum",
          },
          {
            end: total - 1,
            startLr: "maxLr",
            endLr: "minLr",
            startM: "baseMomentum",
            endM: "maxMomentum",
          },
        ];
    this.anneal =
      (o.annealStrategy ?? "cos") === "cos"
        ? (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1)
        : (s, e, p) => (e - s) * p + s;
    this.cycleMomentum = o.cycleMomentum ?? true;
    this.useBetas = "betas" in optimizer.defaults;
    if (this.cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !this.useBetas) {
        throw new ValueError(
          "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
        );
      }
      for (const g of groups) {
        if (lastEpoch === -1) {
          g.maxMomentum = o.maxMomentum ?? 0.95;
          g.baseMomentum = o.baseMomentum ?? 0.85;
          this.#setMomentum(g, g.maxMomentum as number);
        }
      }
    }
    this.initialStep();
  }

  #setMomentum(g: CycleGroup, m: number): void {
    if (this.useBetas) g.betas = [m, (g.betas as [number, number])[1]];
    else g.momentum = m;
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new ValueError(
        `Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    return (this.groups as CycleGroup[]).map((g) => {
      let start = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (step <= ph.end || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.end - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) {
            this.#setMomentum(g, this.anneal(g[ph.startM] as number, g[ph.endM] as number, pct));
          }
          break;
        }
        start = ph.end;
      }
      return lr;
    });
  }
}

/**
 * Runs `schedulers[i]` until `milestones[i]`, then the next one (restarted at its epoch 0).
 * @example new SequentialLR(opt, { schedulers: [warmup, decay], milestones: [5] })
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(
    optimizer: Optimizer,
    o: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number },
  ) {
    if (o.schedulers.length < 1)
      throw new ValueError("SequentialLR expects at least one scheduler");
    for (const [i, s] of o.schedulers.entries()) {
      if (s.optimizer !== optimizer) {
        throw new ValueError(
          `Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    }
    if (o.milestones.length !== o.schedulers.length - 1) {
      throw new ValueError(
        `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${o.schedulers.length} and the number of milestones to be equal to ${o.milestones.length}`,
      );
    }
    super(optimizer, o.lastEpoch ?? -1);
    this.schedulers = o.schedulers;
    this.milestones = o.milestones;
    this.lastEpoch = (o.lastEpoch ?? -1) + 1;
    // Reset to the initial rates, then let the first scheduler take its first step again.
    for (const g of this.groups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.step();
  }

  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  override step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
  }

  override getLastLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
}

export interface PlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Lowers the rate by `factor` when a metric stops improving for `patience` epochs.
 * @example const s = new ReduceLROnPlateau(opt, { patience: 2 }); s.step(valLoss);
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  #lastLr: number[];

  constructor(optimizer: Optimizer, o: PlateauOptions = {}) {
    this.optimizer = optimizer;
    this.factor = o.factor ?? 0.1;
    if (this.factor >= 1) throw new ValueError("Factor should be < 1.0.");
    this.mode = o.mode ?? "min";
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? "rel";
    this.cooldown = o.cooldown ?? 0;
    const n = optimizer.paramGroups.length;
    const m = o.minLr ?? 0;
    this.minLrs = Array.isArray(m) ? m.slice() : new Array<number>(n).fill(m);
    if (this.minLrs.length !== n)
      throw new ValueError(`expected ${n} min_lrs, got ${this.minLrs.length}`);
    this.eps = o.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.#lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  #isBetter(a: number): boolean {
    const { mode, thresholdMode: tm, threshold: t, best } = this;
    if (mode === "min") return tm === "rel" ? a < best * (1 - t) : a < best - t;
    return tm === "rel" ? a > best * (t + 1) : a > best + t;
  }

  /** Records this epoch's metric and lowers the rate when it has plateaued. */
  step(metric: number): void {
    this.lastEpoch++;
    if (this.#isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this.#lastLr.slice();
  }
}
