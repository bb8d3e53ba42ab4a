import { describe, expect, it } from "vitest";
import { arange, fromArray, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import { argsort, sort, topk } from "./sort.js";

const NaN_ = Number.NaN;

describe("sort, argsort", () => {
  it("sorts along the last dim by default, NaN last, stable", () => {
    const [v, i] = sort(fromArray([1, NaN_, 0, NaN_, 1]));
    expect(v.toArray().slice(0, 3)).toEqual([0, 1, 1]);
    expect(v.toArray().slice(3).every(Number.isNaN)).toBe(true);
    expect(i.dtype).toBe("int64");
    expect(i.toArray()).toEqual([2, 0, 4, 1, 3]);
    const [dv, di] = sort(fromArray([1, NaN_, 0, NaN_, 1]), -1, true);
    expect(dv.toArray().slice(2)).toEqual([1, 1, 0]);
    expect(di.toArray()).toEqual([1, 3, 0, 4, 2]);
  });

  it("sorts along other dims and strided views", () => {
    const [v, i] = sort(
      fromArray([
        [3, 1],
        [2, 0],
      ]),
      0,
    );
    expect(v.tolist()).toEqual([
      [2, 0],
      [3, 1],
    ]);
    expect(i.tolist()).toEqual([
      [1, 1],
      [0, 0],
    ]);
    const s = fromArray([5, 3, 9, 1, 7, 2, 8, 6, 4, 0, 11, 10]).view(3, 4).t();
    const c = clone(s);
    for (const d of [0, 1]) {
      expect(sort(s, d, true)[0].toArray()).toEqual(sort(c, d, true)[0].toArray());
      expect(argsort(s, d).toArray()).toEqual(argsort(c, d).toArray());
    }
  });

  it("handles bools, 0-d and bad dims", () => {
    expect(sort(fromArray([true, false, true]))[1].toArray()).toEqual([1, 0, 2]);
    const [v, i] = sort(fromArray(3));
    expect([v.shape, v.item(), i.item()]).toEqual([[], 3, 0]);
    expect(argsort(fromArray([3, 1, 2], "int64")).toArray()).toEqual([1, 2, 0]);
    expect(() => sort(zeros([3, 4]), 2)).toThrow("expected to be in range of [-2, 1], but got 2");
  });
});

describe("topk", () => {
  it("returns the k largest or smallest, sorted", () => {
    const [v, i] = topk(fromArray([1, NaN_, 0]), 2);
    expect(v.toArray()[0]).toBeNaN();
    expect(v.toArray()[1]).toBe(1);
    expect(i.toArray()).toEqual([1, 0]);
    const [sv, si] = topk(fromArray([1, 2, 0]), 2, -1, false);
    expect([sv.toArray(), si.toArray()]).toEqual([
      [0, 1],
      [2, 0],
    ]);
    const [cv, ci] = topk(
      fromArray([
        [3, 1],
        [2, 0],
      ]),
      1,
      0,
    );
    expect([cv.tolist(), ci.tolist()]).toEqual([[[3, 1]], [[0, 0]]]);
  });

  it("works on strided views", () => {
    const s = arange(0, 24, 1, "float32").view(4, 6).t().slice(0, 0, 6, 2);
    const [v, i] = topk(s, 2, 0);
    const [cv, ci] = topk(clone(s), 2, 0);
    expect(v.toArray()).toEqual(cv.toArray());
    expect(i.toArray()).toEqual(ci.toArray());
    expect(v.tolist()).toEqual([
      [4, 10, 16, 22],
      [2, 8, 14, 20],
    ]);
  });

  it("checks k as PyTorch does", () => {
    expect(() => topk(fromArray([1, 2]), 3)).toThrow("selected index k out of range");
    expect(() => topk(fromArray([1, 2]), -1)).toThrow("selected index k out of range");
    expect(topk(zeros([0]), 0)[0].shape).toEqual([0]);
    expect(topk(fromArray(3), 0)[0].item()).toBe(3);
    expect(() => topk(fromArray([true]), 1)).toThrow(`"topk_cpu" not implemented for 'Bool'`);
  });
});
