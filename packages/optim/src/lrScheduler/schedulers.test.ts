// Expected learning rates were printed by PyTorch 1.13 (torch.optim.lr_scheduler) for the same
// calls; the single-scheduler fixture cases run in @x/testing's conformance suite.
import { Tensor } from "@x/autograd";
import { fromArray } from "@x/storage";
import { describe, expect, it } from "vitest";
import { SGD } from "../sgd.js";
import { OneCycleLR, ReduceLROnPlateau, SequentialLR } from "./composite.js";
import { ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR } from "./schedulers.js";

function sgd(lr = 0.1) {
  return new SGD([new Tensor(fromArray([0]), { requiresGrad: true })], { lr });
}

function run(opt: SGD, sched: { step(): void }, n: number): number[] {
  const lrs: number[] = [];
  for (let e = 0; e < n; e++) {
    lrs.push(opt.paramGroups[0]!.lr);
    opt.step();
    sched.step();
  }
  return lrs;
}

function close(a: number[], b: number[]) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    expect(v).toBeCloseTo(b[i]!, 7);
  });
}

describe("schedulers beyond the fixture", () => {
  it("SequentialLR hands over at the milestone", () => {
    const opt = sgd();
    const s = new SequentialLR(opt, {
      schedulers: [
        new LinearLR(opt, { startFactor: 0.5, totalIters: 2 }),
        new ExponentialLR(opt, { gamma: 0.9 }),
      ],
      milestones: [3],
    });
    close(run(opt, s, 8), [0.05, 0.075, 0.1, 0.1, 0.09, 0.081, 0.0729, 0.06561]);
  });

  it("ReduceLROnPlateau halves after the patience runs out", () => {
    const opt = sgd();
    const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
    const lrs = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5].map((m) => {
      s.step(m);
      return opt.paramGroups[0]!.lr;
    });
    close(lrs, [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.0125]);
  });

  it("LambdaLR and MultiplicativeLR", () => {
    const a = sgd();
    close(run(a, new LambdaLR(a, { lrLambda: (e) => 0.9 ** e }), 4), [0.1, 0.09, 0.081, 0.0729]);
    const b = sgd();
    close(
      run(b, new MultiplicativeLR(b, { lrLambda: () => 0.95 }), 4),
      [0.1, 0.095, 0.09025, 0.0857375],
    );
  });

  it("OneCycleLR three-phase linear, cycling momentum", () => {
    const opt = new SGD([new Tensor(fromArray([0]), { requiresGrad: true })], {
      lr: 0.1,
      momentum: 0.9,
    });
    const s = new OneCycleLR(opt, {
      maxLr: 0.5,
      totalSteps: 6,
      annealStrategy: "linear",
      threePhase: true,
    });
    const got: [number, number][] = [];
    for (let e = 0; e < 6; e++) {
      got.push([opt.paramGroups[0]!.lr, opt.paramGroups[0]!.momentum]);
      opt.step();
      s.step();
    }
    const want = [
      [0.02, 0.95],
      [0.38, 0.875],
      [0.01764729, 0.95],
      [0.01176553, 0.95],
      [0.00588376, 0.95],
      [2e-6, 0.95],
    ];
    got.forEach(([lr, m], i) => {
      expect(lr).toBeCloseTo(want[i]![0]!, 7);
      expect(m).toBeCloseTo(want[i]![1]!, 6);
    });
    expect(() => s.step()).toThrow(
      "Tried to step 7 times. The specified number of total steps is 6",
    );
  });
});
