import { describe, expect, it } from "vitest";
import * as x from "./index.js";

describe("the meta-package", () => {
  it("re-exports the raw layer", () => {
    x.manualSeed(7);
    const a = x.rand([2, 3]);
    expect(a).toBeInstanceOf(x.NDArray);
    expect(a.shape).toEqual([2, 3]);
    expect(x.resultType(x.fromArray([1], "int32"), 2.5)).toBe("float32");
  });
});
