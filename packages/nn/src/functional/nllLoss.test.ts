/**
 * `F.nllLoss` / `F.crossEntropy` with class indices: one `nll_loss` node as in PyTorch 1.13
 * (names and edges as PyTorch records them), values and gradients equal to the loss composed
 * of gather / mul / sum, second derivatives, and PyTorch's errors.
 */

import type { Node, Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import type { NestedArray } from "@x/storage";
import { describe, expect, it } from "vitest";
import { F } from "../index.js";

const long = (v: NestedArray) => A.tensor(v, { dtype: "int64" });
const f64 = (v: NestedArray) => A.tensor(v, { dtype: "float64" });

/** The graph below `t` as nested names: `[name, [children…]]` (AccumulateGrad included). */
function graph(n: Node | null, depth = 3): unknown {
  if (n === null) return null;
  if (depth === 0) return n.name;
  return [n.name, n.nextFunctions.map(([c]) => graph(c, depth - 1))];
}

interface Case {
  input: number[];
  target: NestedArray;
  weight?: number[];
  ignoreIndex?: number;
  reduction?: "none" | "mean" | "sum";
}

/**
 * The loss composed of autograd ops (what `F.nllLoss` computed before it was one op): pick
 * `input[t]` along the class dim, scale by `-weight[t]` (0 where ignored), reduce.
 */
function composed(input: Tensor, target: Tensor, c: Case): Tensor {
  const dim = input.ndim === 1 ? 0 : 1;
  const ignore = c.ignoreIndex ?? -100;
  const t = target.data.toArray();
  const w = c.weight ?? null;
  const safe = t.map((v) => (v === ignore ? 0 : v));
  const per = t.map((v) => (v === ignore ? 0 : w ? w[v]! : 1));
  const shape = target.shape.slice();
  const safeT = A.tensor(safe, { dtype: "int64" }).reshape(shape);
  const perT = A.tensor(per, { dtype: input.dtype }).reshape(shape);
  const loss = input.gather(dim, safeT.unsqueeze(dim)).squeeze(dim).mul(perT).neg();
  const reduction = c.reduction ?? "mean";
  if (reduction === "none") return loss;
  if (reduction === "sum") return loss.sum();
  return loss.sum().div(per.reduce((a, b) => a + b, 0));
}

/** `got` and `want` agree to `digits` decimals, element by element. */
function expectClose(got: readonly number[], want: readonly number[], digits: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, digits);
}

function randInput(shape: number[], dtype: "float32" | "float64"): Tensor {
  return A.randn(shape, { dtype }).requiresGrad_();
}

/** Loss and input gradient (for a random upstream gradient) of `loss`. */
function valueAndGrad(
  loss: (x: Tensor) => Tensor,
  x0: Tensor,
  gen: A.Generator,
): { value: number[]; grad: number[] } {
  const x = x0.detach().requiresGrad_();
  const y = loss(x);
  const g = A.randn(y.shape, { dtype: y.dtype, generator: gen });
  y.backward(g);
  return { value: y.data.toArray(), grad: x.grad!.data.toArray() };
}

describe("F.nllLoss as one op", () => {
  it("records PyTorch's nodes", () => {
    const x = A.randn(3, 5).requiresGrad_();
    const t = long([1, 0, 4]);
    expect(graph(F.crossEntropy(x, t).gradFn)).toEqual([
      "NllLossBackward0",
      [["LogSoftmaxBackward0", [["AccumulateGrad", []]]]],
    ]);
    expect(graph(F.nllLoss(x, t).gradFn)).toEqual(["NllLossBackward0", [["AccumulateGrad", []]]]);
    expect(F.nllLoss(x, t, { reduction: "none" }).gradFn!.name).toBe("NllLossBackward0");
    expect(F.nllLoss(A.randn(5).requiresGrad_(), long(2)).gradFn!.name).toBe("NllLossBackward0");
    const x4 = A.randn(2, 5, 3, 2).requiresGrad_();
    const t4 = A.randint(0, 5, [2, 3, 2]);
    expect(graph(F.nllLoss(x4, t4).gradFn, 1)).toEqual(["NllLoss2DBackward0", ["AccumulateGrad"]]);
    expect(graph(F.crossEntropy(x4, t4, { reduction: "none" }).gradFn, 1)).toEqual([
      "NllLoss2DBackward0",
      ["LogSoftmaxBackward0"],
    ]);
    // 3-d and 5-d inputs run the 2-d loss on a view, the output of "none" viewed back
    const x3 = A.randn(2, 5, 3).requiresGrad_();
    const t3 = A.randint(0, 5, [2, 3]);
    expect(graph(F.nllLoss(x3, t3).gradFn, 2)).toEqual([
      "NllLoss2DBackward0",
      [["ViewBackward0", ["AccumulateGrad"]]],
    ]);
    const x5 = A.randn(2, 5, 3, 2, 2).requiresGrad_();
    const none5 = F.nllLoss(x5, A.randint(0, 5, [2, 3, 2, 2]), { reduction: "none" });
    expect(none5.shape).toEqual([2, 3, 2, 2]);
    expect(graph(none5.gradFn, 2)).toEqual([
      "ViewBackward0",
      [["NllLoss2DBackward0", ["ViewBackward0"]]],
    ]);
    // label smoothing adds the smoothing term to (1 - s)·nll (PyTorch's C++ scales by Scalar
    // overloads, MulBackward1, where ours wrap the number: MulBackward0 with an empty edge)
    const smoothed = F.crossEntropy(x, t, { labelSmoothing: 0.1 }).gradFn!;
    expect(smoothed.name).toBe("AddBackward0");
    expect(graph(smoothed.nextFunctions[0]![0], 2)).toEqual([
      "MulBackward0",
      [["NllLossBackward0", ["LogSoftmaxBackward0"]], null],
    ]);
  });

  it("gives the composed loss's values and gradients", () => {
    A.manualSeed(7);
    let seed = 0;
    const cases: Case[] = [
      { input: [6, 4], target: [1, 0, 3, 2, 1, 1] },
      { input: [6, 4], target: [1, 0, 3, 2, 1, 1], reduction: "sum" },
      { input: [6, 4], target: [1, -100, 3, 2, -100, 1], reduction: "none" },
      { input: [5, 3], target: [2, 0, 1, 7, 0], weight: [0.5, 2, 1.25], ignoreIndex: 7 },
      { input: [5, 3], target: [2, 0, 1, 1, 0], weight: [0.5, 2, 1.25], reduction: "sum" },
      { input: [5, 3], target: [2, 0, 1, 1, 0], weight: [0.5, 2, 1.25], reduction: "none" },
      { input: [4], target: 3 },
      { input: [4], target: 3, weight: [1, 2, 3, 4], reduction: "none" },
      {
        input: [2, 3, 2],
        target: [
          [0, 2],
          [1, -100],
        ],
      },
      {
        input: [2, 3, 2, 2],
        target: [
          [
            [0, 2],
            [1, 1],
          ],
          [
            [2, 0],
            [-100, 1],
          ],
        ],
        weight: [3, 1, 2],
      },
      {
        input: [2, 3, 2, 2],
        target: [
          [
            [0, 2],
            [1, 1],
          ],
          [
            [2, 0],
            [-100, 1],
          ],
        ],
        reduction: "none",
      },
      {
        input: [2, 3, 1, 2, 2],
        target: [
          [
            [
              [0, 2],
              [1, 1],
            ],
          ],
          [
            [
              [2, 0],
              [0, 1],
            ],
          ],
        ],
        reduction: "sum",
      },
    ];
    for (const dtype of ["float64", "float32"] as const) {
      for (const c of cases) {
        const x = randInput(c.input, dtype);
        const target = long(c.target);
        const opts = {
          weight: c.weight ? A.tensor(c.weight, { dtype }) : null,
          ignoreIndex: c.ignoreIndex ?? -100,
          reduction: c.reduction ?? "mean",
        };
        seed++;
        const got = valueAndGrad((v) => F.nllLoss(v, target, opts), x, new A.Generator(seed));
        const want = valueAndGrad((v) => composed(v, target, c), x, new A.Generator(seed));
        const digits = dtype === "float64" ? 12 : 5;
        expectClose(got.value, want.value, digits);
        expectClose(got.grad, want.grad, digits);
        // cross entropy is the loss of the log-softmax
        const ce = valueAndGrad((v) => F.crossEntropy(v, target, opts), x, new A.Generator(seed));
        const ceWant = valueAndGrad(
          (v) => composed(v.logSoftmax(v.ndim === 1 ? 0 : 1), target, c),
          x,
          new A.Generator(seed),
        );
        expectClose(ce.value, ceWant.value, digits);
        expectClose(ce.grad, ceWant.grad, digits);
      }
    }
  });

  it("mixes the smoothing term into cross entropy as PyTorch's label smoothing", () => {
    A.manualSeed(11);
    const ls = 0.2;
    const cases: Case[] = [
      { input: [5, 3], target: [2, 0, -100, 1, 0] },
      { input: [5, 3], target: [2, 0, 7, 1, 0], weight: [0.5, 2, 1.25], ignoreIndex: 7 },
      { input: [5, 3], target: [2, 0, 1, 1, -100], weight: [0.5, 2, 1.25], reduction: "sum" },
      { input: [5, 3], target: [2, 0, 1, -100, 0], weight: [0.5, 2, 1.25], reduction: "none" },
      {
        input: [2, 3, 2],
        target: [
          [0, 2],
          [1, -100],
        ],
        reduction: "none",
      },
    ];
    for (const c of cases) {
      const x = randInput(c.input, "float64");
      const target = long(c.target);
      const w = c.weight ? f64(c.weight) : null;
      const opts = { weight: w, ignoreIndex: c.ignoreIndex ?? -100, reduction: c.reduction };
      const got = valueAndGrad(
        (v) => F.crossEntropy(v, target, { ...opts, labelSmoothing: ls }),
        x,
        new A.Generator(5),
      );
      // (1 - s)·nll + s/C·(-Σ_c w_c·logp_c over the kept targets, reduced as the nll)
      const want = valueAndGrad(
        (v) => {
          const logp = v.logSoftmax(1);
          const nll = composed(logp, target, c);
          const kept = target.ne(opts.ignoreIndex).to("float64");
          const perClass = w ? logp.mul(w.reshape([1, 3, ...c.input.slice(2).map(() => 1)])) : logp;
          const smooth = perClass.sum(1).neg().mul(kept);
          const keptW = w
            ? target.data
                .toArray()
                .reduce((a, t) => a + (t === opts.ignoreIndex ? 0 : w.data.toArray()[t]!), 0)
            : kept.sum().item();
          const reduced =
            c.reduction === "none"
              ? smooth
              : c.reduction === "sum"
                ? smooth.sum()
                : smooth.sum().div(keptW);
          return nll.mul(1 - ls).add(reduced.mul(ls / 3));
        },
        x,
        new A.Generator(5),
      );
      expectClose(got.value, want.value, 12);
      expectClose(got.grad, want.grad, 12);
    }
  });

  it("reads strided inputs and targets", () => {
    const x = A.randn(4, 3, { dtype: "float64" }).requiresGrad_();
    const t = long([
      [2, 0],
      [1, 1],
      [0, 2],
    ]).select(1, 0);
    const loss = F.nllLoss(x.t(), t, { reduction: "none" });
    expect(loss.data.toArray()).toEqual(
      [0, 1, 2].map((i) => -x.data.toArray()[[2, 1, 0][i]! * 3 + i]!),
    );
    loss.sum().backward();
    const g = x.grad!.tolist() as number[][];
    expect(g).toEqual([
      [0, 0, -1],
      [0, -1, 0],
      [-1, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("is NaN for a mean over ignored targets only, with a zero gradient", () => {
    const x = A.randn(3, 4).requiresGrad_();
    const t = long([-100, -100, -100]);
    const mean = F.nllLoss(x, t);
    expect(Number.isNaN(mean.item())).toBe(true);
    mean.backward();
    expect(x.grad!.data.toArray().every((v) => v === 0)).toBe(true);
    expect(F.nllLoss(x, t, { reduction: "sum" }).item()).toBe(0);
    expect(Number.isNaN(F.nllLoss(A.randn(0, 4), long([]).reshape(0)).item())).toBe(true);
    expect(
      F.nllLoss(A.randn(0, 4), A.zeros([0], { dtype: "int64" }), { reduction: "none" }).shape,
    ).toEqual([0]);
    expect(Number.isNaN(F.crossEntropy(x, t, { labelSmoothing: 0.1 }).item())).toBe(true);
  });

  it("reads the first target of a 1-d target against a 1-d input, as PyTorch", () => {
    const x = f64([-2, -0.5, 1.25, -0.75, -1.5]);
    expect(F.nllLoss(x, long([3, 1, 1, 1, 1])).item()).toBe(0.75);
    expect(F.nllLoss(x, long([3, 1, 1, 1, 1]), { reduction: "none" }).shape).toEqual([]);
  });

  it("has second derivatives (the backward is linear in the upstream gradient)", () => {
    const x = A.randn(3, 5, { dtype: "float64" }).requiresGrad_();
    const t = long([0, -100, 2]);
    const w = f64([1, 2, 0.5, 3, 1]);
    const [g] = A.autograd.grad(F.nllLoss(x, t, { reduction: "sum" }), [x], { createGraph: true });
    expect(graph(g!.gradFn!, 1)).toEqual(["NllLossBackwardBackward0", [null, "AccumulateGrad"]]);
    for (const reduction of ["mean", "sum", "none"] as const) {
      const opts = { weight: w, reduction };
      expect(A.autograd.gradcheck((v) => F.crossEntropy(v, t, opts), [x])).toBe(true);
      expect(A.autograd.gradgradcheck((v) => F.crossEntropy(v, t, opts), [x])).toBe(true);
      expect(A.autograd.gradgradcheck((v) => F.nllLoss(v, t, opts), [x])).toBe(true);
    }
    const x4 = A.randn(2, 3, 2, 2, { dtype: "float64" }).requiresGrad_();
    const t4 = A.randint(0, 3, [2, 2, 2]);
    expect(A.autograd.gradgradcheck((v) => F.crossEntropy(v, t4), [x4])).toBe(true);
    const [g4] = A.autograd.grad(F.nllLoss(x4, t4), [x4], { createGraph: true });
    expect(g4!.gradFn!.name).toBe("NllLoss2DBackwardBackward0");
  });

  it("throws PyTorch's errors", () => {
    const x = A.randn(3, 5);
    const t = long([1, 0, 4]);
    expect(() => F.nllLoss(x, long([1, 10, 0]))).toThrow("Target 10 is out of bounds.");
    expect(() => F.nllLoss(x, long([1, -1, 0]))).toThrow("Target -1 is out of bounds.");
    expect(() => F.nllLoss(x, long([1, 7, 0]), { ignoreIndex: 7 })).not.toThrow();
    expect(() => F.nllLoss(A.randn(5), long(7))).toThrow("Target 7 is out of bounds.");
    expect(() =>
      F.nllLoss(
        A.randn(2, 5, 3),
        long([
          [1, 7, 0],
          [0, 0, 0],
        ]),
      ),
    ).toThrow("Target 7 is out of bounds.");
    expect(() => F.nllLoss(x, t.to("float32"))).toThrow(
      "expected scalar type Long but found Float",
    );
    expect(() => F.nllLoss(x, t.to("int32"))).toThrow("expected scalar type Long but found Int");
    expect(() => F.nllLoss(x, t.to("bool"))).toThrow("expected scalar type Long but found Bool");
    expect(() => F.nllLoss(x.to("int32"), t)).toThrow(
      `"nll_loss_out_frame" not implemented for 'Int'`,
    );
    expect(() =>
      F.nllLoss(A.ones([2, 5, 3, 2], { dtype: "int32" }), A.randint(0, 5, [2, 3, 2])),
    ).toThrow(`"nll_loss2d_forward_out_frame" not implemented for 'Int'`);
    expect(() => F.nllLoss(x.to("float64"), t, { weight: A.rand(5) })).toThrow(
      "expected scalar type Double but found Float",
    );
    expect(() => F.nllLoss(x, t, { weight: A.rand(4) })).toThrow(
      "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]",
    );
    expect(() => F.nllLoss(x, t, { weight: A.rand(5, 1) })).toThrow(
      "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [5, 1]",
    );
    expect(() =>
      F.nllLoss(A.randn(2, 5, 3), A.randint(0, 5, [2, 3]), { weight: A.rand(4) }),
    ).toThrow("weight tensor should be defined either for all or no classes");
    expect(() => F.nllLoss(x, long([1, 0]))).toThrow(
      "Expected input batch_size (3) to match target batch_size (2).",
    );
    expect(() => F.nllLoss(x, long(1))).toThrow(
      "Expected input batch_size (3) to match target batch_size (0).",
    );
    expect(() => F.nllLoss(x, A.zeros([3, 2], { dtype: "int64" }))).toThrow(
      "0D or 1D target tensor expected, multi-target not supported",
    );
    expect(() => F.nllLoss(A.randn(5), long([1]))).toThrow(
      "size mismatch (got input: [5], target: [1])",
    );
    expect(() => F.nllLoss(A.randn(2, 5, 3, 2), A.zeros([2, 3, 3], { dtype: "int64" }))).toThrow(
      "size mismatch (got input: [2, 5, 3, 2] , target: [2, 3, 3]",
    );
    expect(() => F.nllLoss(A.randn(2, 5, 3, 2), A.zeros([2, 3], { dtype: "int64" }))).toThrow(
      "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
    );
    expect(() => F.nllLoss(A.randn(2, 5, 3), A.zeros([2, 4], { dtype: "int64" }))).toThrow(
      "Expected target size [2, 3], got [2, 4]",
    );
    expect(() => F.nllLoss(A.tensor(1), long(0))).toThrow("Expected 1 or more dimensions (got 0)");
    expect(() => F.nllLoss(x, t, { reduction: "bad" as never })).toThrow(
      "bad is not a valid value for reduction",
    );
    expect(() => F.nllLoss(x, t, { weight: A.rand(5).requiresGrad_() })).toThrow(
      "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.",
    );
    // cross entropy's own checks
    expect(() => F.crossEntropy(x, t.to("int32"))).toThrow(
      "expected scalar type Long but found Int",
    );
    expect(() => F.crossEntropy(x, t, { labelSmoothing: 1.5 })).toThrow(
      "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
    );
    expect(() => F.crossEntropy(x, A.zeros([3, 5], { dtype: "int64" }))).toThrow(
      "Expected floating point type for target with class probabilities, got Long",
    );
    expect(() => F.crossEntropy(x, A.rand(3, 5), { ignoreIndex: 1 })).toThrow(
      "ignore_index is not supported for floating point target",
    );
    expect(() => F.crossEntropy(x, A.rand(3, 5), { weight: A.rand(4) })).toThrow(
      "cross_entropy: weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]",
    );
    // a negative smoothing is no smoothing, as in PyTorch
    expect(F.crossEntropy(x, t, { labelSmoothing: -0.1 }).item()).toBe(F.crossEntropy(x, t).item());
  });
});
