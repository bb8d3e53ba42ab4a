/**
 * The learning-rate scheduler base, as PyTorch's `LRScheduler`: constructing it records each
 * group's `initialLr` and takes the first step (epoch 0); `step()` advances one epoch and sets
 * each group's `lr` from the chainable formula `getLr()`.
 */
import { ValueError } from "@x/storage";
import type { GroupOptions, Optimizer } from "../optimizer.js";

type Group = GroupOptions & { initialLr?: number };

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  readonly baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  #lastLr: number[] = [];

  constructor(optimizer: Optimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as Group[];
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new ValueError(
            `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Takes the first step; subclasses call it at the end of their constructor. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Current learning rates of the groups (chainable form). */
  protected abstract getLr(): number[];

  /** The learning rates at `epoch` from the base rates, where a closed form exists. */
  closedFormLr(_epoch: number): number[] | null {
    return null;
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as Group[];
  }

  /** Advances one epoch (or jumps to `epoch`, using the closed form when there is one). */
  step(epoch?: number): void {
    this.stepCount++;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      lrs = this.getLr();
    } else {
      this.lastEpoch = epoch;
      lrs = this.closedFormLr(epoch) ?? this.getLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.#lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rates set by the last `step()`. */
  getLastLr(): number[] {
    return this.#lastLr.slice();
  }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = v;
    out.lastLr = this.#lastLr.slice();
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    const { lastLr, ...rest } = sd;
    Object.assign(this, rest);
    if (Array.isArray(lastLr)) this.#lastLr = lastLr as number[];
  }
}
