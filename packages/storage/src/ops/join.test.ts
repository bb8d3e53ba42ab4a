import { describe, expect, it } from "vitest";
import { arange, fromArray, ones, zeros } from "./creation.js";
import { cat, chunk, flip, pad, padBackward, repeat, split, stack, tril, triu } from "./join.js";

const x34 = () => arange(0, 12, 1, "float32").view(3, 4);

describe("cat, stack", () => {
  it("concatenate along a dim with promotion, strided inputs, legacy empties", () => {
    const c = cat([x34(), zeros([3, 3])], 1);
    expect(c.shape).toEqual([3, 7]);
    expect(c.tolist()).toEqual([
      [0, 1, 2, 3, 0, 0, 0],
      [4, 5, 6, 7, 0, 0, 0],
      [8, 9, 10, 11, 0, 0, 0],
    ]);
    expect((cat([x34().t(), x34().t()], -2).tolist() as number[][])[4]).toEqual([0, 4, 8]);
    expect(cat([x34(), zeros([3, 3], "int64")], 1).dtype).toBe("float32");
    expect(cat([zeros([2], "int32"), ones([1], "bool")]).dtype).toBe("int32");
    expect(cat([x34(), zeros([0])], 1).shape).toEqual([3, 4]);
    expect(cat([zeros([0]), zeros([0])]).shape).toEqual([0]);
    expect(cat([zeros([2, 0]), zeros([3, 0])]).shape).toEqual([5, 0]);
  });

  it("cat checks as PyTorch", () => {
    expect(() => cat([])).toThrow("torch.cat(): expected a non-empty list of Tensors");
    expect(() => cat([x34(), zeros([2, 3])], 1)).toThrow(
      "Sizes of tensors must match except in dimension 1. Expected size 3 but got size 2 for tensor number 1 in the list.",
    );
    expect(() => cat([fromArray(1), fromArray(2)])).toThrow(
      "zero-dimensional tensor (at position 0) cannot be concatenated",
    );
    expect(() => cat([x34(), zeros([3, 3, 2])], 1)).toThrow(
      "Tensors must have same number of dimensions: got 2 and 3",
    );
    expect(() => cat([x34()], 2)).toThrow("expected to be in range of [-2, 1], but got 2");
  });

  it("stack adds a dim", () => {
    expect(stack([x34(), x34()], -1).shape).toEqual([3, 4, 2]);
    expect(stack([fromArray(1), fromArray(2)]).toArray()).toEqual([1, 2]);
    expect(stack([ones([2]), zeros([2])], 1).tolist()).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(() => stack([])).toThrow("stack expects a non-empty TensorList");
    expect(() => stack([x34(), zeros([3, 3])])).toThrow(
      "stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [3, 3] at entry 1",
    );
    expect(() => stack([x34(), x34()], 3)).toThrow("expected to be in range of [-3, 2], but got 3");
  });
});

describe("split, chunk", () => {
  it("split returns views by size or by sections", () => {
    const x = x34();
    const parts = split(x, 2, 1);
    expect(parts.map((p) => p.shape)).toEqual([
      [3, 2],
      [3, 2],
    ]);
    expect(parts[1]!.storage).toBe(x.storage);
    expect(split(arange(5), 2).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(x, [3, 1, 0], -1).map((p) => p.shape)).toEqual([
      [3, 3],
      [3, 1],
      [3, 0],
    ]);
    expect(split(x, 5).length).toBe(1);
    expect(split(zeros([0, 3]), 0).map((p) => p.shape)).toEqual([[0, 3]]);
  });

  it("split checks as PyTorch", () => {
    const x = x34();
    expect(() => split(x, 0)).toThrow(
      "split_size can only be 0 if dimension size is 0, but got dimension size of 3",
    );
    expect(() => split(x, -1)).toThrow(
      "split expects split_size be non-negative, but got split_size=-1",
    );
    expect(() => split(x, [1, 1])).toThrow(
      "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]",
    );
    expect(() => split(x, [2, 2, -1], 1)).toThrow(
      "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[2, 2, -1]",
    );
    expect(() => split(fromArray(1), 1)).toThrow("split expects at least a 1-dimensional tensor");
  });

  it("chunk splits into at most n views", () => {
    expect(chunk(zeros([5]), 3).map((p) => p.shape[0])).toEqual([2, 2, 1]);
    expect(chunk(zeros([5]), 4).map((p) => p.shape[0])).toEqual([2, 2, 1]);
    expect(chunk(zeros([0]), 4).length).toBe(4);
    expect(chunk(x34(), 2, 1)[1]!.tolist()).toEqual([
      [2, 3],
      [6, 7],
      [10, 11],
    ]);
    expect(() => chunk(x34(), 0)).toThrow("chunk expects `chunks` to be greater than 0, got: 0");
    expect(() => chunk(fromArray(1), 1)).toThrow("chunk expects at least a 1-dimensional tensor");
  });
});

describe("flip, repeat, tril, triu", () => {
  it("flip reverses dims of strided views", () => {
    expect((flip(x34(), [0, -1]).tolist() as number[][])[0]).toEqual([11, 10, 9, 8]);
    expect((flip(x34().t(), 1).tolist() as number[][])[0]).toEqual([8, 4, 0]);
    expect((flip(x34(), []).tolist() as number[][])[0]).toEqual([0, 1, 2, 3]);
    expect(flip(fromArray(1), [0]).item()).toBe(1);
    expect(() => flip(x34(), [0, -2])).toThrow("dim 0 appears multiple times in the list of dims");
    expect(() => flip(x34(), [2])).toThrow("expected to be in range of [-2, 1], but got 2");
  });

  it("repeat tiles and adds leading dims", () => {
    expect(repeat(fromArray([1, 2]), [2, 2]).tolist()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    const r = repeat(x34().t(), [1, 2]);
    expect(r.shape).toEqual([4, 6]);
    expect((r.tolist() as number[][])[1]).toEqual([1, 5, 9, 1, 5, 9]);
    expect(repeat(fromArray(2), [2, 3]).toArray()).toEqual([2, 2, 2, 2, 2, 2]);
    expect(repeat(fromArray(2), []).shape).toEqual([]);
    expect(repeat(x34(), [2, 0]).shape).toEqual([6, 0]);
    expect(() => repeat(x34(), [2])).toThrow(
      "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    );
    expect(() => repeat(x34(), [-1, 2])).toThrow(
      "Trying to create tensor with negative dimension -3: [-3, 8]",
    );
  });

  it("tril and triu keep triangles of the last two dims", () => {
    const t = tril(arange(0, 12, 1, "int64").view(3, 4), -1);
    expect([t.dtype, t.tolist()]).toEqual([
      "int64",
      [
        [0, 0, 0, 0],
        [4, 0, 0, 0],
        [8, 9, 0, 0],
      ],
    ]);
    expect(triu(x34(), 1).tolist()).toEqual([
      [0, 1, 2, 3],
      [0, 0, 6, 7],
      [0, 0, 0, 11],
    ]);
    expect(triu(x34(), -10).tolist()).toEqual(x34().tolist());
    expect(tril(ones([2, 2, 2])).tolist()).toEqual([
      [
        [1, 0],
        [1, 1],
      ],
      [
        [1, 0],
        [1, 1],
      ],
    ]);
    expect(tril(x34().t()).tolist()).toEqual([
      [0, 0, 0],
      [1, 5, 0],
      [2, 6, 10],
      [3, 7, 11],
    ]);
    expect(() => tril(zeros([3]))).toThrow(
      "Dimension out of range (expected to be in range of [-1, 0], but got -2)",
    );
  });
});

describe("pad, padBackward", () => {
  it("pads with a constant, crops with negative pads", () => {
    expect(pad(fromArray([[1, 2]]), [1, 1]).tolist()).toEqual([[0, 1, 2, 0]]);
    expect(pad(x34(), [-1, -2, 1, 0]).tolist()).toEqual([[0], [1], [5], [9]]);
    const i = pad(arange(4), [1, 1], "constant", 2.5);
    expect([i.dtype, i.toArray()]).toEqual(["int64", [2, 0, 1, 2, 3, 2]]);
    expect((pad(x34().t(), [0, 1, 1, 0], "constant", 9).tolist() as number[][])[0]).toEqual([
      9, 9, 9, 9,
    ]);
    expect(pad(x34(), [-2, -2]).shape).toEqual([3, 0]);
  });

  it("reflects, replicates and wraps", () => {
    const r = fromArray([[0, 1, 2, 3, 4]]);
    expect(pad(r, [2, 1], "reflect").toArray()).toEqual([2, 1, 0, 1, 2, 3, 4, 3]);
    expect(pad(r, [2, 1], "replicate").toArray()).toEqual([0, 0, 0, 1, 2, 3, 4, 4]);
    expect(pad(r, [2, 1], "circular").toArray()).toEqual([3, 4, 0, 1, 2, 3, 4, 0]);
    expect(pad(r.view(1, 1, 5), [-1, 2], "circular").toArray()).toEqual([1, 2, 3, 4, 1, 2]);
    expect(pad(r.view(1, 1, 5), [-1, 1], "reflect").toArray()).toEqual([1, 2, 3, 4, 3]);
    const two = pad(x34().view(1, 3, 4), [1, 1, 1, 0], "replicate");
    expect(two.shape).toEqual([1, 4, 6]);
    expect(two.tolist()).toEqual([
      [
        [0, 0, 1, 2, 3, 3],
        [0, 0, 1, 2, 3, 3],
        [4, 4, 5, 6, 7, 7],
        [8, 8, 9, 10, 11, 11],
      ],
    ]);
  });

  it("checks as PyTorch", () => {
    const x = x34();
    expect(() => pad(x, [1])).toThrow("Padding length must be divisible by 2");
    expect(() => pad(x, [1, 1, 1, 1, 1, 1])).toThrow("Padding length too large");
    expect(() => pad(x.view(1, 3, 4), [4, 1], "reflect")).toThrow(
      "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 1) at dimension 2 of input [1, 3, 4]",
    );
    expect(() => pad(x.view(1, 3, 4), [5, 1], "circular")).toThrow(
      "Padding value causes wrapping around more than once.",
    );
    expect(() => pad(x.view(1, 1, 3, 4), [1, 1], "reflect")).toThrow(
      "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now",
    );
    expect(() => pad(x, [1, 1], "foo" as never)).toThrow("Unrecognised padding mode foo");
    expect(() => pad(x, [1, 1], "reflect", 1)).toThrow(
      `Padding mode "reflect" doesn't take in value argument`,
    );
    expect(() => pad(x, [-3, -2])).toThrow("resulted in a negative output size");
  });

  it("padBackward sums what each input cell fed", () => {
    expect(padBackward(ones([1, 4]), [1, 1], "constant", [1, 2]).toArray()).toEqual([1, 1]);
    const g = arange(1, 9, 1, "float32").view(1, 8);
    // reflect [2, 1] of 5: outputs map to inputs 2 1 0 1 2 3 4 3.
    expect(padBackward(g, [2, 1], "reflect", [1, 5]).toArray()).toEqual([
      3,
      2 + 4,
      1 + 5,
      6 + 8,
      7,
    ]);
    expect(padBackward(g, [2, 1], "replicate", [1, 5]).toArray()).toEqual([
      1 + 2 + 3,
      4,
      5,
      6,
      7 + 8,
    ]);
    expect(padBackward(g, [2, 1], "circular", [1, 5]).toArray()).toEqual([
      3 + 8,
      4,
      5,
      1 + 6,
      2 + 7,
    ]);
    expect(padBackward(g.t(), [0, 0, -1, 0], "constant", [9, 1]).toArray()).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(() => padBackward(ones([1, 3]), [1, 1], "constant", [1, 2])).toThrow("pad backward");
  });
});
