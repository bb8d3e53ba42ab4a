// Tests for format.ts. Every expected string is what PyTorch 1.13.1 printed for the same tensor
// (`repr(torch.tensor(...))` under the same `torch.set_printoptions`), copied verbatim.
import { afterEach, describe, expect, it } from "vitest";
import { formatTensor, printOptions, setPrintOptions } from "./format.js";

/** 0, 1, …, n - 1 */
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** torch.arange(n) / 7 */
const frac = (n: number): number[] => range(n).map((v) => v / 7);

afterEach(() => setPrintOptions({ profile: "default" }));

describe("print options", () => {
  it("defaults are PyTorch's", () => {
    expect(printOptions).toEqual({
      precision: 4,
      threshold: 1000,
      edgeitems: 3,
      linewidth: 80,
      sciMode: null,
    });
  });
  it("a profile resets, then the given options apply", () => {
    setPrintOptions({ profile: "short", linewidth: 100, sciMode: true });
    expect(printOptions).toEqual({
      precision: 2,
      threshold: 1000,
      edgeitems: 2,
      linewidth: 100,
      sciMode: true,
    });
    setPrintOptions({ profile: "full" });
    expect(printOptions.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(printOptions.precision).toBe(4);
  });
  it("like torch.set_printoptions, leaving sciMode out resets it", () => {
    setPrintOptions({ sciMode: false });
    setPrintOptions({ precision: 2 });
    expect(printOptions.sciMode).toBeNull();
    expect(printOptions.precision).toBe(2);
  });
  it("profile full prints 1001 elements without summarizing", () => {
    setPrintOptions({ profile: "full" });
    const text = formatTensor(
      range(1001).map((v) => v % 10),
      [1001],
      "int64",
    );
    const lines = text.split("\n");
    expect(text).toHaveLength(3339);
    expect(lines).toHaveLength(42);
    expect(lines[0]).toBe(
      "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,",
    );
    expect(lines[41]).toBe("        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0])");
  });
});

describe("argument checks", () => {
  it("rejects a value count that does not match the shape", () => {
    expect(() => formatTensor([1, 2, 3], [2, 2], "float32")).toThrow(RangeError);
  });
});

describe("basic values", () => {
  it("float vector in int mode", () => {
    expect(formatTensor([1, 2], [2], "float32")).toBe(`tensor([1., 2.])`);
  });
  it("2-d row with decimals", () => {
    expect(formatTensor([0.1, 0.2], [1, 2], "float32")).toBe(`tensor([[0.1000, 0.2000]])`);
  });
  it("0-d float", () => {
    expect(formatTensor([3], [], "float32")).toBe(`tensor(3.)`);
  });
  it("0-d int", () => {
    expect(formatTensor([5], [], "int64")).toBe(`tensor(5)`);
  });
  it("0-d bool", () => {
    expect(formatTensor([1], [], "bool")).toBe(`tensor(True)`);
  });
  it("0-d float64", () => {
    expect(formatTensor([2.5], [], "float64")).toBe(`tensor(2.5000, dtype=torch.float64)`);
  });
  it("0-d large float uses sci mode", () => {
    expect(formatTensor([1e10], [], "float32")).toBe(`tensor(1.0000e+10)`);
  });
  it("int64 vector", () => {
    expect(formatTensor([1, 2], [2], "int64")).toBe(`tensor([1, 2])`);
  });
  it("int widths include the minus sign", () => {
    expect(formatTensor([-10, 5, 200], [3], "int64")).toBe(`tensor([-10,   5, 200])`);
  });
  it("int64 beyond 2**53", () => {
    expect(formatTensor([2 ** 53 + 2, -(2 ** 62)], [2], "int64")).toBe(
      `tensor([    9007199254740994, -4611686018427387904])`,
    );
  });
  it("bool vector is padded to False's width", () => {
    expect(formatTensor([1, 0], [2], "bool")).toBe(`tensor([ True, False])`);
  });
  it("uint8 shows its dtype", () => {
    expect(formatTensor([1, 2], [2], "uint8")).toBe(`tensor([1, 2], dtype=torch.uint8)`);
  });
  it("int32 shows its dtype", () => {
    expect(formatTensor([1, -2, 30, 4], [2, 2], "int32")).toBe(`tensor([[ 1, -2],
        [30,  4]], dtype=torch.int32)`);
  });
  it("float64 shows its dtype", () => {
    expect(formatTensor([0.5, 0.25], [2], "float64")).toBe(
      `tensor([0.5000, 0.2500], dtype=torch.float64)`,
    );
  });
  it("mixed widths are right-aligned", () => {
    expect(formatTensor([1.5, -22.25, 333.125], [3], "float32")).toBe(
      `tensor([  1.5000, -22.2500, 333.1250])`,
    );
  });
});

describe("empty tensors", () => {
  it("1-d float32", () => {
    expect(formatTensor([], [0], "float32")).toBe(`tensor([])`);
  });
  it("2-d shows its size", () => {
    expect(formatTensor([], [0, 3], "float32")).toBe(`tensor([], size=(0, 3))`);
  });
  it("int64 must name its dtype", () => {
    expect(formatTensor([], [0], "int64")).toBe(`tensor([], dtype=torch.int64)`);
  });
  it("bool must name its dtype", () => {
    expect(formatTensor([], [0], "bool")).toBe(`tensor([], dtype=torch.bool)`);
  });
  it("3-d float64 shows size then dtype", () => {
    expect(formatTensor([], [2, 0, 3], "float64")).toBe(
      `tensor([], size=(2, 0, 3), dtype=torch.float64)`,
    );
  });
});

describe("float32 rounding and Python's rounding", () => {
  it("0.1 prints from its float32 value", () => {
    setPrintOptions({ precision: 10 });
    expect(formatTensor([0.1, 0.7, 1 / 3], [3], "float32")).toBe(
      `tensor([0.1000000015, 0.6999999881, 0.3333333433])`,
    );
  });
  it("float64 keeps its own digits", () => {
    setPrintOptions({ precision: 10 });
    expect(formatTensor([0.1, 0.7, 1 / 3], [3], "float64")).toBe(
      `tensor([0.1000000000, 0.7000000000, 0.3333333333], dtype=torch.float64)`,
    );
  });
  it("ties round half to even (0.03125)", () => {
    expect(formatTensor([0.03125, 0.5], [2], "float32")).toBe(`tensor([0.0312, 0.5000])`);
  });
  it("precision 0 rounds half to even", () => {
    setPrintOptions({ precision: 0 });
    expect(formatTensor([0.5, 1.5, 2.5, 3.25], [4], "float32")).toBe(`tensor([0, 2, 2, 3])`);
  });
  it("rounding carries into a new digit", () => {
    expect(formatTensor([9.99995, 1], [2], "float32")).toBe(`tensor([10.0000,  1.0000])`);
  });
});

describe("sci mode decision", () => {
  it("min below 1e-4", () => {
    expect(formatTensor([1e-5, 1], [2], "float32")).toBe(`tensor([1.0000e-05, 1.0000e+00])`);
  });
  it("ratio above 1000", () => {
    expect(formatTensor([0.5, 1000.5], [2], "float32")).toBe(`tensor([5.0000e-01, 1.0005e+03])`);
  });
  it("integers: ratio 1000 stays plain", () => {
    expect(formatTensor([1, 1000], [2], "float32")).toBe(`tensor([   1., 1000.])`);
  });
  it("integers: ratio 1001 switches", () => {
    expect(formatTensor([1, 1001], [2], "float32")).toBe(`tensor([1.0000e+00, 1.0010e+03])`);
  });
  it("integers: 1e8 stays plain", () => {
    expect(formatTensor([1e8], [1], "float32")).toBe(`tensor([100000000.])`);
  });
  it("integers: above 1e8 switches", () => {
    expect(formatTensor([123456789], [1], "float32")).toBe(`tensor([1.2346e+08])`);
  });
  it("large exponents keep their digits", () => {
    expect(formatTensor([1e300, -1e-300], [2], "float64")).toBe(
      `tensor([ 1.0000e+300, -1.0000e-300], dtype=torch.float64)`,
    );
  });
  it("float32 extremes", () => {
    expect(formatTensor([3.4e38, 1e-45], [2], "float32")).toBe(`tensor([3.4000e+38, 1.4013e-45])`);
  });
  it("zeros ignored by the decision", () => {
    expect(formatTensor([0, 1e-5, 0], [3], "float32")).toBe(
      `tensor([0.0000e+00, 1.0000e-05, 0.0000e+00])`,
    );
  });
  it("sciMode true forces it", () => {
    setPrintOptions({ sciMode: true });
    expect(formatTensor([1, 2.5], [2], "float32")).toBe(`tensor([1.0000e+00, 2.5000e+00])`);
  });
  it("sciMode false forbids it", () => {
    setPrintOptions({ sciMode: false });
    expect(formatTensor([1e-6, 1], [2], "float32")).toBe(`tensor([    0.0000,     1.0000])`);
  });
  it("sciMode false prints huge integers exactly", () => {
    setPrintOptions({ sciMode: false });
    expect(formatTensor([1e30], [1], "float64")).toBe(
      `tensor([1000000000000000019884624838656.], dtype=torch.float64)`,
    );
  });
  it("sciMode true is ignored when nothing is nonzero and finite", () => {
    setPrintOptions({ sciMode: true });
    expect(formatTensor([0, Number.NaN], [2], "float32")).toBe(`tensor([0., nan])`);
  });
});

describe("nan, inf and negative zero", () => {
  it("int mode with non-finite values", () => {
    expect(formatTensor([1, Number.NaN, Infinity, -Infinity], [4], "float32")).toBe(
      `tensor([1., nan, inf, -inf])`,
    );
  });
  it("decimals with non-finite values", () => {
    expect(
      formatTensor([Number.NaN, 1.5, Infinity, -2.25], [2, 2], "float32"),
    ).toBe(`tensor([[    nan,  1.5000],
        [    inf, -2.2500]])`);
  });
  it("sci mode pads non-finite values", () => {
    expect(
      formatTensor([Number.NaN, 1e-7, -Infinity, 2], [2, 2], "float32"),
    ).toBe(`tensor([[       nan, 1.0000e-07],
        [      -inf, 2.0000e+00]])`);
  });
  it("all nan", () => {
    expect(formatTensor([Number.NaN, Number.NaN], [2], "float32")).toBe(`tensor([nan, nan])`);
  });
  it("0-d nan", () => {
    expect(formatTensor([Number.NaN], [], "float32")).toBe(`tensor(nan)`);
  });
  it("all zeros", () => {
    expect(formatTensor([0, 0], [2], "float32")).toBe(`tensor([0., 0.])`);
  });
  it("negative zero", () => {
    expect(formatTensor([-0, 1], [2], "float32")).toBe(`tensor([-0., 1.])`);
  });
  it("0-d negative zero", () => {
    expect(formatTensor([-0], [], "float32")).toBe(`tensor(-0.)`);
  });
  it("negative zero in decimals", () => {
    expect(formatTensor([-0, 1.5], [2], "float32")).toBe(`tensor([-0.0000, 1.5000])`);
  });
  it("tiny negative rounds to -0.0000", () => {
    setPrintOptions({ sciMode: false });
    expect(formatTensor([-1e-6, 1], [2], "float32")).toBe(`tensor([    -0.0000,      1.0000])`);
  });
});

describe("layout", () => {
  it("long rows wrap at linewidth 80", () => {
    expect(
      formatTensor(frac(30), [30], "float32"),
    ).toBe(`tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,
        3.8571, 4.0000, 4.1429])`);
  });
  it("wrapped rows inside a matrix", () => {
    expect(
      formatTensor(frac(40), [2, 20], "float32"),
    ).toBe(`tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
         2.5714, 2.7143],
        [2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143, 3.8571, 4.0000,
         4.1429, 4.2857, 4.4286, 4.5714, 4.7143, 4.8571, 5.0000, 5.1429, 5.2857,
         5.4286, 5.5714]])`);
  });
  it("3-d blocks are separated by a blank line", () => {
    expect(formatTensor(range(24), [2, 3, 4], "float32")).toBe(`tensor([[[ 0.,  1.,  2.,  3.],
         [ 4.,  5.,  6.,  7.],
         [ 8.,  9., 10., 11.]],

        [[12., 13., 14., 15.],
         [16., 17., 18., 19.],
         [20., 21., 22., 23.]]])`);
  });
  it("4-d blocks are separated by two blank lines", () => {
    expect(formatTensor(range(16), [2, 2, 2, 2], "float32")).toBe(`tensor([[[[ 0.,  1.],
          [ 2.,  3.]],

         [[ 4.,  5.],
          [ 6.,  7.]]],


        [[[ 8.,  9.],
          [10., 11.]],

         [[12., 13.],
          [14., 15.]]]])`);
  });
  it("bool matrix", () => {
    expect(formatTensor([1, 0, 1, 0, 0, 1], [2, 3], "bool")).toBe(`tensor([[ True, False,  True],
        [False, False,  True]])`);
  });
  it("a prefix sets the indentation", () => {
    expect(
      formatTensor(
        range(12).map((v) => v / 3),
        [3, 4],
        "float32",
        { prefix: "MyTensor(" },
      ),
    ).toBe(`MyTensor([[0.0000, 0.3333, 0.6667, 1.0000],
          [1.3333, 1.6667, 2.0000, 2.3333],
          [2.6667, 3.0000, 3.3333, 3.6667]])`);
  });
  it("linewidth 40", () => {
    setPrintOptions({ linewidth: 40 });
    expect(formatTensor(range(20), [2, 10], "float32")).toBe(`tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,
          6.,  7.,  8.,  9.],
        [10., 11., 12., 13., 14., 15.,
         16., 17., 18., 19.]])`);
  });
});

describe("summarization", () => {
  it("2000 floats", () => {
    expect(
      formatTensor(range(2000), [2000], "float32"),
    ).toBe(`tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
        1.9990e+03])`);
  });
  it("2000 ints", () => {
    expect(formatTensor(range(2000), [2000], "int64")).toBe(
      `tensor([   0,    1,    2,  ..., 1997, 1998, 1999])`,
    );
  });
  it("20 x 100 matrix", () => {
    expect(
      formatTensor(range(2000), [20, 100], "float32"),
    ).toBe(`tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,
         9.9000e+01],
        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.9700e+02, 1.9800e+02,
         1.9900e+02],
        [2.0000e+02, 2.0100e+02, 2.0200e+02,  ..., 2.9700e+02, 2.9800e+02,
         2.9900e+02],
        ...,
        [1.7000e+03, 1.7010e+03, 1.7020e+03,  ..., 1.7970e+03, 1.7980e+03,
         1.7990e+03],
        [1.8000e+03, 1.8010e+03, 1.8020e+03,  ..., 1.8970e+03, 1.8980e+03,
         1.8990e+03],
        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9970e+03, 1.9980e+03,
         1.9990e+03]])`);
  });
  it("3-d summarized", () => {
    setPrintOptions({ threshold: 100, edgeitems: 2 });
    expect(
      formatTensor(
        range(125).map((v) => v / 10),
        [5, 5, 5],
        "float32",
      ),
    ).toBe(`tensor([[[ 0.0000,  0.1000,  ...,  0.3000,  0.4000],
         [ 0.5000,  0.6000,  ...,  0.8000,  0.9000],
         ...,
         [ 1.5000,  1.6000,  ...,  1.8000,  1.9000],
         [ 2.0000,  2.1000,  ...,  2.3000,  2.4000]],

        [[ 2.5000,  2.6000,  ...,  2.8000,  2.9000],
         [ 3.0000,  3.1000,  ...,  3.3000,  3.4000],
         ...,
         [ 4.0000,  4.1000,  ...,  4.3000,  4.4000],
         [ 4.5000,  4.6000,  ...,  4.8000,  4.9000]],

        ...,

        [[ 7.5000,  7.6000,  ...,  7.8000,  7.9000],
         [ 8.0000,  8.1000,  ...,  8.3000,  8.4000],
         ...,
         [ 9.0000,  9.1000,  ...,  9.3000,  9.4000],
         [ 9.5000,  9.6000,  ...,  9.8000,  9.9000]],

        [[10.0000, 10.1000,  ..., 10.3000, 10.4000],
         [10.5000, 10.6000,  ..., 10.8000, 10.9000],
         ...,
         [11.5000, 11.6000,  ..., 11.8000, 11.9000],
         [12.0000, 12.1000,  ..., 12.3000, 12.4000]]])`);
  });
  it("profile short", () => {
    setPrintOptions({ profile: "short" });
    expect(
      formatTensor(
        range(2500).map((v) => v / 7),
        [50, 50],
        "float32",
      ),
    ).toBe(`tensor([[0.00e+00, 1.43e-01,  ..., 6.86e+00, 7.00e+00],
        [7.14e+00, 7.29e+00,  ..., 1.40e+01, 1.41e+01],
        ...,
        [3.43e+02, 3.43e+02,  ..., 3.50e+02, 3.50e+02],
        [3.50e+02, 3.50e+02,  ..., 3.57e+02, 3.57e+02]])`);
  });
  it("formatter sees only shown elements", () => {
    expect(
      formatTensor(
        range(2000).map((v) => (v === 1000 ? 1e10 : v / 8)),
        [2000],
        "float32",
      ),
    ).toBe(`tensor([0.0000e+00, 1.2500e-01, 2.5000e-01,  ..., 2.4962e+02, 2.4975e+02,
        2.4988e+02])`);
  });
  it("threshold 5", () => {
    setPrintOptions({ threshold: 5 });
    expect(formatTensor(range(10), [10], "int64")).toBe(`tensor([0, 1, 2,  ..., 7, 8, 9])`);
  });
  it("edgeitems 1", () => {
    setPrintOptions({ threshold: 20, edgeitems: 1 });
    expect(formatTensor(range(81), [3, 3, 9], "float32")).toBe(`tensor([[[ 0.,  ...,  8.],
         ...,
         [18.,  ..., 26.]],

        ...,

        [[54.,  ..., 62.],
         ...,
         [72.,  ..., 80.]]])`);
  });
  it("edgeitems 0 keeps PyTorch's self[-0:] quirk on vectors", () => {
    setPrintOptions({ threshold: 10, edgeitems: 0 });
    expect(formatTensor(range(12), [12], "int64")).toBe(
      `tensor([ ...,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11])`,
    );
  });
});

describe("suffixes", () => {
  it("dtype before requires_grad", () => {
    expect(formatTensor([1, 2], [2], "float64", { suffixes: ["requires_grad=True"] })).toBe(
      `tensor([1., 2.], dtype=torch.float64, requires_grad=True)`,
    );
  });
  it("grad_fn", () => {
    expect(formatTensor([2, 4], [2], "float32", { suffixes: ["grad_fn=<MulBackward0>"] })).toBe(
      `tensor([2., 4.], grad_fn=<MulBackward0>)`,
    );
  });
  it("a long line moves the suffix to a new line", () => {
    expect(
      formatTensor(frac(9), [9], "float32", { suffixes: ["requires_grad=True"] }),
    ).toBe(`tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429],
       requires_grad=True)`);
  });
  it("multi-line data keeps the suffix on the last line when it fits", () => {
    expect(
      formatTensor(frac(6), [2, 3], "float32", { suffixes: ["requires_grad=True"] }),
    ).toBe(`tensor([[0.0000, 0.1429, 0.2857],
        [0.4286, 0.5714, 0.7143]], requires_grad=True)`);
  });
  it("each suffix may wrap on its own", () => {
    expect(
      formatTensor(
        frac(9).map((v) => v * 2),
        [9],
        "float64",
        { suffixes: ["grad_fn=<MulBackward0>"] },
      ),
    ).toBe(`tensor([0.0000, 0.2857, 0.5714, 0.8571, 1.1429, 1.4286, 1.7143, 2.0000, 2.2857],
       dtype=torch.float64, grad_fn=<MulBackward0>)`);
  });
  it("empty with suffixes", () => {
    expect(formatTensor([], [0, 3], "float32", { suffixes: ["requires_grad=True"] })).toBe(
      `tensor([], size=(0, 3), requires_grad=True)`,
    );
  });
});
