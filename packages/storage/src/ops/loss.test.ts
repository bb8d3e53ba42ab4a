import { describe, expect, it } from "vitest";
import { arange, fromArray } from "./creation.js";
import { cast } from "./elementwise.js";
import { nllLoss, nllLossBackward } from "./loss.js";

const long = (v: Parameters<typeof fromArray>[0]) => fromArray(v, "int64");

/** The loss written out element by element from nested arrays (input [N, C, S], target [N, S]). */
function naive(
  x: number[][][],
  t: number[][],
  w: number[] | null,
  ignore: number,
): { per: number[][]; total: number } {
  let total = 0;
  const per = t.map((row, n) =>
    row.map((c, s) => {
      if (c === ignore) return 0;
      const wc = w ? w[c]! : 1;
      total += wc;
      return -wc * x[n]![c]![s]!;
    }),
  );
  return { per, total };
}

describe("nllLoss", () => {
  it("picks -weight[t]·input[t] per target and reduces by sum, mean or not at all", () => {
    // [2, 3, 2, 2]: two samples, three classes, 2×2 maps; a non-contiguous input
    const x = arange(0, 24, 1, "float64").view(2, 2, 2, 3).permute(0, 3, 1, 2);
    const t = long([
      [
        [0, 2],
        [1, -100],
      ],
      [
        [2, 2],
        [0, 1],
      ],
    ]);
    const w = fromArray([0.5, 2, 3], "float64");
    const x3 = (x.contiguous().tolist() as number[][][][]).map((c) => c.map((m) => m.flat()));
    const t2 = (t.tolist() as number[][][]).map((m) => m.flat());
    for (const weight of [null, w]) {
      const { per, total } = naive(x3, t2, weight ? [0.5, 2, 3] : null, -100);
      const none = nllLoss(x, t, weight, "none", -100);
      expect(none.output.shape).toEqual([2, 2, 2]);
      expect(none.output.toArray()).toEqual(per.flat());
      expect(none.totalWeight).toBe(total);
      const sum = per.flat().reduce((a, b) => a + b, 0);
      expect(nllLoss(x, t, weight, "sum", -100).output.item()).toBe(sum);
      const mean = nllLoss(x, t, weight, "mean", -100);
      expect(mean.output.shape).toEqual([]);
      expect(mean.output.item()).toBe(sum / total);
    }
  });

  it("takes [N, C] and [C] inputs and strided targets", () => {
    const x = fromArray([
      [-1, -2, -3],
      [-4, -5, -6],
    ]);
    const t = long([
      [2, 9],
      [0, 9],
    ]).select(1, 0);
    expect(nllLoss(x, t, null, "none", -100).output.toArray()).toEqual([3, 4]);
    expect(nllLoss(x.t(), long([1, 1, 0]), null, "none", -100).output.toArray()).toEqual([4, 5, 3]);
    const one = nllLoss(fromArray([-1, -2, -3]), long(1), null, "none", -100);
    expect(one.output.shape).toEqual([]);
    expect(one.output.item()).toBe(2);
  });

  it("rounds the mean as float32 arithmetic: the rounded sum over the rounded total weight", () => {
    const x = fromArray([[0.1], [0.2], [0.7]], "float32").expand(3, 2);
    const t = long([0, 1, 0]);
    const w = fromArray([0.3, 0.9], "float32");
    const f = Math.fround;
    const sum = f(f(0.3) * f(0.1) + f(0.9) * f(0.2) + f(0.3) * f(0.7));
    const total = f(f(0.3) + f(0.9) + f(0.3));
    const mean = nllLoss(x, t, w, "mean", -100);
    expect(mean.totalWeight).toBe(total);
    expect(mean.output.item()).toBe(f(-sum / total));
  });

  it("is NaN for a mean over ignored targets only (0 / 0)", () => {
    const r = nllLoss(fromArray([[1, 2]]), long([5]), null, "mean", 5);
    expect(r.totalWeight).toBe(0);
    expect(Number.isNaN(r.output.item())).toBe(true);
    expect(nllLoss(fromArray([[1, 2]]), long([5]), null, "sum", 5).output.item()).toBe(0);
  });

  it("throws PyTorch's errors", () => {
    const x = fromArray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => nllLoss(x, long([0, 3]), null, "mean", -100)).toThrow(
      "Target 3 is out of bounds.",
    );
    expect(() => nllLoss(x, long([-1, 0]), null, "mean", -100)).toThrow(
      "Target -1 is out of bounds.",
    );
    expect(() => nllLoss(x, fromArray([0, 1], "int32"), null, "mean", -100)).toThrow(
      "expected scalar type Long but found Int",
    );
    expect(() => nllLoss(cast(x, "int32"), long([0, 1]), null, "sum", -100)).toThrow(
      `"nll_loss_out_frame" not implemented for 'Int'`,
    );
    expect(() => nllLoss(x, long([0, 1]), fromArray([1, 1, 1], "float64"), "sum", -100)).toThrow(
      "expected scalar type Float but found Double",
    );
    expect(() => nllLoss(x, long([0, 1]), fromArray([1, 1]), "sum", -100)).toThrow(
      "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
    );
    expect(() => nllLoss(x, long([0]), null, "sum", -100)).toThrow(
      "size mismatch (got input: [2, 3], target: [1])",
    );
    expect(() => nllLoss(x.view(1, 2, 3, 1), long([[[0, 1]]]), null, "sum", -100)).toThrow(
      "size mismatch (got input: [1, 2, 3, 1] , target: [1, 1, 2]",
    );
    expect(() => nllLoss(x.view(1, 2, 3), long([[0, 1]]), null, "sum", -100)).toThrow(
      "Expected target size [1, 3], got [1, 2]",
    );
    expect(() => nllLoss(x, long([0, 1]), null, "avg" as never, -100)).toThrow(
      "avg is not a valid value for reduction",
    );
  });
});

describe("nllLossBackward", () => {
  it("writes -weight[t]·g at each kept target and zeros elsewhere", () => {
    const t = long([2, -100, 0]);
    const w = fromArray([0.5, 2, 4]);
    const mean = nllLossBackward(fromArray(3), [3, 3], t, w, "mean", -100, 4.5);
    expect(mean.tolist()).toEqual([
      [0, 0, -4 * Math.fround(3 / 4.5)],
      [0, 0, 0],
      [-0.5 * Math.fround(3 / 4.5), 0, 0],
    ]);
    const sum = nllLossBackward(fromArray(2), [3, 3], t, null, "sum", -100, 2);
    expect(sum.tolist()).toEqual([
      [0, 0, -2],
      [0, 0, 0],
      [-2, 0, 0],
    ]);
    // per-target gradients, here a broadcast one (stride 0)
    const none = nllLossBackward(fromArray([5]).expand(3), [3, 3], t, w, "none", -100, 0);
    expect(none.tolist()).toEqual([
      [0, 0, -20],
      [0, 0, 0],
      [-2.5, 0, 0],
    ]);
  });

  it("lays the gradient out as the input, spatial dims included", () => {
    const t = long([
      [
        [1, 0],
        [0, 1],
      ],
    ]);
    const g = nllLossBackward(
      arange(1, 5, 1, "float32").view(1, 2, 2),
      [1, 2, 2, 2],
      t,
      null,
      "none",
      -100,
      0,
    );
    expect(g.shape).toEqual([1, 2, 2, 2]);
    expect(g.tolist()).toEqual([
      [
        [
          [0, -2],
          [-3, 0],
        ],
        [
          [-1, 0],
          [0, -4],
        ],
      ],
    ]);
    expect(nllLossBackward(fromArray(1), [3], long(2), null, "mean", -100, 1).toArray()).toEqual([
      0, 0, -1,
    ]);
  });

  it("checks the gradient's shape and the targets", () => {
    const t = long([1, 0]);
    expect(() => nllLossBackward(fromArray([1, 1]), [2, 3], t, null, "sum", -100, 2)).toThrow(
      "Expected a gradient of shape [] but got [2]",
    );
    expect(() => nllLossBackward(fromArray(1), [2, 3], long([1, 3]), null, "sum", -100, 2)).toThrow(
      "Target 3 is out of bounds.",
    );
  });
});
