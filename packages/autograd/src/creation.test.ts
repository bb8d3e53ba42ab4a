import { rand as rawRand, randn as rawRandn } from "@x/storage";
import { describe, expect, it } from "vitest";
import {
  arange,
  empty,
  eye,
  full,
  fullLike,
  linspace,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from "./index.js";

describe("creation", () => {
  it("accepts sizes as (2, 4) or ([2, 4]) with options last", () => {
    expect(zeros(2, 4).shape).toEqual([2, 4]);
    expect(zeros([2, 4]).shape).toEqual([2, 4]);
    expect(ones(2, { dtype: "float64" }).dtype).toBe("float64");
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(empty(3).shape).toEqual([3]);
    expect(zeros().shape).toEqual([]);
    expect(full([2], 7).tolist()).toEqual([7, 7]);
  });

  it("tensor(): nested arrays, typed arrays, dtypes, copies of NDArrays", () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).shape,
    ).toEqual([2, 2]);
    expect(tensor([1, 2]).dtype).toBe("float32");
    expect(tensor([1, 2], { dtype: "int64" }).dtype).toBe("int64");
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(() => tensor([1, 2], { dtype: "int64", requiresGrad: true })).toThrow(
      "only Tensors of floating point dtype can require gradients",
    );
    const a = tensor([1, 2]);
    const b = tensor(a.data);
    expect(b.data.storage).not.toBe(a.data.storage);
    expect(String(tensor([1, 2], { dtype: "int64" }))).toBe("tensor([1, 2])");
  });

  it("ranges, eye, *Like", () => {
    expect(arange(4).dtype).toBe("int64");
    expect(arange(1, 2, 0.5).tolist()).toEqual([1, 1.5]);
    expect(arange(3, { dtype: "float32" }).dtype).toBe("float32");
    expect(linspace(0, 1, 3).tolist()).toEqual([0, 0.5, 1]);
    expect(eye(2).tolist()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).shape).toEqual([2, 3]);
    const x = ones(2, 3, { dtype: "float64", requiresGrad: true });
    expect([zerosLike(x).dtype, zerosLike(x).requiresGrad]).toEqual(["float64", false]);
    expect(onesLike(x).shape).toEqual([2, 3]);
    expect(fullLike(x, 5).tolist()).toEqual([
      [5, 5, 5],
      [5, 5, 5],
    ]);
  });

  it("random functions draw from PyTorch's generator (manualSeed)", () => {
    manualSeed(0);
    const a = rand(2, 3).tolist();
    manualSeed(0);
    expect(rawRand([2, 3]).tolist()).toEqual(a);
    manualSeed(3);
    const b = randn([4]).tolist();
    manualSeed(3);
    expect(rawRandn([4]).tolist()).toEqual(b);
    expect(randint(0, 10, [8]).dtype).toBe("int64");
    expect(randint(5, [3]).shape).toEqual([3]);
    expect((randperm(5).tolist() as number[]).slice().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(rand(2, { requiresGrad: true }).requiresGrad).toBe(true);
  });
});
