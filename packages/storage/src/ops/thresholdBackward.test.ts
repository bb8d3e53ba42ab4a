import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../errors.js";
import { fromArray } from "./creation.js";
import { thresholdBackward } from "./elementwise.js";

const sgn = (xs: number[]) => xs.map((v) => (Object.is(v, -0) ? "-0" : v));

describe("thresholdBackward", () => {
  it("zeroes grad where self <= threshold, passes it through NaN", () => {
    const g = fromArray([1, -2, 3, 4, -5, 6]);
    const x = fromArray([-1, 0, -0, Number.NaN, 0.5, 2]);
    const out = thresholdBackward(g, x, 0);
    expect(out.dtype).toBe("float32");
    expect(sgn(out.toArray())).toEqual([0, 0, 0, 4, -5, 6]);
    expect(sgn(thresholdBackward(g, x, 0.5).toArray())).toEqual([0, 0, 0, 4, 0, 6]);
  });

  it("converts the threshold to float32 precision for float32 operands", () => {
    const x = fromArray([0.1, 0.2], "float32");
    const g = fromArray([1, 1], "float32");
    // fround(0.1) > 0.1 as a double, but equals the threshold in float32
    expect(thresholdBackward(g, x, 0.1).toArray()).toEqual([0, 1]);
    expect(thresholdBackward(g.to("float64"), x.to("float64"), 0.1).toArray()).toEqual([1, 1]);
  });

  it("broadcasts grad and self and promotes their dtypes", () => {
    const g = fromArray([[1], [2]], "float64");
    const x = fromArray([-1, Number.NaN, 1], "float32");
    const out = thresholdBackward(g, x, 0);
    expect(out.shape).toEqual([2, 3]);
    expect(out.dtype).toBe("float64");
    expect(out.tolist()).toEqual([
      [0, 1, 1],
      [0, 2, 2],
    ]);
    const strided = thresholdBackward(
      fromArray([
        [1, 2],
        [3, 4],
      ]).t(),
      fromArray([
        [1, -1],
        [1, 1],
      ]),
      0,
    );
    expect(strided.tolist()).toEqual([
      [1, 0],
      [2, 4],
    ]);
  });

  it("rejects shapes that do not broadcast and bool operands", () => {
    expect(() => thresholdBackward(fromArray([1, 2, 3]), fromArray([1, 2, 3, 4]), 0)).toThrow(
      ShapeError,
    );
    expect(() =>
      thresholdBackward(fromArray([true], "bool"), fromArray([false], "bool"), 0),
    ).toThrow(DTypeError);
  });
});
