/**
 * The digits MLP as a PyTorch user writes it: a small Module subclass, `model(x)`,
 * `loss.backward()`, `opt.step()`, `opt.zeroGrad()` — from the fixture's initial weights it
 * reaches the accuracy PyTorch reached.
 */
import { describe, expect, it } from "vitest";
import * as x from "x";
import { type FixtureTensor, loadFixture, toNDArray } from "./conformance/fixtures.js";
import { digitsBatch } from "./conformance/training.js";

class MLP extends x.nn.Module {
  fc1 = new x.nn.Linear(64, 32);
  fc2 = new x.nn.Linear(32, 10);

  forward(input: x.Tensor): x.Tensor {
    return this.fc2(this.fc1(input).relu());
  }
}

describe("training the digits MLP like a PyTorch user", () => {
  it("reaches PyTorch's test accuracy", () => {
    const fx = loadFixture<{
      initial_state: Record<string, FixtureTensor>;
      batch_rows: [number, number][];
      final_test_accuracy_rows_1500_to_1797: number;
    }>("training-public.json");
    const model = new MLP();
    // PyTorch's Sequential names the layers 0 and 2; this module names them fc1 and fc2.
    const rename: Record<string, string> = { "0": "fc1", "2": "fc2" };
    const state = new Map(
      Object.entries(fx.initial_state).map(([k, t]) => {
        const [layer, param] = k.split(".") as [string, string];
        return [`${rename[layer]}.${param}`, new x.Tensor(toNDArray(t))];
      }),
    );
    model.loadStateDict(state);
    const opt = new x.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    for (const [a, b] of fx.batch_rows) {
      const [xs, ys] = digitsBatch(a, b);
      const loss = x.F.crossEntropy(model(xs), ys);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    const [xs, ys] = digitsBatch(1500, 1797);
    const acc = x.noGrad(() => model(xs).argmax(1).eq(ys).sum().item() / 297);
    expect(acc).toBeCloseTo(fx.final_test_accuracy_rows_1500_to_1797, 2);
    expect(acc).toBeGreaterThan(0.7);
  });
});
