import { describe, expect, it } from "vitest";
import { arange, fromArray, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import { cumprod, cumsum, logSoftmax, softmax } from "./scan.js";

const INF = Number.POSITIVE_INFINITY;

describe("cumsum, cumprod", () => {
  it("scan along a dim, negative dims included", () => {
    const x = arange(1, 7, 1, "float32").view(2, 3);
    expect(cumsum(x, 1).toArray()).toEqual([1, 3, 6, 4, 9, 15]);
    expect(cumsum(x, -2).toArray()).toEqual([1, 2, 3, 5, 7, 9]);
    expect(cumprod(x, 1).toArray()).toEqual([1, 2, 6, 4, 20, 120]);
    expect(cumprod(x, 0).shape).toEqual([2, 3]);
  });

  it("scan strided views as their copies", () => {
    const v = arange(0, 24, 1, "float32").view(2, 3, 4).permute(2, 0, 1).slice(0, 0, 4, 2);
    const c = clone(v);
    for (const d of [0, 1, 2]) {
      expect(cumsum(v, d).toArray()).toEqual(cumsum(c, d).toArray());
      expect(cumprod(v, d).toArray()).toEqual(cumprod(c, d).toArray());
    }
  });

  it("promote integers and bools to int64, or to dtype", () => {
    const i = cumsum(arange(0, 3, 1, "int32"), 0);
    expect([i.dtype, i.toArray()]).toEqual(["int64", [0, 1, 3]]);
    expect(cumsum(fromArray([true, true]), 0).toArray()).toEqual([1, 2]);
    expect(cumprod(fromArray([true, true]), 0).dtype).toBe("int64");
    expect(cumsum(arange(3), 0, "float32").dtype).toBe("float32");
  });

  it("handle 0-d arrays, empty dims and bad dims", () => {
    const s = fromArray(3);
    expect(cumsum(s, 0).shape).toEqual([]);
    expect(cumsum(s, -1).item()).toBe(3);
    expect(cumsum(zeros([2, 0]), 1).shape).toEqual([2, 0]);
    expect(() => cumsum(zeros([3, 4]), 2)).toThrow(
      "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
  });
});

describe("softmax, logSoftmax", () => {
  it("sum to one along the dim and match log-softmax", () => {
    const x = fromArray([
      [1, 2, 3],
      [-1, 0, 1000],
    ]);
    const s = softmax(x, 1).toArray();
    expect(s[0]! + s[1]! + s[2]!).toBeCloseTo(1, 6);
    expect(s[2]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 6);
    expect(s[5]).toBe(1);
    const l = logSoftmax(x, -1).toArray();
    expect(l[0]).toBeCloseTo(Math.log(s[0]!), 5);
    expect(l[5]).toBe(0);
    expect(l[3]).toBeCloseTo(-1001, 3);
    const col = softmax(x, 0).toArray();
    expect(col[0]! + col[3]!).toBeCloseTo(1, 6);
  });

  it("follow PyTorch on infinities and keep the dtype", () => {
    const a = softmax(fromArray([-INF, -INF]), 0).toArray();
    expect(a.every(Number.isNaN)).toBe(true);
    expect(
      softmax(fromArray([INF, 1]), 0)
        .toArray()
        .every(Number.isNaN),
    ).toBe(true);
    expect(logSoftmax(fromArray([-INF, 0]), 0).toArray()).toEqual([-INF, 0]);
    expect(softmax(fromArray([1, 2], "float64"), 0).dtype).toBe("float64");
    expect(softmax(fromArray(3), 0).item()).toBe(1);
  });

  it("work on strided views", () => {
    const v = arange(0, 12, 1, "float32").view(3, 4).t();
    const c = clone(v);
    expect(softmax(v, 1).toArray()).toEqual(softmax(c, 1).toArray());
    expect(logSoftmax(v, 0).toArray()).toEqual(logSoftmax(c, 0).toArray());
  });

  it("refuse integers unless a dtype is given", () => {
    expect(() => softmax(arange(3), 0)).toThrow(
      `"softmax_lastdim_kernel_impl" not implemented for 'Long'`,
    );
    expect(() => logSoftmax(arange(3), 0)).toThrow(
      `"log_softmax_lastdim_kernel_impl" not implemented for 'Long'`,
    );
    const d = softmax(arange(3), 0, "float64");
    expect(d.dtype).toBe("float64");
    expect(d.toArray()[0]).toBeCloseTo(0.09003057317038045, 12);
  });
});
