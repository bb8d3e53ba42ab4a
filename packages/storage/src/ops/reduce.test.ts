import { describe, expect, it } from "vitest";
import { arange, fromArray, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import {
  all,
  amax,
  amin,
  any,
  argmax,
  argmin,
  logsumexp,
  max,
  maxDim,
  mean,
  min,
  minDim,
  nansum,
  norm,
  prod,
  std,
  sum,
  variance,
} from "./reduce.js";

const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** A non-contiguous [4, 2, 3] view (permuted, then every other element of a dim) and its copy. */
function strided() {
  const base = arange(0, 48, 1, "float32").view(2, 3, 8);
  const v = base.slice(2, 0, 8, 2).permute(2, 0, 1);
  expect(v.isContiguous()).toBe(false);
  return { v, c: clone(v) };
}

describe("sum, mean, prod, nansum", () => {
  it("reduce one dim, several dims, all dims, with keepdim and negative dims", () => {
    const x = arange(0, 24, 1, "float32").view(2, 3, 4);
    expect(sum(x).item()).toBe(276);
    expect(sum(x, 1).shape).toEqual([2, 4]);
    expect(sum(x, 1).toArray()).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    expect(sum(x, -1).toArray()).toEqual([6, 22, 38, 54, 70, 86]);
    expect(sum(x, [0, 2], true).shape).toEqual([1, 3, 1]);
    expect(sum(x, [0, -1], true).toArray()).toEqual([60, 92, 124]);
    expect(sum(x, []).item()).toBe(276);
    expect(mean(x, 2, true).shape).toEqual([2, 3, 1]);
    expect(mean(x, [0, 1]).toArray()).toEqual([10, 11, 12, 13]);
    expect(
      prod(
        fromArray([
          [1, 2],
          [3, 4],
        ]),
        1,
      ).toArray(),
    ).toEqual([2, 12]);
  });

  it("give the same results on strided views as on contiguous copies", () => {
    const { v, c } = strided();
    for (const dims of [0, 1, 2, [0, 2], [1, -1]] as const) {
      expect(sum(v, dims).toArray()).toEqual(sum(c, dims).toArray());
      expect(prod(v, typeof dims === "number" ? dims : undefined).toArray()).toEqual(
        prod(c, typeof dims === "number" ? dims : undefined).toArray(),
      );
      expect(amax(v, dims).toArray()).toEqual(amax(c, dims).toArray());
      expect(mean(v, dims, true).toArray()).toEqual(mean(c, dims, true).toArray());
    }
  });

  it("sum integers and bools to int64, and cast first with dtype", () => {
    expect(sum(arange(0, 3, 1, "int32")).dtype).toBe("int64");
    const b = sum(fromArray([true, true, false]));
    expect([b.dtype, b.item()]).toEqual(["int64", 2]);
    expect(prod(fromArray([true, true])).dtype).toBe("int64");
    const t = sum(fromArray([1.7, 2.7]), undefined, false, "int64");
    expect([t.dtype, t.item()]).toEqual(["int64", 3]);
    expect(sum(arange(0, 4, 1, "float32"), 0, true, "float64").dtype).toBe("float64");
    expect(nansum(fromArray([1, NaN_, 2])).item()).toBe(3);
    expect(nansum(fromArray([true, false])).dtype).toBe("int64");
  });

  it("accumulate float32 sums in float64", () => {
    const x = fromArray([1e8, 1, -1e8, 1], "float32");
    expect(sum(x).item()).toBe(2);
  });

  it("give identities on empty reductions", () => {
    expect(sum(zeros([0])).item()).toBe(0);
    expect(prod(zeros([0])).item()).toBe(1);
    expect(mean(zeros([0])).item()).toBeNaN();
    expect(sum(zeros([2, 0]), 1).toArray()).toEqual([0, 0]);
    expect(sum(zeros([0, 3]), 1).shape).toEqual([0]);
  });

  it("reject bad dims and integer means with PyTorch's messages", () => {
    const x = zeros([3, 4]);
    expect(() => sum(x, 5)).toThrow(
      "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
    );
    expect(() => sum(x, [0, -2])).toThrow("dim 0 appears multiple times in the list of dims");
    expect(() => mean(arange(3))).toThrow(
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
    );
    expect(() => mean(x, 0, false, "int64")).toThrow(
      "Optional dtype must be either a floating point",
    );
    expect(mean(arange(3), undefined, false, "float64").item()).toBe(1);
  });

  it("treat a 0-d array as reducing nothing", () => {
    const s = fromArray(3).reshape([]);
    expect(sum(s, 0).shape).toEqual([]);
    expect(sum(s, -1, true).item()).toBe(3);
    expect(() => sum(s, 1)).toThrow("expected to be in range of [-1, 0], but got 1");
  });
});

describe("amax, amin, max, min, all, any", () => {
  it("propagate NaN and keep the dtype", () => {
    expect(amax(fromArray([1, NaN_, 3])).item()).toBeNaN();
    expect(amin(fromArray([1, NaN_, 3])).item()).toBeNaN();
    expect(amax(arange(0, 5, 1, "int32")).dtype).toBe("int32");
    expect(max(fromArray([true, false])).dtype).toBe("bool");
    expect(max(fromArray([1, 7, 3])).item()).toBe(7);
    expect(
      min(
        fromArray([
          [4, 2],
          [8, 5],
        ]),
      ).item(),
    ).toBe(2);
    expect(
      amin(
        fromArray([
          [4, 2],
          [8, 5],
        ]),
        0,
      ).toArray(),
    ).toEqual([4, 2]);
  });

  it("refuse empty reductions as PyTorch does", () => {
    expect(() => amax(zeros([0, 3]))).toThrow(
      "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(() => amax(zeros([0, 3]), 0)).toThrow(
      "amax(): Expected reduction dim 0 to have non-zero size.",
    );
    expect(amax(zeros([0, 3]), 1).shape).toEqual([0]);
    expect(() => max(zeros([0]))).toThrow("max(): Expected reduction dim to be specified");
    expect(() => min(zeros([0]))).toThrow("min(): Expected reduction dim to be specified");
  });

  it("all and any give bool, uint8 for uint8, and identities when empty", () => {
    const b = fromArray([
      [true, false],
      [true, true],
    ]);
    expect(all(b).item()).toBe(0);
    expect(all(b, 1).toArray()).toEqual([0, 1]);
    expect(any(b, 0, true).shape).toEqual([1, 2]);
    expect(all(arange(0, 3, 1, "float32")).dtype).toBe("bool");
    const u = any(fromArray([0, 2], "uint8"));
    expect([u.dtype, u.item()]).toEqual(["uint8", 1]);
    expect(all(zeros([0])).item()).toBe(1);
    expect(any(zeros([0])).item()).toBe(0);
  });
});

describe("variance, std, norm, logsumexp", () => {
  it("use the correction", () => {
    const x = fromArray([1, 2, 3, 4]);
    expect(variance(x).item()).toBeCloseTo(5 / 3, 6);
    expect(variance(x, 0, 0).item()).toBeCloseTo(1.25, 6);
    expect(std(x, undefined, 0).item()).toBeCloseTo(Math.sqrt(1.25), 6);
    expect(variance(fromArray([1])).item()).toBeNaN();
    expect(variance(fromArray([1, 2]), 0, 3).item()).toBe(INF);
    const m = arange(0, 12, 1, "float32").view(3, 4);
    expect(std(m, 1, 1, true).shape).toEqual([3, 1]);
    expect(variance(m, [0], 1, true).toArray()).toEqual([16, 16, 16, 16]);
    expect(() => variance(arange(3))).toThrow(
      "std and var only support floating point and complex dtypes",
    );
  });

  it("compute p-norms", () => {
    const v = fromArray([3, -4]);
    expect(norm(v).item()).toBe(5);
    expect(norm(v, 1).item()).toBe(7);
    expect(norm(v, INF).item()).toBe(4);
    expect(norm(v, -INF).item()).toBe(3);
    expect(norm(fromArray([3, 0, 1]), 0).item()).toBe(2);
    expect(norm(v, 0.5).item()).toBeCloseTo(13.928203582763672, 5);
    expect(norm(zeros([0]), INF).item()).toBe(0);
    const m = arange(0, 12, 1, "float32").view(3, 4);
    expect(norm(m, "fro", 1).toArray()[0]).toBeCloseTo(3.7416574954986572, 6);
    expect(norm(m, 3, 1).toArray()[1]).toBeCloseTo(9.077520370483398, 5);
    expect(() => norm(arange(3))).toThrow(
      "norm(): input dtype should be either floating point or complex. Got Long instead.",
    );
  });

  it("logsumexp is stable and handles infinities", () => {
    expect(logsumexp(fromArray([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(logsumexp(fromArray([-INF, -INF]), 0).item()).toBe(-INF);
    expect(logsumexp(fromArray([INF, 1]), 0).item()).toBe(INF);
    expect(logsumexp(zeros([3, 0]), 1).toArray()).toEqual([-INF, -INF, -INF]);
    const i = logsumexp(arange(3), 0);
    expect(i.dtype).toBe("float32");
    expect(i.item()).toBeCloseTo(2.4076058864593506, 5);
    expect(logsumexp(arange(0, 6, 1, "float32").view(2, 3), [0, 1], true).shape).toEqual([1, 1]);
  });
});

describe("maxDim, minDim, argmax, argmin", () => {
  it("return values and the first index, NaN being the extreme", () => {
    const [v, i] = maxDim(
      fromArray([
        [1, 5, 5],
        [7, NaN_, NaN_],
      ]),
      1,
    );
    expect(v.toArray()[0]).toBe(5);
    expect(v.toArray()[1]).toBeNaN();
    expect(i.dtype).toBe("int64");
    expect(i.toArray()).toEqual([1, 1]);
    const [mv, mi] = minDim(
      fromArray([
        [3, 1],
        [2, 2],
      ]),
      -1,
      true,
    );
    expect(mv.shape).toEqual([2, 1]);
    expect(mv.toArray()).toEqual([1, 2]);
    expect(mi.toArray()).toEqual([1, 0]);
    expect(argmin(fromArray([1, NaN_, 0])).item()).toBe(1);
  });

  it("argmax over the flattened array, with keepdim giving ones", () => {
    const x = arange(0, 12, 1, "float32").view(3, 4);
    expect(argmax(x).item()).toBe(11);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
    expect(argmax(x.t()).item()).toBe(11);
    expect(argmax(x.t(), 1).toArray()).toEqual([2, 2, 2, 2]);
    expect(argmin(x, 0, true).shape).toEqual([1, 4]);
  });

  it("work on strided views", () => {
    const { v, c } = strided();
    for (const d of [0, 1, 2, -1]) {
      const [a, ai] = maxDim(v, d);
      const [b, bi] = maxDim(c, d);
      expect(a.toArray()).toEqual(b.toArray());
      expect(ai.toArray()).toEqual(bi.toArray());
      expect(argmin(v, d).toArray()).toEqual(argmin(c, d).toArray());
    }
  });

  it("handle 0-d arrays and errors", () => {
    const s = fromArray(3).reshape([]);
    const [v, i] = maxDim(s, 0, true);
    expect([v.shape, v.item(), i.item()]).toEqual([[], 3, 0]);
    expect(argmax(s, 0, true).shape).toEqual([]);
    expect(() => maxDim(zeros([3, 0]), 1)).toThrow(
      "max(): Expected reduction dim 1 to have non-zero size.",
    );
    expect(() => argmax(zeros([0, 3]))).toThrow(
      "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    );
    expect(() => argmax(fromArray([true]))).toThrow(`"argmax_cpu" not implemented for 'Bool'`);
    expect(argmax(zeros([0, 3]), 1).shape).toEqual([0]);
  });
});
