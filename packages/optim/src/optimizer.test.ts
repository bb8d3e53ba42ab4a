import { Tensor } from "@x/autograd";
import { fromArray } from "@x/storage";
import { describe, expect, it } from "vitest";
import { Adam } from "./adam.js";
import { SGD } from "./sgd.js";

const leaf = (v: number[]) => new Tensor(fromArray(v), { requiresGrad: true });

describe("Optimizer", () => {
  it("checks its arguments with PyTorch's messages", () => {
    expect(() => new SGD([], { lr: 0.1 })).toThrow("optimizer got an empty parameter list");
    expect(() => new SGD([leaf([1])], { lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(() => new Adam([leaf([1])], { betas: [1, 0.9] })).toThrow(
      "Invalid beta parameter at index 0: 1",
    );
    const p = leaf([1]);
    expect(() => new SGD([{ params: [p] }, { params: [p] }], { lr: 1 })).toThrow(
      "some parameters appear in more than one parameter group",
    );
  });

  it("uses per-group options and skips parameters without a gradient", () => {
    const a = leaf([1, 1]);
    const b = leaf([1, 1]);
    const c = leaf([5]);
    const opt = new SGD([{ params: [a] }, { params: [b, c], lr: 0.5 }], { lr: 0.1 });
    a.grad = new Tensor(fromArray([1, 2]));
    b.grad = new Tensor(fromArray([1, 2]));
    opt.step();
    expect(a.data.toArray().map((v) => Math.fround(v))).toEqual([
      Math.fround(0.9),
      Math.fround(0.8),
    ]);
    expect(b.data.toArray()).toEqual([0.5, 0]);
    expect(c.data.toArray()).toEqual([5]);
    expect([a.isLeaf, a.requiresGrad]).toEqual([true, true]);
  });

  it("round-trips its state through stateDict", () => {
    const p = leaf([1, 2]);
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = new Tensor(fromArray([0.5, -0.5]));
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups[0]!.params).toEqual([0]);
    expect(sd.state[0]!.step).toBe(1);
    const q = leaf(p.data.toArray());
    const opt2 = new Adam([q], { lr: 0.1 });
    opt2.loadStateDict(sd);
    p.grad = new Tensor(fromArray([0.1, 0.2]));
    q.grad = new Tensor(fromArray([0.1, 0.2]));
    opt.step();
    opt2.step();
    expect(q.data.toArray()).toEqual(p.data.toArray());
  });
});
