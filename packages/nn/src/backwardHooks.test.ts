import { type Tensor, tensor } from "@x/autograd";
import { describe, expect, it } from "vitest";
import { Linear } from "./modules/linear.js";

describe("registerFullBackwardHook", () => {
  it("sees grad_output and grad_input, and may replace grad_input", () => {
    const lin = new Linear(2, 1);
    lin.weight.data.fill_(2);
    lin.bias!.data.fill_(0);
    const seen: { gi: (Tensor | null)[]; go: (Tensor | null)[] }[] = [];
    const h = lin.registerFullBackwardHook((_m, gi, go) => {
      seen.push({ gi, go });
      return [gi[0]!.mul(10)];
    });
    const input = tensor([[1, 1]], { requiresGrad: true });
    lin(input).mul(3).sum().backward();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.go[0]!.tolist()).toEqual([[3]]);
    expect(seen[0]!.gi[0]!.tolist()).toEqual([[6, 6]]);
    expect(input.grad!.tolist()).toEqual([[60, 60]]);
    expect(lin.weight.grad!.tolist()).toEqual([[3, 3]]);
    h.remove();
    input.grad = null;
    lin(input).sum().backward();
    expect(input.grad!.tolist()).toEqual([[2, 2]]);
    expect(seen).toHaveLength(1);
  });

  it("is called with null input grads when no input requires grad", () => {
    const lin = new Linear(2, 1);
    let called = 0;
    lin.registerFullBackwardHook((_m, gi, go) => {
      called++;
      expect(gi).toEqual([]);
      expect(go[0]!.shape).toEqual([1, 1]);
    });
    lin(tensor([[1, 1]]))
      .sum()
      .backward();
    expect(called).toBe(1);
  });
});
