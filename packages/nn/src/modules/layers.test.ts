/**
 * Layer behaviour beyond the conformance cases: batch-norm statistics and modes, parameter and
 * buffer names, dropout modes, padding modes, pooling with indices, loss modules, and a small
 * model trained by hand as a PyTorch user would.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "../index.js";
import { maxDiff, REF } from "../testdata/reference.js";

const values = (t: A.Tensor) => t.data.toArray();

describe("layers", () => {
  it("BatchNorm: cumulative average with momentum null, eval uses running statistics", () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    expect(bn.namedBuffers().map(([n]) => n)).toEqual([
      "running_mean",
      "running_var",
      "num_batches_tracked",
    ]);
    bn(
      A.tensor([
        [1, 2],
        [3, 5],
      ]),
    );
    bn(
      A.tensor([
        [0, 1],
        [2, 2],
        [4, 0],
      ]),
    );
    expect(
      maxDiff(
        [...values(bn.runningMean!), ...values(bn.runningVar!), bn.numBatchesTracked!.item()],
        REF.bn_cma,
      ),
    ).toBe(0);
    bn.eval();
    const out = bn(A.tensor([[1, 2]]));
    const [rm, rv] = [values(bn.runningMean!), values(bn.runningVar!)];
    expect(
      maxDiff(values(out), [
        (1 - rm[0]!) / Math.sqrt(rv[0]! + 1e-5),
        (2 - rm[1]!) / Math.sqrt(rv[1]! + 1e-5),
      ]),
    ).toBeLessThan(1e-6);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expect(() => new nn.BatchNorm2d(3)(A.ones(2, 3))).toThrow("expected 4D input (got 2D input)");
    expect(() => new nn.BatchNorm1d(3)(A.ones(1, 3))).toThrow(
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
    );
  });

  it("BatchNorm without running statistics registers none and always uses the batch", () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(bn.namedParameters()).toEqual([]);
    expect([...bn.stateDict().keys()]).toEqual([]);
    bn.eval();
    const out = bn(
      A.tensor([
        [1, 2],
        [3, 6],
      ]),
    );
    expect(maxDiff(values(out), [-1, -1, 1, 1])).toBeLessThan(1e-4);
  });

  it("Dropout follows train() and eval()", () => {
    const d = new nn.Dropout(0.5);
    const x = A.ones(100);
    expect(values(d(x)).some((v) => v === 0)).toBe(true);
    d.eval();
    expect(d(x)).toBe(x);
    expect(() => new nn.Dropout(2)).toThrow(
      "dropout probability has to be between 0 and 1, but got 2",
    );
  });

  it("Conv2d padding modes pad explicitly, as PyTorch", () => {
    A.manualSeed(1);
    const conv = new nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: "reflect" });
    const x = A.randn(1, 1, 4, 4);
    const manual = nn.F.conv2d(
      nn.F.pad(x, [1, 1, 1, 1], { mode: "reflect" }),
      conv.weight,
      conv.bias,
    );
    expect(conv(x).shape).toEqual([1, 2, 4, 4]);
    expect(maxDiff(values(conv(x)), values(manual))).toBe(0);
    expect(() => new nn.Conv2d(2, 3, 3, { groups: 2 })).toThrow(
      "out_channels must be divisible by groups",
    );
    expect(() => new nn.Conv2d(2, 4, 3, { padding: "same", stride: 2 })).toThrow(
      "padding='same' is not supported for strided convolutions",
    );
  });

  it("MaxPool2d with returnIndices gives PyTorch's flat indices", () => {
    const x = A.tensor([
      [
        [
          [1, 5],
          [3, 2],
        ],
      ],
    ]);
    const [v, i] = new nn.MaxPool2d(2, { returnIndices: true })(x) as unknown as [
      A.Tensor,
      A.Tensor,
    ];
    expect(v.tolist()).toEqual([[[[5]]]]);
    expect(i.tolist()).toEqual([[[[1]]]]);
    expect(i.dtype).toBe("int64");
  });

  it("loss modules keep their weights as buffers and call F", () => {
    const weight = A.tensor([1, 2, 3]);
    const ce = new nn.CrossEntropyLoss({ weight, labelSmoothing: 0.1 });
    expect([...ce.stateDict().keys()]).toEqual(["weight"]);
    const logits = A.randn(4, 3);
    const target = A.tensor([0, 2, 1, 2], { dtype: "int64" });
    expect(ce(logits, target).item()).toBe(
      nn.F.crossEntropy(logits, target, { weight, labelSmoothing: 0.1 }).item(),
    );
    const bce = new nn.BCEWithLogitsLoss({ posWeight: A.tensor([2]) });
    expect([...bce.stateDict().keys()]).toEqual(["pos_weight"]);
    expect(new nn.MSELoss({ reduction: "sum" })(A.tensor([1, 2]), A.tensor([0, 0])).item()).toBe(5);
  });

  it("Flatten, Unflatten, Identity, Upsample and activation modules", () => {
    const x = A.randn(2, 3, 4);
    expect(new nn.Flatten()(x).shape).toEqual([2, 12]);
    expect(new nn.Unflatten(1, [2, 6])(new nn.Flatten()(x)).shape).toEqual([2, 2, 6]);
    expect(new nn.Identity(54, { unused: true })(x)).toBe(x);
    expect(new nn.Upsample({ scaleFactor: 2 })(A.randn(1, 1, 2, 3)).shape).toEqual([1, 1, 4, 6]);
    expect(values(new nn.LeakyReLU(0.5)(A.tensor([-2, 2])))).toEqual([-1, 2]);
    expect(values(new nn.ReLU()(A.tensor([-2, 2])))).toEqual([0, 2]);
    const prelu = new nn.PReLU({ numParameters: 2 });
    expect(values(prelu(A.tensor([[-4, -8]])))).toEqual([-1, -2]);
    expect(prelu.namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("trains a small model by hand as a PyTorch user would", () => {
    A.manualSeed(0);
    class MLP extends nn.Module {
      fc1 = new nn.Linear(2, 16);
      act = new nn.Tanh();
      fc2 = new nn.Linear(16, 2);

      forward(x: A.Tensor): A.Tensor {
        return this.fc2(this.act(this.fc1(x)));
      }
    }
    const model = new MLP();
    expect([...model.stateDict().keys()]).toEqual([
      "fc1.weight",
      "fc1.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
    const x = A.tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = A.tensor([0, 1, 1, 0], { dtype: "int64" });
    const lossFn = new nn.CrossEntropyLoss();
    let first = 0;
    let last = 0;
    for (let step = 0; step < 300; step++) {
      const loss = lossFn(model(x), y);
      if (step === 0) first = loss.item();
      last = loss.item();
      model.zeroGrad();
      loss.backward();
      A.noGrad(() => {
        for (const p of model.parameters()) p.sub_(p.grad!.mul(0.5));
      });
    }
    expect(last).toBeLessThan(first / 10);
    expect(values(model(x).argmax(1))).toEqual([0, 1, 1, 0]);
  });
});
