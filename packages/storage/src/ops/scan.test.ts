import { describe, expect, it } from "vitest";
import { arange, fromArray, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import {
  cumprod,
  cumsum,
  logSoftmax,
  logSoftmaxBackward,
  softmax,
  softmaxBackward,
} from "./scan.js";

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

describe("softmaxBackward, logSoftmaxBackward", () => {
  // rows along dim 1 of [2, 3]: the formulas written out per row
  const g = [0.5, -1, 2, 0.25, 3, -0.75];
  const x = [0.1, -0.4, 1.3, 2, 0.7, -1.1];
  const rows = (a: number[]) => [a.slice(0, 3), a.slice(3)];
  const want = (log: boolean) =>
    rows(g).flatMap((gr, r) => {
      const xr = rows(x)[r]!;
      const m = Math.max(...xr);
      const z = xr.reduce((s, v) => s + Math.exp(v - m), 0);
      const y = xr.map((v) => Math.exp(v - m) / z);
      const sum = log ? gr.reduce((s, v) => s + v, 0) : gr.reduce((s, v, i) => s + v * y[i]!, 0);
      return gr.map((v, i) => (log ? v - y[i]! * sum : y[i]! * (v - sum)));
    });

  it("match the formulas along the last dim and along dim 0", () => {
    for (const log of [false, true]) {
      const xa = fromArray(x, "float64").view(2, 3);
      const y = log ? logSoftmax(xa, 1) : softmax(xa, 1);
      const out = (log ? logSoftmaxBackward : softmaxBackward)(
        fromArray(g, "float64").view(2, 3),
        y,
        -1,
      );
      expect(out.dtype).toBe("float64");
      for (const [i, v] of out.toArray().entries()) expect(v).toBeCloseTo(want(log)[i]!, 12);
      // along dim 0 = along dim 1 of the transposes
      const yt = log ? logSoftmax(xa.t(), 0) : softmax(xa.t(), 0);
      const gt = fromArray(g, "float64").view(2, 3).t();
      const back = (log ? logSoftmaxBackward : softmaxBackward)(gt, yt, 0);
      expect(back.t().toArray()).toEqual(
        (log ? logSoftmaxBackward : softmaxBackward)(clone(gt).t(), clone(yt).t(), 1).toArray(),
      );
      for (const [i, v] of back.t().toArray().entries()) {
        expect(v).toBeCloseTo(want(log)[i]!, 12);
      }
    }
  });

  it("compute float32 in float64 and round once, and take 0-d inputs", () => {
    const y = logSoftmax(fromArray(x.slice(0, 3)), 0);
    const got = logSoftmaxBackward(fromArray(g.slice(0, 3)), y, 0).toArray();
    const yd = y.toArray();
    const s = Math.fround(0.5) + Math.fround(-1) + Math.fround(2);
    for (const [i, v] of got.entries()) expect(v).toBe(Math.fround(g[i]! - Math.exp(yd[i]!) * s));
    expect(softmaxBackward(fromArray(2), fromArray(1), 0).item()).toBe(0);
    expect(logSoftmaxBackward(fromArray(2), fromArray(0), -1).item()).toBe(0);
  });

  it("refuse mismatched shapes and integers", () => {
    expect(() => softmaxBackward(zeros([2, 3]), zeros([2, 4]), 1)).toThrow(
      "Expected tensor for argument #1 'grad' to have same size as tensor for argument #2 'output'; but [2, 3] does not equal [2, 4] (while checking arguments for softmax_backward)",
    );
    expect(() => logSoftmaxBackward(arange(3), arange(3), 0)).toThrow(
      `"log_softmax_backward_lastdim_kernel_impl" not implemented for 'Long'`,
    );
  });
});
