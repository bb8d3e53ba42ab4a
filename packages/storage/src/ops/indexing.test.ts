import { describe, expect, it } from "vitest";
import { arange, fromArray, ones, zeros } from "./creation.js";
import { clone } from "./elementwise.js";
import {
  gather,
  indexAdd,
  indexAdd_,
  indexSelect,
  maskedFill,
  maskedFill_,
  oneHot,
  scatter,
  scatter_,
  scatterAdd,
} from "./indexing.js";

const long = (v: number | number[] | number[][]) => fromArray(v, "int64");
const x34 = () => arange(0, 12, 1, "float32").view(3, 4);

describe("indexSelect", () => {
  it("selects along a dim, including strided inputs and negative dims", () => {
    expect(indexSelect(x34(), 1, long([3, 0, 3])).tolist()).toEqual([
      [3, 0, 3],
      [7, 4, 7],
      [11, 8, 11],
    ]);
    expect(indexSelect(x34(), -2, long([2])).tolist()).toEqual([[8, 9, 10, 11]]);
    const t = x34().t();
    expect(indexSelect(t, 0, long([1, 1])).tolist()).toEqual([
      [1, 5, 9],
      [1, 5, 9],
    ]);
    expect(indexSelect(x34(), 0, fromArray([0, 1], "int32")).shape).toEqual([2, 4]);
    expect(indexSelect(x34(), 0, long(1)).tolist()).toEqual([[4, 5, 6, 7]]);
    expect(indexSelect(fromArray(5), 0, long([0, 0])).shape).toEqual([]);
  });

  it("checks the index", () => {
    expect(() => indexSelect(x34(), 0, long([5]))).toThrow("index out of range in self");
    expect(() => indexSelect(x34(), 0, long([-1]))).toThrow("index out of range in self");
    expect(() => indexSelect(x34(), 0, long([[0]]))).toThrow(
      "index_select(): Index is supposed to be a vector",
    );
    expect(() => indexSelect(x34(), 0, fromArray([0]))).toThrow(
      "index_select(): Expected dtype int32 or int64 for index",
    );
  });
});

describe("indexAdd", () => {
  it("accumulates repeated indices with alpha, out of place and in place", () => {
    const x = x34();
    const r = indexAdd(x, 0, long([0, 0]), ones([2, 4]), 2);
    expect(r.tolist()).toEqual([
      [4, 5, 6, 7],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(x.toArray()[0]).toBe(0);
    expect(indexAdd(x, 1, long([1]), ones([3, 1]), 0.5).tolist()).toEqual([
      [0, 1.5, 2, 3],
      [4, 5.5, 6, 7],
      [8, 9.5, 10, 11],
    ]);
    const y = zeros([4, 3]);
    const t = y.t();
    const v0 = y.storage.version;
    indexAdd_(
      t,
      1,
      long([3, 1]),
      fromArray([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(y.tolist()).toEqual([
      [0, 0, 0],
      [2, 4, 6],
      [0, 0, 0],
      [1, 3, 5],
    ]);
    expect(y.storage.version).toBe(v0 + 1);
    expect(indexAdd(fromArray(1), 0, long([0, 0]), fromArray([2, 3])).item()).toBe(6);
  });

  it("checks sizes, dtypes and indices with PyTorch's messages", () => {
    const x = x34();
    expect(() => indexAdd(x, 0, long([0, 5]), ones([2, 4]))).toThrow("index out of range in self");
    expect(() => indexAdd(x, 0, long([0, 1]), ones([3, 4]))).toThrow(
      "index_add_(): Number of indices (2) should be equal to source.size(dim): (3), for dim: 0",
    );
    expect(() => indexAdd(x, 0, long([0, 1]), ones([2, 3]))).toThrow(
      "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0",
    );
    expect(() => indexAdd(x, 0, long([0, 1]), ones([2, 4], "float64"))).toThrow(
      "index_add_(): self (Float) and source (Double) must have the same scalar type",
    );
    expect(() => indexAdd(x, 0, fromArray([1]), ones([1, 4]))).toThrow(
      "index_add_(): Expected dtype int32/int64 for index but got: Float",
    );
    expect(() => indexAdd(x, 0, long([[1]]), ones([1, 4]))).toThrow(
      "index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 1]",
    );
  });
});

describe("gather, scatter, scatterAdd", () => {
  it("gather picks along a dim; index may be smaller than the input", () => {
    expect(gather(x34(), 1, long([[0, 1, 2, 3, 0]]).slice(0, 0, 1)).tolist()).toEqual([
      [0, 1, 2, 3, 0],
    ]);
    expect(
      gather(
        x34(),
        0,
        long([
          [2, 0],
          [1, 1],
        ]),
      ).tolist(),
    ).toEqual([
      [8, 1],
      [4, 5],
    ]);
    expect(gather(x34().t(), -1, long([[2], [0]])).tolist()).toEqual([[8], [1]]);
    expect(gather(fromArray(5), 0, long(0)).item()).toBe(5);
    expect(gather(fromArray([1, 2, 3]), 0, long(2)).shape).toEqual([]);
  });

  it("gather checks as PyTorch", () => {
    expect(() => gather(x34(), 1, long([[5]]))).toThrow(
      "index 5 is out of bounds for dimension 1 with size 4",
    );
    expect(() => gather(x34(), 1, long([[-1]]))).toThrow(
      "index -1 is out of bounds for dimension 1 with size 4",
    );
    expect(() => gather(x34(), 1, long([5]))).toThrow(
      "Index tensor must have the same number of dimensions as input tensor",
    );
    expect(() => gather(x34(), 1, zeros([4, 1], "int64"))).toThrow(
      "Size does not match at dimension 0 expected index [4, 1] to be smaller than self [3, 4] apart from dimension 1",
    );
    expect(() => gather(x34(), 1, fromArray([[0]], "int32"))).toThrow(
      "gather(): Expected dtype int64 for index",
    );
  });

  it("scatter writes src or a number; scatterAdd accumulates", () => {
    const x = x34();
    expect(
      scatter(x, 1, long([[1]]), 7.5)
        .toArray()
        .slice(0, 4),
    ).toEqual([0, 7.5, 2, 3]);
    expect(x.toArray()[1]).toBe(1);
    const s = scatter(
      zeros([2, 3]),
      1,
      long([[2], [0]]),
      fromArray([
        [1, 9],
        [2, 9],
      ]),
    );
    expect(s.tolist()).toEqual([
      [0, 0, 1],
      [2, 0, 0],
    ]);
    const a = scatterAdd(x, 1, long([[0, 0, 0, 0, 0]]), ones([2, 5]));
    expect(a.toArray().slice(0, 4)).toEqual([5, 1, 2, 3]);
    const z = zeros([3, 2]);
    scatter_(z.t(), 1, long([[2, 0]]), 4);
    expect(z.tolist()).toEqual([
      [4, 0],
      [0, 0],
      [4, 0],
    ]);
  });

  it("scatter checks as PyTorch", () => {
    const x = x34();
    expect(() => scatterAdd(x, 1, long([[5]]), x)).toThrow(
      "index 5 is out of bounds for dimension 1 with size 4",
    );
    expect(() => scatterAdd(x, 1, long([[1]]), ones([1, 1], "float64"))).toThrow(
      "scatter(): Expected self.dtype to be equal to src.dtype",
    );
    expect(() => scatterAdd(x, 1, zeros([3, 1], "int64"), ones([2, 1]))).toThrow(
      "Expected index [3, 1] to be smaller than self [3, 4] apart from dimension 1 and to be smaller size than src [2, 1]",
    );
    expect(() => scatter(x, 1, zeros([4, 1], "int64"), 1)).toThrow(
      "Expected index [4, 1] to be smaller than self [3, 4] apart from dimension 1",
    );
    expect(() => scatter(x, 1, long([1]), 1)).toThrow(
      "Index tensor must have the same number of dimensions as self tensor",
    );
    expect(() => scatter(x, 1, fromArray([[0]], "int32"), 1)).toThrow(
      "scatter(): Expected dtype int64 for index",
    );
  });
});

describe("maskedFill, oneHot", () => {
  it("fills where the broadcast mask is set, in x's dtype", () => {
    const m = fromArray([true, false, false, true]);
    expect(maskedFill(x34(), m, 1.5).toArray().slice(0, 8)).toEqual([
      1.5, 1, 2, 1.5, 1.5, 5, 6, 1.5,
    ]);
    const i = maskedFill(arange(4), fromArray([[true], [false]]), 1.5);
    expect([i.dtype, i.tolist()]).toEqual([
      "int64",
      [
        [1, 1, 1, 1],
        [0, 1, 2, 3],
      ],
    ]);
    expect(
      maskedFill(x34(), fromArray(true), fromArray(2))
        .toArray()
        .every((v) => v === 2),
    ).toBe(true);
    expect(
      (maskedFill(x34().t(), fromArray([true, false, true]), -1).tolist() as number[][])[0],
    ).toEqual([-1, 4, -1]);
    const y = clone(x34());
    maskedFill_(y, m, 0);
    expect(y.toArray().slice(0, 4)).toEqual([0, 1, 2, 0]);
  });

  it("checks the mask and the value", () => {
    expect(() => maskedFill(x34(), fromArray([1, 0, 0, 1]), 1)).toThrow(
      "masked_fill_ only supports boolean masks",
    );
    expect(() => maskedFill(x34(), fromArray([true]), fromArray([1, 2]))).toThrow(
      "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
    );
  });

  it("oneHot encodes int64 classes", () => {
    const o = oneHot(long([0, 2]));
    expect([o.dtype, o.tolist()]).toEqual([
      "int64",
      [
        [1, 0, 0],
        [0, 0, 1],
      ],
    ]);
    expect(
      oneHot(
        long([
          [0, 2],
          [1, 1],
        ]),
        3,
      ).shape,
    ).toEqual([2, 2, 3]);
    expect(oneHot(long(1), 3).toArray()).toEqual([0, 1, 0]);
    expect(oneHot(zeros([0], "int64"), 3).shape).toEqual([0, 3]);
    expect(() => oneHot(long([0, 2]), 2)).toThrow("Class values must be smaller than num_classes.");
    expect(() => oneHot(long([0, -1]))).toThrow("Class values must be non-negative.");
    expect(() => oneHot(zeros([0], "int64"))).toThrow(
      "Can not infer total number of classes from empty tensor.",
    );
    expect(() => oneHot(fromArray([0]))).toThrow("one_hot is only applicable to index tensor.");
  });
});
