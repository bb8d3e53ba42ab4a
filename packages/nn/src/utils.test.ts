/**
 * nn.utils: gradient clipping as PyTorch computes it, and flattening parameters.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "./index.js";
import { maxDiff, REF } from "./testdata/reference.js";

describe("utils", () => {
  it("clipGradNorm_ scales by maxNorm / (total + 1e-6) and returns the total norm", () => {
    const a = new nn.Parameter(A.tensor([3, 4]));
    const b = new nn.Parameter(A.tensor([[1, 2]]));
    a.grad = A.tensor([3, 4]);
    b.grad = A.tensor([[12, 0]]);
    const total = nn.utils.clipGradNorm_([a, b], 1.0);
    expect(
      maxDiff([total.item(), ...a.grad.data.toArray(), ...b.grad!.data.toArray()], REF.clip),
    ).toBe(0);
    a.grad = A.tensor([3, -4]);
    b.grad = A.tensor([[1, 0.5]]);
    const inf = nn.utils.clipGradNorm_([a, b], 2.0, { normType: Number.POSITIVE_INFINITY });
    expect(
      maxDiff([inf.item(), ...a.grad.data.toArray(), ...b.grad!.data.toArray()], REF.clip_inf),
    ).toBe(0);
  });

  it("clipGradNorm_ leaves small gradients alone, skips missing ones, and can reject non-finite norms", () => {
    const a = new nn.Parameter(A.tensor([0.3, 0.4]));
    const b = new nn.Parameter(A.tensor([1]));
    a.grad = A.tensor([0.3, 0.4]);
    expect(nn.utils.clipGradNorm_([a, b], 1).item()).toBeCloseTo(0.5, 6);
    expect(a.grad.data.toArray()).toEqual([0.30000001192092896, 0.4000000059604645]);
    a.grad = A.tensor([Number.NaN, 1]);
    expect(() => nn.utils.clipGradNorm_(a, 1, { errorIfNonfinite: true })).toThrow(/non-finite/);
    expect(nn.utils.clipGradNorm_([], 1).item()).toBe(0);
  });

  it("clipGradValue_ clamps every gradient", () => {
    const a = new nn.Parameter(A.tensor([1, 2, 3]));
    a.grad = A.tensor([-2, 0.1, 5]);
    nn.utils.clipGradValue_([a], 0.5);
    expect(a.grad.data.toArray()).toEqual([-0.5, 0.10000000149011612, 0.5]);
  });

  it("parametersToVector and vectorToParameters round-trip", () => {
    const lin = new nn.Linear(3, 2);
    const vec = nn.utils.parametersToVector(lin.parameters());
    expect(vec.shape).toEqual([8]);
    expect(vec.requiresGrad).toBe(true);
    const next = A.arange(8).to("float32");
    nn.utils.vectorToParameters(next, lin.parameters());
    expect(lin.weight.tolist()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(lin.bias!.tolist()).toEqual([6, 7]);
    expect(lin.weight.requiresGrad).toBe(true);
  });
});
