/**
 * The op API: PyTorch's argument order with options last, numbers and tensors alike, the
 * shapes and dtypes of results, and PyTorch's gradFn names (from PyTorch 1.13).
 */
import { describe, expect, it } from "vitest";
import {
  addmm,
  arange,
  cat,
  einsum,
  gelu,
  leakyRelu,
  ones,
  pad,
  rand,
  relu6,
  rsub,
  split,
  stack,
  type Tensor,
  tensor,
  where,
  zeros,
} from "./index.js";

describe("op API", () => {
  it("accepts tensors and JS numbers, with broadcasting and promotion", () => {
    const x = tensor([1, 2, 3]);
    expect(x.mul(2).tolist()).toEqual([2, 4, 6]);
    expect(x.add(tensor([[10], [20]])).shape).toEqual([2, 3]);
    expect(x.add(1, { alpha: 2 }).tolist()).toEqual([3, 4, 5]);
    expect(x.div(2, { roundingMode: "floor" }).tolist()).toEqual([0, 1, 1]);
    expect(tensor([1, 2], { dtype: "int64" }).mul(2.5).dtype).toBe("float32");
    expect(tensor([1, 2], { dtype: "int64" }).mul(2).dtype).toBe("int64");
    expect(x.pow(2).tolist()).toEqual([1, 4, 9]);
    expect(x.gt(1).tolist()).toEqual([false, true, true]);
    expect(where(x.gt(1), x, 0).tolist()).toEqual([0, 2, 3]);
    expect(x.clamp({ min: 2 }).tolist()).toEqual([2, 2, 3]);
    expect(x.clamp(null, 2).tolist()).toEqual([1, 2, 2]);
    expect(() => x.clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
  });

  it("reductions: dims as a number or a list, keepdim, named (values, indices)", () => {
    const x = tensor([
      [1, 5, 3],
      [7, 2, 9],
    ]);
    expect(x.sum().item()).toBe(27);
    expect(x.sum(1).tolist()).toEqual([9, 18]);
    expect(x.sum([0, 1], { keepdim: true }).shape).toEqual([1, 1]);
    expect(x.sum({ dtype: "float64" }).dtype).toBe("float64");
    expect(x.mean(0).tolist()).toEqual([4, 3.5, 6]);
    const m = x.max(1);
    expect([m.values.tolist(), m.indices.tolist()]).toEqual([
      [5, 9],
      [1, 2],
    ]);
    const [v, i] = x.min(0, { keepdim: true });
    expect([v!.tolist(), i!.tolist()]).toEqual([[[1, 2, 3]], [[0, 1, 0]]]);
    expect(x.max().item()).toBe(9);
    expect(x.max(ones(2, 3).mul(4)).tolist()).toEqual([
      [4, 5, 4],
      [7, 4, 9],
    ]);
    expect(x.argmax().item()).toBe(5);
    expect(x.var(1, { unbiased: false }).tolist()).toEqual([
      Math.fround(8 / 3),
      Math.fround(26 / 3),
    ]);
    expect(x.sort(1, { descending: true }).indices.tolist()).toEqual([
      [1, 2, 0],
      [2, 0, 1],
    ]);
    expect(x.topk(1).values.tolist()).toEqual([[5], [9]]);
    expect(x.norm(1).item()).toBe(27);
  });

  it("views share storage; reshape copies only when it must", () => {
    const x = arange(6).to("float32");
    const v = x.view(2, 3);
    expect(v.data.storage).toBe(x.data.storage);
    expect(x.view([3, 2]).shape).toEqual([3, 2]);
    const t = v.t();
    expect(t.reshape(6).data.storage).not.toBe(x.data.storage);
    expect(v.reshape(-1).data.storage).toBe(x.data.storage);
    expect(v.contiguous()).toBe(v);
    expect(t.contiguous()).not.toBe(t);
    expect(rand(2, 3, 4).T.shape).toEqual([4, 3, 2]);
    expect(rand(2, 3, 4).mT.shape).toEqual([2, 4, 3]);
    expect(rand(2, 3, 4).flatten(1).shape).toEqual([2, 12]);
    expect(v.select(1, -1).tolist()).toEqual([2, 5]);
    expect(x.slice(0, 1, 6, 2).tolist()).toEqual([1, 3, 5]);
    expect(split(x, 4).map((p) => p.shape)).toEqual([[4], [2]]);
    expect(x.chunk(3).map((p) => p.tolist())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(v.unbind(1).length).toBe(3);
    expect(tensor(1).reshape(1, 1).shape).toEqual([1, 1]);
  });

  it("joins, einsum, matmul", () => {
    const a = ones(2, 1);
    const b = zeros(2, 2);
    expect(cat([a, b], 1).shape).toEqual([2, 3]);
    expect(cat([a, b], { dim: 1 }).shape).toEqual([2, 3]);
    expect(stack([b, b]).shape).toEqual([2, 2, 2]);
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(einsum("ij,jk->ik", m, m).tolist()).toEqual(m.matmul(m).tolist());
    expect(einsum("ii->i", m).tolist()).toEqual([1, 4]);
    expect(einsum("ij->", m).item()).toBe(10);
    expect(einsum("ij,ij", m, m).item()).toBe(30);
    expect(einsum("b...,b...->b", rand(2, 3, 4), ones(2, 3, 4)).shape).toEqual([2]);
    expect(m.matmul(tensor([1, 1])).tolist()).toEqual([3, 7]);
    expect(pad(m, [1, 0]).tolist()).toEqual([
      [0, 1, 2],
      [0, 3, 4],
    ]);
  });

  it("dtype conversions and tensor helpers", () => {
    const x = tensor([1.5, -2]);
    expect(x.double().dtype).toBe("float64");
    expect(x.long().tolist()).toEqual([1, -2]);
    expect(x.to("float32")).toBe(x);
    expect(x.type()).toBe("float32");
    expect(x.newZeros([2, 2]).dtype).toBe("float32");
    expect(x.newTensor([3]).tolist()).toEqual([3]);
    expect(x.equal(tensor([1.5, -2]))).toBe(true);
    expect(x.allclose(tensor([1.5000001, -2]))).toBe(true);
    expect(x.allclose(tensor([1.6, -2]))).toBe(false);
    expect(x.stride()).toEqual([1]);
    expect(x.elementSize()).toBe(4);
  });
});

describe("gradFn names (PyTorch 1.13)", () => {
  const x = tensor(
    [
      [0.1, 0.5, 0.9],
      [0.3, 0.7, 0.2],
    ],
    { requiresGrad: true },
  );
  const y = tensor(
    [
      [0.4, 0.6, 0.8],
      [0.5, 0.1, 0.9],
    ],
    { requiresGrad: true },
  );
  const v = tensor([0.2, 0.4, 0.6], { requiresGrad: true });
  const i = tensor([0, 1], { dtype: "int64" });
  const cases: [string, () => Tensor][] = [
    ["PowBackward0", () => x.square()],
    ["PowBackward0", () => x.pow(2)],
    ["PowBackward1", () => x.pow(y)],
    ["SumBackward0", () => x.sum()],
    ["SumBackward1", () => x.sum(1)],
    ["MeanBackward0", () => x.mean()],
    ["MeanBackward1", () => x.mean(1)],
    ["MaxBackward1", () => x.max()],
    ["MaxBackward0", () => x.max(1).values],
    ["MinBackward0", () => x.min(1).values],
    ["AmaxBackward0", () => x.amax(1)],
    ["NormBackward1", () => x.norm()],
    ["VarBackward0", () => x.var(1)],
    ["StdBackward0", () => x.std()],
    ["ProdBackward0", () => x.prod()],
    ["ProdBackward1", () => x.prod(1)],
    ["LogsumexpBackward0", () => x.logsumexp(1)],
    ["ViewBackward0", () => x.view(6)],
    ["UnsafeViewBackward0", () => x.t().reshape(6)],
    ["SqueezeBackward0", () => x.unsqueeze(0).squeeze()],
    ["SqueezeBackward1", () => x.unsqueeze(0).squeeze(0)],
    ["UnsqueezeBackward0", () => x.unsqueeze(0)],
    ["TBackward0", () => x.t()],
    ["TransposeBackward0", () => x.transpose(0, 1)],
    ["PermuteBackward0", () => x.permute(1, 0)],
    ["ExpandBackward0", () => v.expand(2, 3)],
    ["SliceBackward0", () => x.narrow(0, 1, 1)],
    ["SelectBackward0", () => x.select(0, 0)],
    ["DiagonalBackward0", () => x.diagonal()],
    ["CatBackward0", () => cat([x, y])],
    ["StackBackward0", () => stack([x, y])],
    ["SplitBackward0", () => x.split(1)[0]!],
    ["UnbindBackward0", () => x.unbind()[0]!],
    ["RepeatBackward0", () => x.repeat(2, 1)],
    ["FlipBackward0", () => x.flip(0)],
    ["TrilBackward0", () => x.tril()],
    ["IndexSelectBackward0", () => x.indexSelect(0, i)],
    ["GatherBackward0", () => x.gather(1, i.view(1, 2).expand(2, 2))],
    ["MaskedFillBackward0", () => x.maskedFill(x.gt(0.5), 0)],
    ["WhereBackward0", () => where(x.gt(0.5), x, y)],
    ["SortBackward0", () => x.sort(1).values],
    ["TopkBackward0", () => x.topk(2).values],
    ["MmBackward0", () => x.mm(y.t())],
    ["DotBackward0", () => v.matmul(v)],
    ["MvBackward0", () => x.matmul(v)],
    ["MulBackward0", () => v.outer(v)],
    ["ClampBackward1", () => x.clamp(0.2, 0.5)],
    ["LerpBackward0", () => x.lerp(y, 0.3)],
    ["AddcmulBackward0", () => x.addcmul(y, y)],
    ["DivBackward0", () => x.div(2)],
    ["DivBackward2", () => x.div(y, { roundingMode: "floor" })],
    ["RemainderBackward0", () => x.remainder(1.5)],
    ["ToCopyBackward0", () => x.double()],
    ["CloneBackward0", () => x.clone()],
    ["SoftmaxBackward0", () => x.softmax(1)],
    ["LogSoftmaxBackward0", () => x.logSoftmax(1)],
    ["CumsumBackward0", () => x.cumsum(1)],
    ["MaximumBackward0", () => x.maximum(y)],
    ["GeluBackward0", () => gelu(x)],
    ["LeakyReluBackward0", () => leakyRelu(x)],
    ["HardtanhBackward0", () => relu6(x)],
    ["ScatterAddBackward0", () => x.scatterAdd(1, i.view(1, 2).expand(2, 2), y)],
    ["ScatterBackward1", () => x.scatter(1, i.view(1, 2).expand(2, 2), 1)],
    ["ConstantPadNdBackward0", () => pad(x, [1, 1])],
  ];
  for (const [name, f] of cases) {
    it(name, () => expect(f().gradFn!.name).toBe(name));
  }
  it("RsubBackward1 (1 - x), RsubBackward0", () => {
    expect(rsub(x, 1).gradFn!.name).toBe("RsubBackward1");
    expect(rsub(x, y).gradFn!.name).toBe("RsubBackward0");
  });
});

describe("relu's gradient at NaN", () => {
  it("passes the gradient through a NaN input, as PyTorch's threshold_backward (1.13)", () => {
    const t = tensor([Number.NaN, -1, 2], { requiresGrad: true });
    t.relu().sum().backward();
    expect(t.grad!.tolist()).toEqual([1, 0, 1]);
  });
});

describe("addmm (values and errors from PyTorch 1.13)", () => {
  const i = () => tensor([1, -1]);
  const a = () =>
    tensor([
      [1, 2],
      [3, 4],
      [0.5, -2],
    ]);
  const m = () =>
    tensor([
      [1, 0],
      [2, -1],
    ]);

  it("computes beta·input + alpha·(mat1 @ mat2), the input broadcast", () => {
    expect(addmm(i(), a(), m()).tolist()).toEqual([
      [6, -3],
      [12, -5],
      [-2.5, 1],
    ]);
    expect(i().addmm(a(), m(), { beta: 0.5, alpha: 2 }).tolist()).toEqual([
      [10.5, -4.5],
      [22.5, -8.5],
      [-6.5, 3.5],
    ]);
  });

  it("ignores the input when beta is 0, NaN and infinity included", () => {
    expect(
      addmm(tensor([Number.NaN, Number.POSITIVE_INFINITY]), a(), m(), { beta: 0 }).tolist(),
    ).toEqual([
      [5, -2],
      [11, -4],
      [-3.5, 2],
    ]);
  });

  it("records AddmmBackward0 with PyTorch's gradients", () => {
    const x = i().requiresGrad_();
    const y = a().requiresGrad_();
    const z = m().requiresGrad_();
    const out = addmm(x, y, z, { beta: 3, alpha: -2 });
    expect(out.gradFn!.name).toBe("AddmmBackward0");
    expect(out.gradFn!.nextFunctions.map(([n]) => n?.name)).toEqual([
      "AccumulateGrad",
      "AccumulateGrad",
      "AccumulateGrad",
    ]);
    out.backward(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(x.grad!.tolist()).toEqual([27, 36]);
    expect(y.grad!.tolist()).toEqual([
      [-2, -0],
      [-6, -4],
      [-10, -8],
    ]);
    expect(z.grad!.tolist()).toEqual([
      [-25, -34],
      [-8, -16],
    ]);
  });

  it("truncates the factors for integer dtypes, and rejects those that overflow", () => {
    const int = (v: number[][] | number[]) => tensor(v, { dtype: "int64" });
    const eye = int([
      [1, 0],
      [0, 1],
    ]);
    const mat = int([
      [1, 2],
      [3, 4],
    ]);
    const r = addmm(int([10, 20]), mat, eye, { beta: 0.5, alpha: 2.9 });
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(() => addmm(int([1, 2]), mat, eye, { alpha: Number.NaN })).toThrow(
      "value cannot be converted to type int64_t without overflow",
    );
    const i32 = (t: Tensor) => t.to("int32");
    expect(() => addmm(i32(int([1, 2])), i32(mat), i32(eye), { beta: 1e12 })).toThrow(
      "value cannot be converted to type int without overflow",
    );
  });

  it("checks dtypes, then dims, then sizes, then the input's shape, as PyTorch", () => {
    expect(() => addmm(i().double(), a(), m())).toThrow("self and mat2 must have the same dtype");
    expect(() => addmm(i(), a().double(), m())).toThrow("mat1 and mat2 must have the same dtype");
    expect(() => addmm(i(), a().double(), zeros(7))).toThrow(
      "mat1 and mat2 must have the same dtype",
    );
    expect(() => addmm(i(), zeros(3), m())).toThrow("mat1 must be a matrix, got 1-D tensor");
    expect(() => addmm(i(), a(), zeros(2))).toThrow("mat2 must be a matrix, got 1-D tensor");
    expect(() => addmm(i(), a(), a())).toThrow(
      "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)",
    );
    expect(() => addmm(zeros(7), a(), m())).toThrow(
      "The expanded size of the tensor (2) must match the existing size (7) at non-singleton dimension 1.  Target sizes: [3, 2].  Tensor sizes: [7]",
    );
    const bool = (t: Tensor) => t.bool();
    expect(() => addmm(bool(i()), bool(a()), bool(m()))).toThrow(
      `"addmm_impl_cpu_" not implemented for 'Bool'`,
    );
  });
});
