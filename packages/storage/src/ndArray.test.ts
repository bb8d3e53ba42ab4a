import { describe, expect, it } from "vitest";
import { NDArray } from "./ndArray.js";
import { arange, fromArray } from "./ops/creation.js";
import { binary, copyInto } from "./ops/elementwise.js";

describe("NDArray views", () => {
  it("share storage and compute strides", () => {
    const a = arange(0, 24, 1, "float32").view(2, 3, 4);
    expect(a.strides).toEqual([12, 4, 1]);
    const p = a.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect(p.storage).toBe(a.storage);
    const s = a.slice(2, 1, undefined, 2);
    expect(s.shape).toEqual([2, 3, 2]);
    expect(s.toArray().slice(0, 4)).toEqual([1, 3, 5, 7]);
    expect(a.select(1, -1).toArray()).toEqual([8, 9, 10, 11, 20, 21, 22, 23]);
    expect(a.unsqueeze(0).shape).toEqual([1, 2, 3, 4]);
    expect(a.unsqueeze(0).squeeze().shape).toEqual([2, 3, 4]);
    expect(a.flatten(1).shape).toEqual([2, 12]);
    expect(a.diagonal(0, 1, 2).toArray()).toEqual([0, 5, 10, 12, 17, 22]);
    expect(a.narrow(2, 1, 2).shape).toEqual([2, 3, 2]);
  });

  it("view refuses incompatible layouts with PyTorch's message; reshape copies", () => {
    const t = arange(0, 6, 1, "float32").view(2, 3).t();
    expect(() => t.view(6)).toThrow(/view size is not compatible with input tensor's size and stride/);
    const r = t.reshape(6);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(r.storage).not.toBe(t.storage);
    expect(arange(0, 6).view(3, -1).shape).toEqual([3, 2]);
    expect(() => arange(0, 6).view(4, -1)).toThrow("shape '[4, -1]' is invalid for input of size 6");
  });

  it("is not extensible", () => {
    const a = NDArray.empty([2]);
    expect(() => {
      (a as unknown as { requiresGrad: boolean }).requiresGrad = true;
    }).toThrow(TypeError);
    expect("requiresGrad" in a).toBe(false);
  });

  it("in-place writes through any view bump the shared version counter", () => {
    const a = fromArray([1, 2, 3, 4]);
    const v = a.view(2, 2);
    expect(a.storage.version).toBe(0);
    copyInto(v.select(0, 1), 7);
    expect(a.storage.version).toBe(1);
    expect(a.toArray()).toEqual([1, 2, 7, 7]);
    binary("add", a, 1, a);
    expect(v.storage.version).toBe(2);
    expect(a.toArray()).toEqual([2, 3, 8, 8]);
  });

  it("broadcasts with promotion and reports mismatches as PyTorch", () => {
    const a = fromArray([[1], [2]], "int32");
    const b = binary("add", a, fromArray([10, 20, 30], "int32"));
    expect(b.dtype).toBe("int32");
    expect(b.tolist()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(binary("add", a, 2.5).dtype).toBe("float32");
    expect(binary("div", a, 2).toArray()).toEqual([0.5, 1]);
    expect(() => binary("add", fromArray([1, 2, 3]), fromArray([1, 2]))).toThrow(
      "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    );
  });
});

describe("NDArray in-place raw ops", () => {
  it("write through aliases and bump the version counter", () => {
    const a = fromArray([1, 2, 3, 4]);
    const v = a.view(2, 2);
    v.mul_(2).add_(fromArray([1, 1]), 0.5);
    expect(a.toArray()).toEqual([2.5, 4.5, 6.5, 8.5]);
    expect(a.storage.version).toBe(2);
    v.select(1, 0).fill_(0);
    expect(a.toArray()).toEqual([0, 4.5, 0, 8.5]);
    a.clamp_(1, 5);
    expect(a.toArray()).toEqual([1, 4.5, 1, 5]);
    a.copy_(fromArray([9]));
    expect(a.toArray()).toEqual([9, 9, 9, 9]);
    expect(a.storage.version).toBe(5);
    const i = fromArray([1, 2], "int64");
    expect(() => i.add_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
    expect(i.toArray()).toEqual([1, 2]);
    expect(i.storage.version).toBe(0);
  });
});

describe("dtype checks", () => {
  it("an unknown dtype is a DTypeError, not a crash", () => {
    expect(() => NDArray.empty([2], "float16" as never)).toThrow(/unknown dtype float16/);
    expect(() => fromArray([1, 2], "complex64" as never)).toThrow(/unknown dtype complex64/);
  });
});
