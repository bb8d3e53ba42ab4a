import { describe, expect, it } from "vitest";
import * as x from "./index.js";

describe("the meta-package", () => {
  it("gives every layer under one namespace and selects the WASM backend", () => {
    expect(x.getBackend().name).not.toBe("reference");
    x.manualSeed(7);
    const a = x.rand(2, 3);
    expect(a).toBeInstanceOf(x.Tensor);
    expect(a.data).toBeInstanceOf(x.NDArray);
    expect(x.resultType(x.tensor([1], { dtype: "int32" }).data, 2.5)).toBe("float32");
    expect(typeof x.nn.Linear).toBe("function");
    expect(typeof x.optim.SGD).toBe("function");
    expect(x.F).toBe(x.nn.functional);
    expect(x.useBackend("reference")).not.toBe("reference");
    expect(x.getBackend().name).toBe("reference");
    x.useBackend("wasm");
  });
});
