/**
 * Behaviour of `F` beyond the conformance cases: dropout's draws (PyTorch's, after the same
 * seed), modes and errors worded as PyTorch words them.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import { F } from "../index.js";
import { REF } from "../testdata/reference.js";

describe("functional", () => {
  it("dropout draws its mask as PyTorch and scales by 1 / (1 - p)", () => {
    A.manualSeed(0);
    expect(F.dropout(A.ones(10), { p: 0.5 }).data.toArray()).toEqual(REF.dropout);
    A.manualSeed(1);
    expect(F.dropout2d(A.ones(2, 3, 2, 2), { p: 0.5 }).data.toArray()).toEqual(REF.dropout2d);
    A.manualSeed(0);
    expect(F.dropout(A.ones(2, 3), { p: 0.2 }).tolist()).toEqual([
      [0, 1.25, 1.25],
      [0, 1.25, 1.25],
    ]);
  });

  it("dropout is the identity in evaluation or with p = 0, and zero with p = 1", () => {
    const x = A.randn(3, 4).requiresGrad_();
    expect(F.dropout(x, { training: false })).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    const z = F.dropout(x, { p: 1 });
    expect(z.data.toArray().every((v) => v === 0)).toBe(true);
    z.sum().backward();
    expect(x.grad!.data.toArray().every((v) => v === 0)).toBe(true);
    expect(() => F.dropout(x, { p: 1.5 })).toThrow(
      "dropout probability has to be between 0 and 1, but got 1.5",
    );
  });

  it("linear on a matrix with a bias is one addmm, as PyTorch records it", () => {
    const x = A.randn(3, 4).requiresGrad_();
    const w = A.randn(5, 4).requiresGrad_();
    const b = A.randn(5).requiresGrad_();
    const y = F.linear(x, w, b);
    expect(y.gradFn!.name).toBe("AddmmBackward0");
    expect(y.gradFn!.nextFunctions.map(([n]) => n?.name)).toEqual([
      "AccumulateGrad",
      "AccumulateGrad",
      "TBackward0",
    ]);
    expect(F.linear(x.detach(), w, b).gradFn!.nextFunctions.map(([n]) => n?.name ?? null)).toEqual([
      "AccumulateGrad",
      null,
      "TBackward0",
    ]);
    // without a bias, or on another rank: a product (then an add)
    expect(F.linear(x, w).gradFn!.name).toBe("MmBackward0");
    expect(F.linear(x.select(0, 0), w, b).gradFn!.name).toBe("AddBackward0");
    // the same values as the product plus the bias, and the weight's gradient laid out as it is
    expect(y.allclose(x.matmul(w.t()).add(b))).toBe(true);
    y.sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
    expect(b.grad!.tolist()).toEqual([3, 3, 3, 3, 3]);
    expect(() => F.linear(x, A.ones(4), b)).toThrow("mat2 must be a matrix, got 1-D tensor");
    expect(() => F.linear(x, w, A.ones(7))).toThrow(
      "The expanded size of the tensor (5) must match the existing size (7) at non-singleton dimension 1.  Target sizes: [3, 5].  Tensor sizes: [7]",
    );
  });

  it("errors are PyTorch's", () => {
    expect(() => F.linear(A.ones(2, 3), A.ones(4, 5))).toThrow(
      "mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)",
    );
    const y = (v: number[]) => A.tensor(v, { dtype: "int64" });
    expect(() => F.crossEntropy(A.ones(2, 3), y([0, 5]))).toThrow("Target 5 is out of bounds.");
    expect(() => F.nllLoss(A.ones(2, 3), y([0, 1, 1]))).toThrow(
      "Expected input batch_size (2) to match target batch_size (3).",
    );
    expect(() => F.crossEntropy(A.ones(2, 3), A.ones(2))).toThrow(
      "expected scalar type Long but found Float",
    );
    expect(() => F.binaryCrossEntropy(A.tensor([1.5]), A.tensor([1]))).toThrow(
      "all elements of input should be between 0 and 1",
    );
    expect(() => F.binaryCrossEntropy(A.tensor([0.5, 0.5]), A.tensor([1]))).toThrow(
      "Using a target size (torch.Size([1])) that is different to the input size (torch.Size([2])) is deprecated. Please ensure they have the same size.",
    );
    expect(() => F.binaryCrossEntropyWithLogits(A.tensor([0.5, 0.5]), A.tensor([1]))).toThrow(
      "Target size (torch.Size([1])) must be the same as input size (torch.Size([2]))",
    );
    expect(() => F.layerNorm(A.ones(2, 3), [4])).toThrow(
      "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]",
    );
    expect(() => F.groupNorm(A.ones(2, 4, 3), 3)).toThrow(
      "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 4, 3] and num_groups=3",
    );
    expect(() => F.embedding(y([7]), A.ones(5, 2))).toThrow("index out of range in self");
    expect(() => F.glu(A.ones(2, 5))).toThrow(
      "Halving dimension must be even, but dimension 1 is size 5",
    );
    expect(() => F.mseLoss(A.ones(2), A.ones(2), { reduction: "avg" as never })).toThrow(
      "avg is not a valid value for reduction",
    );
  });

  it("cross entropy with ignored targets only is NaN, as PyTorch's 0/0", () => {
    const loss = F.crossEntropy(A.randn(2, 3), A.tensor([-100, -100], { dtype: "int64" }));
    expect(Number.isNaN(loss.item())).toBe(true);
  });

  it("embedding gives no gradient to the padding row", () => {
    const w = A.randn(4, 2).requiresGrad_();
    const out = F.embedding(A.tensor([[1, 0, 1]], { dtype: "int64" }), w, { paddingIdx: 1 });
    expect(out.select(1, 0).data.toArray()).toEqual(w.select(0, 1).data.toArray());
    out.sum().backward();
    expect(w.grad!.tolist()).toEqual([
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it("softmax family accepts the dim positionally or as an option", () => {
    const x = A.randn(2, 3);
    expect(F.softmax(x, { dim: 1 }).data.toArray()).toEqual(F.softmax(x, 1).data.toArray());
    expect(
      F.logSoftmax(x, 0)
        .exp()
        .sum(0)
        .data.toArray()
        .every((v) => Math.abs(v - 1) < 1e-6),
    ).toBe(true);
    expect(F.softmin(x, 1).data.toArray()).toEqual(F.softmax(x.neg(), 1).data.toArray());
  });
});
