import { describe, expect, it } from "vitest";
import {
  AccumulateGrad,
  autograd,
  ones,
  setTensorName,
  type Tensor,
  tensor,
  zeros,
} from "./index.js";

describe("engine", () => {
  it("backpropagates through a 100,000-op chain (no recursion limit)", () => {
    const x = tensor([1], { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1.00001);
    y.sum().backward();
    expect(x.grad!.item()).toBeCloseTo(1.00001 ** 100_000, 1);
  }, 60_000);

  it("runs each node once, after all its gradients arrived (diamond)", () => {
    const x = tensor([2], { requiresGrad: true });
    const a = x.mul(3);
    const b = a.mul(a).add(a.exp()); // d/dx = (2a + e^a)·3
    b.sum().backward();
    expect(x.grad!.item()).toBeCloseTo((2 * 6 + Math.exp(6)) * 3, 0);
  });

  it("sums broadcast gradients back to each input's shape and casts to its dtype", () => {
    const a = ones(2, 3, { requiresGrad: true });
    const b = ones(3, { requiresGrad: true });
    const c = tensor(2, { dtype: "float64", requiresGrad: true });
    a.add(b).mul(c).sum().backward();
    expect(b.grad!.tolist()).toEqual([4, 4, 4]);
    expect(c.grad!.shape).toEqual([]);
    expect(c.grad!.dtype).toBe("float64");
    expect(c.grad!.item()).toBe(12);
    expect(a.grad!.dtype).toBe("float32");
  });

  it("keeps the graph with retainGraph, frees it otherwise", () => {
    const x = ones(2, { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(x.grad!.tolist()).toEqual([2 * Math.E, 2 * Math.E].map(Math.fround));
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
    // Nodes that saved nothing can run again, as in PyTorch.
    const z = x.add(1).sum();
    z.backward();
    z.backward();
  });

  it("exposes nextFunctions as PyTorch", () => {
    const x = ones(2, { requiresGrad: true });
    const y = x.mul(2);
    const [[n0, i0], [n1, i1]] = y.gradFn!.nextFunctions as [[unknown, number], [unknown, number]];
    expect(n0).toBeInstanceOf(AccumulateGrad);
    expect((n0 as AccumulateGrad).variable).toBe(x);
    expect([i0, n1, i1]).toEqual([0, null, 0]);
    expect(x.sub(1).gradFn!.nextFunctions.length).toBe(2);
    expect(x.sub(1).mul(x).gradFn!.nextFunctions[0]![0]!.name).toBe("SubBackward0");
  });

  it("autograd.grad: checks, allowUnused, no accumulation into .grad", () => {
    const x = ones(2, { requiresGrad: true });
    const u = ones(2, { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(() => autograd.grad(y, [x, ones(2)], { retainGraph: true })).toThrow(
      "One of the differentiated Tensors does not require grad",
    );
    expect(() => autograd.grad(y, [x, u], { retainGraph: true })).toThrow(
      "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
    );
    const [gx, gu] = autograd.grad(y, [x, u], { allowUnused: true });
    expect(gx!.tolist()).toEqual([2, 2]);
    expect(gu).toBe(null);
    expect(x.grad).toBe(null);
    expect(() => ones(2).sum().backward()).toThrow(
      "element 0 of tensors does not require grad and does not have a grad_fn",
    );
    expect(() => x.mul(2).backward(ones(3))).toThrow(
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).",
    );
  });

  it("autograd.grad w.r.t. a non-leaf and with gradOutputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const y = h.square();
    const [gh] = autograd.grad(y, h, { gradOutputs: tensor([1, 10]) });
    expect(gh!.tolist()).toEqual([6, 120]);
  });

  it("second and third derivatives", () => {
    const x = tensor([0.5, 1], { requiresGrad: true, dtype: "float64" });
    const y = x.sin().mul(x).sum(); // y' = cos x·x + sin x
    const [g1] = autograd.grad(y, x, { createGraph: true });
    const [g2] = autograd.grad(g1!.sum(), x, { createGraph: true }); // -sin x·x + 2cos x
    const [g3] = autograd.grad(g2!.sum(), x); // -cos x·x - 3 sin x
    const v = [0.5, 1];
    expect(g1!.tolist()).toEqual(v.map((t) => Math.cos(t) * t + Math.sin(t)));
    (g2!.tolist() as number[]).forEach((g, i) => {
      expect(g).toBeCloseTo(-Math.sin(v[i]!) * v[i]! + 2 * Math.cos(v[i]!), 12);
    });
    (g3!.tolist() as number[]).forEach((g, i) => {
      expect(g).toBeCloseTo(-Math.cos(v[i]!) * v[i]! - 3 * Math.sin(v[i]!), 12);
    });
  });

  it("backward with createGraph accumulates a differentiable .grad", () => {
    const x = tensor([3], { requiresGrad: true });
    x.pow(2).sum().backward(null, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    const [gg] = autograd.grad(x.grad!.sum(), x);
    expect(gg!.tolist()).toEqual([2]);
  });

  it("hooks on non-leaves, retainGrad, node hooks", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(3);
    });
    y.retainGrad();
    const calls: string[] = [];
    y.gradFn!.registerHook((gin, gout) => {
      calls.push(`${gin.length}/${gout.length}`);
    });
    y.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(y.grad!.tolist()).toEqual([3, 3]);
    expect(x.grad!.tolist()).toEqual([6, 6]);
    expect(calls).toEqual(["2/1"]);
    expect(() => ones(2).registerHook((g) => g)).toThrow(
      "cannot register a hook on a tensor that doesn't require gradient",
    );
  });

  it("names a tensor in the version-counter error, without the node for a leaf", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    setTensorName(w, "fc1.weight");
    const y = w.mul(w).sum();
    w.data.storage.bumpVersion();
    expect(() => y.backward()).toThrow(
      "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]] (fc1.weight) is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).",
    );
  });

  it("checks the shape of assigned grads", () => {
    const x = zeros(2, { requiresGrad: true });
    expect(() => {
      x.grad = ones(3);
    }).toThrow("assigned grad has data of a different size");
    expect(() => {
      x.grad = ones(2, { dtype: "float64" });
    }).toThrow("assigned grad has data of a different type");
  });

  it("anomaly detection names the node that produced NaN, with the forward stack", () => {
    const x = tensor([0], { requiresGrad: true });
    const y = autograd.detectAnomaly(() => x.sqrt().mul(0).sum());
    expect(() => autograd.detectAnomaly(() => y.backward())).toThrow(
      /Function 'SqrtBackward0' returned nan values in its 0th output\.\nTraceback of forward call that caused the error:\n.*engine\.test\.ts/s,
    );
    // Without anomaly detection the NaN just propagates.
    const z = x.sqrt().mul(0).sum();
    z.backward();
    expect(Number.isNaN(x.grad!.item())).toBe(true);
  });
});
