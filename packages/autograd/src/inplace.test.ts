/**
 * In-place ops: PyTorch's checks, rebasing history, views (CopySlices), and the values PyTorch
 * 1.13 gives for the same programs.
 */
import { describe, expect, it } from "vitest";
import { autograd, inferenceMode, noGrad, ones, type Tensor, tensor, zeros } from "./index.js";

const X = () =>
  tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { requiresGrad: true },
  );
const W = () =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

describe("in-place ops", () => {
  it("rebase a non-leaf's history and give PyTorch's node names", () => {
    const x = X();
    const names = [
      x.mul(1).fill_(2),
      x.mul(1).zero_(),
      x.mul(1).copy_(ones(3)),
      x.mul(1).maskedFill_(x.gt(2), 0),
      x.mul(1).clamp_(0, 1),
      x.mul(1).add_(1),
    ].map((t) => t.gradFn!.name);
    expect(names).toEqual([
      "FillBackward2",
      "ZeroBackward0",
      "CopyBackwards",
      "MaskedFillBackward0",
      "ClampBackward1",
      "AddBackward0",
    ]);
  });

  it("relu_ on a non-leaf", () => {
    const x = X();
    const y = x.sub(3);
    y.relu_();
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    expect(y.gradFn!.name).toBe("ReluBackward0");
  });

  it("a leaf that does not require grad becomes a non-leaf when an operand requires grad", () => {
    const w = tensor([10, 20, 30], { requiresGrad: true });
    const a = zeros(3);
    a.add_(w);
    expect([a.requiresGrad, a.gradFn!.name, a.isLeaf]).toEqual([true, "AddBackward0", false]);
  });

  it("in place on a view of a non-leaf routes the base's gradient (CopySlices)", () => {
    const x = X();
    const y = x.mul(1);
    const v = y.select(0, 0);
    v.mul_(2);
    expect([y.gradFn!.name, v.gradFn!.name]).toEqual(["CopySlices", "AsStridedBackward0"]);
    expect(y.tolist()).toEqual([
      [2, 4, 6],
      [4, 5, 6],
    ]);
    y.mul(W()).sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [2, 4, 6],
      [4, 5, 6],
    ]);
  });

  it("a view taken before an in-place op on its base regenerates its history", () => {
    const x = X();
    const y = x.mul(1);
    const v = y.select(1, 1);
    y.mul_(3);
    expect(v.gradFn!.name).toBe("AsStridedBackward0");
    v.mul(tensor([1, 2]))
      .sum()
      .backward();
    expect(x.grad!.tolist()).toEqual([
      [0, 3, 0],
      [0, 6, 0],
    ]);
  });

  it("an in-place op on a view with an operand that requires grad", () => {
    const x = X();
    const w = tensor([10, 20, 30], { requiresGrad: true });
    const y = x.clone();
    y.select(0, 1).add_(w.mul(2));
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(w.grad!.tolist()).toEqual([2, 2, 2]);
  });

  it("views of views", () => {
    const x = X();
    const y = x.mul(1);
    const v = y.view(6).slice(0, 1, 4);
    v.mul_(tensor([2, 3, 4]));
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [1, 2, 3],
      [4, 1, 1],
    ]);
  });

  it("refuses views of leaves that require grad, and inference tensors outside inference mode", () => {
    const x = X();
    expect(() => x.select(0, 0).add_(1)).toThrow(
      "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    );
    noGrad(() => x.select(0, 0).add_(1));
    expect(x.select(0, 0).tolist()).toEqual([2, 3, 4]);
    const u = inferenceMode(() => ones(3).mul(2));
    expect(() => u.add_(1)).toThrow(
      "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.",
    );
    expect(() => x.mul(u).sum().backward()).toThrow(
      "Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.",
    );
    expect(() => u.requiresGrad_()).toThrow(
      "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.",
    );
  });

  it("in-place ops bump the version counter shared by every alias", () => {
    const x = ones(3);
    const d = x.detach();
    const v = x.view(3, 1);
    x.add_(1);
    d.mul_(2);
    v.zero_();
    expect([x.version, d.version, v.version]).toEqual([3, 3, 3]);
  });

  it("mul_ saves the original value of self for the other operand's gradient", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(1);
    const z = y.mul(2);
    z.mul_(y); // z = 2x², dz/dx = 4x
    z.sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
  });

  it("modifying a saved result in place is caught (as PyTorch)", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const z = x.exp();
    z.mul_(x);
    expect(() => z.sum().backward()).toThrow(
      /output 0 of ExpBackward0, is at version 1; expected version 0/,
    );
  });
  it("second derivatives flow through CopySlices and regenerated views (createGraph)", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });
    // y = [x0·x1, x1·x2, x2]: Σy has gradient [x1, x0 + x2, x1 + 1] and Hessian·1 = [1, 2, 1]
    const y = x.clone();
    y.narrow(0, 0, 2).mul_(x.narrow(0, 1, 2));
    const [g] = autograd.grad(y.sum(), x, { createGraph: true });
    expect(g!.tolist()).toEqual([2, 4, 3]);
    expect(g!.requiresGrad).toBe(true);
    g!.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 2, 1]);
  });

  it("gradgradcheck passes through in-place ops on views", () => {
    const f = (a: Tensor, b: Tensor) => {
      const y = a.mul(a);
      const v = y.narrow(1, 1, 2);
      v.mul_(b);
      const u = y.select(0, 0); // taken after the in-place op: an AsStridedBackward0 view
      return y.pow(2).sum().add(u.narrow(0, 1, 2).mul(b.select(0, 1)).sum());
    };
    const opts = { requiresGrad: true, dtype: "float64" } as const;
    const A = tensor([[0.5, -1.2, 0.7], [1.1, 0.3, -0.4]], opts);
    const B = tensor([[0.9, -0.6], [0.2, 1.3]], opts);
    expect(autograd.gradcheck(f, [A, B])).toBe(true);
    expect(autograd.gradgradcheck(f, [A, B])).toBe(true);
  });
});
