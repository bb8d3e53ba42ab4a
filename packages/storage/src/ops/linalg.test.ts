/// <reference types="node" />
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DType } from "../dtype.js";
import type { NDArray } from "../ndArray.js";
import { arange, fromArray, full } from "./creation.js";
import { einsum } from "./einsum.js";
import { bmm, dot, linear, matmul, mm, outer } from "./linalg.js";

interface T {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}
type Input = Record<string, unknown>;
interface Case {
  id: string;
  call: string;
  inputs: Input[];
  output: T;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../../../shared/conformance/ops.json", import.meta.url), "utf8"),
) as { tolerance: { float32: { rtol: number; atol: number } }; cases: Case[] };

const num = (v: number | string | boolean) =>
  v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v);

function toArray(t: T, dtype?: DType): NDArray {
  return fromArray(t.data.map(num), dtype ?? (t.dtype as DType)).reshape(t.shape);
}

function expectClose(actual: NDArray, expected: T, rtol: number, atol: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  const e = expected.data.map(num);
  for (let i = 0; i < e.length; i++) {
    const tol = atol + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) {
      expect.fail(`element ${i}: got ${a[i]}, expected ${e[i]} (tolerance ${tol})`);
    }
  }
}

const CALLS: Record<string, (args: unknown[]) => NDArray> = {
  "torch.matmul": ([a, b]) => matmul(a as NDArray, b as NDArray),
  "torch.mm": ([a, b]) => mm(a as NDArray, b as NDArray),
  "torch.bmm": ([a, b]) => bmm(a as NDArray, b as NDArray),
  "torch.outer": ([a, b]) => outer(a as NDArray, b as NDArray),
  "torch.einsum": ([eq, ...ops]) => einsum(eq as string, ...(ops as NDArray[])),
  "F.linear": ([x, w, b]) => linear(x as NDArray, w as NDArray, b as NDArray | undefined),
};

const cases = fixture.cases.filter((c) => c.call in CALLS);

describe("conformance forward (ops.json)", () => {
  const { rtol, atol } = fixture.tolerance.float32;
  it("covers every matmul-family case of the fixture", () => {
    expect(cases.map((c) => c.id)).toEqual([
      "matmul/2d",
      "matmul/vec-mat",
      "matmul/mat-vec",
      "matmul/dot",
      "matmul/batched-bcast",
      "mm",
      "bmm",
      "outer",
      "einsum/bij,bjk",
      "einsum/trace-like",
      "F.linear",
      "F.linear/nobias",
    ]);
  });
  for (const dtype of ["float32", "float64"] as const) {
    // float64 runs must agree far more tightly: the fixture holds float64 results.
    const [r, a] = dtype === "float32" ? [rtol, atol] : [1e-12, 1e-12];
    for (const c of cases) {
      it(`${c.id} (${dtype})`, () => {
        const args = c.inputs.map((i) =>
          "tensor" in i ? toArray(i.tensor as T, dtype) : "str" in i ? i.str : undefined,
        );
        const out = CALLS[c.call]!(args);
        expect(out.dtype).toBe(dtype);
        expectClose(out, c.output, r, a);
      });
    }
  }
});

/** Naive matmul of row-major [M, K] and [K, N] value lists. */
function naive(a: number[], b: number[], M: number, K: number, N: number): number[] {
  const out = new Array<number>(M * N).fill(0);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < K; k++) out[i * N + j]! += a[i * K + k]! * b[k * N + j]!;
    }
  }
  return out;
}

const seq = (shape: number[], dtype: DType = "float64", start = 0) => {
  const n = shape.reduce((p, s) => p * s, 1);
  return arange(start, start + n, 1, dtype).reshape(shape);
};

describe("matmul semantics", () => {
  it("follows torch.matmul's shape rules", () => {
    expect(matmul(seq([4]), seq([4])).shape).toEqual([]);
    expect(matmul(seq([3]), seq([3, 5])).shape).toEqual([5]);
    expect(matmul(seq([2, 3]), seq([3])).shape).toEqual([2]);
    expect(matmul(seq([2, 1, 3, 4]), seq([5, 4, 6])).shape).toEqual([2, 5, 3, 6]);
    expect(matmul(seq([4]), seq([2, 4, 3])).shape).toEqual([2, 3]);
    expect(matmul(seq([2, 3, 4]), seq([4])).shape).toEqual([2, 3]);
    expect(matmul(seq([0, 3]), seq([3, 5])).shape).toEqual([0, 5]);
    expect(matmul(seq([3, 0]), seq([0, 5])).toArray()).toEqual(new Array(15).fill(0));
  });

  it("computes batched products with broadcast batch dims", () => {
    const a = seq([2, 1, 3, 4]);
    const b = seq([5, 4, 2], "float64", -7);
    const out = matmul(a, b);
    const av = a.toArray();
    const bv = b.toArray();
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 5; j++) {
        const want = naive(av.slice(i * 12, i * 12 + 12), bv.slice(j * 8, j * 8 + 8), 3, 4, 2);
        expect(out.select(0, i).select(0, j).toArray()).toEqual(want);
      }
    }
  });

  it("reads transposed, sliced and expanded operands through their strides", () => {
    const base = seq([6, 5]);
    const at = base.t().slice(0, 1, 4); // [3, 6], strides [1, 5]
    const b = seq([6, 2], "float64", 3).slice(1, 0, 2, 1);
    expect(matmul(at, b).toArray()).toEqual(naive(at.toArray(), b.toArray(), 3, 6, 2));
    const e = full([1], 2, "float64").expand([6]);
    expect(matmul(at, e).toArray()).toEqual(naive(at.toArray(), e.toArray(), 3, 6, 1));
    // A [B, M, K] transposed in its last two dims is not folded, but gives the same numbers.
    const p = seq([2, 4, 3]).transpose(1, 2);
    const q = seq([4, 2], "float64", 1);
    const out = matmul(p, q);
    for (let i = 0; i < 2; i++) {
      expect(out.select(0, i).toArray()).toEqual(
        naive(p.select(0, i).toArray(), q.toArray(), 3, 4, 2),
      );
    }
  });

  it("keeps integer dtypes and propagates NaN through zeros", () => {
    const a = fromArray([1, 2, 3, 4], "int64").reshape([2, 2]);
    const out = mm(a, a);
    expect(out.dtype).toBe("int64");
    expect(out.toArray()).toEqual([7, 10, 15, 22]);
    const z = fromArray([0, 0]).reshape([1, 2]);
    const n = fromArray([Number.NaN, 1]).reshape([2, 1]);
    expect(Number.isNaN(mm(z, n).item())).toBe(true);
  });

  it("raises PyTorch's errors", () => {
    const r = (...s: number[]) => seq(s, "float32");
    expect(() => matmul(fromArray(1), r(3))).toThrow(
      "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    );
    expect(() => matmul(r(3, 4), r(5, 6))).toThrow(
      "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)",
    );
    expect(() => matmul(r(3), r(4, 6))).toThrow("(1x3 and 4x6)");
    expect(() => matmul(r(3, 4), r(5))).toThrow("size mismatch, got 3, 3x4,5");
    expect(() => matmul(r(2, 3, 4), r(5))).toThrow("size mismatch, got 6, 6x4,5");
    expect(() => matmul(r(2, 3, 4), r(5, 6))).toThrow("(6x4 and 5x6)");
    expect(() => matmul(r(2, 4), r(3, 5, 6))).toThrow("(18x5 and 4x2)");
    expect(() => matmul(r(5), r(2, 3, 4))).toThrow("size mismatch, got 8, 8x3,5");
    expect(() => matmul(r(2, 3, 4), r(2, 5, 6))).toThrow(
      "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
    );
    expect(() => matmul(r(2, 1, 3, 4), r(3, 5, 6))).toThrow("to be: [6, 4] but got: [6, 5].");
    expect(() => matmul(r(2, 3, 4).transpose(1, 2), r(4, 6))).toThrow(
      "to be: [2, 3] but got: [2, 4].",
    );
    expect(() => matmul(r(2, 3, 4), r(3, 4, 6))).toThrow(
      "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    );
    expect(() => matmul(r(3), r(4))).toThrow(
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively",
    );
    expect(() => matmul(r(3, 4), seq([4, 2]))).toThrow(
      "expected scalar type Float but found Double",
    );
    expect(() => mm(r(3), r(3, 2))).toThrow("self must be a matrix");
    expect(() => mm(r(3, 2), r(2))).toThrow("mat2 must be a matrix");
    expect(() => bmm(r(3, 4), r(3, 4, 6))).toThrow("batch1 must be a 3D tensor");
    expect(() => bmm(r(2, 3, 4), r(4, 6))).toThrow("batch2 must be a 3D tensor");
    expect(() => bmm(r(2, 3, 4), r(3, 4, 6))).toThrow("to be: [2, 4] but got: [3, 4].");
    expect(() => dot(r(3, 1), r(4))).toThrow("1D tensors expected, but got 2D and 1D tensors");
    expect(() => dot(r(3), seq([3]))).toThrow(
      "dot : expected both vectors to have same dtype, but found Float and Double",
    );
    const t = fromArray([true, false]);
    expect(() => dot(t, t)).toThrow(`"dot" not implemented for 'Bool'`);
    expect(() => outer(r(3, 1), r(4))).toThrow("outer: Expected 1-D argument self, but got 2-D");
  });

  it("outer promotes like mul; linear adds the bias", () => {
    const o = outer(fromArray([1, 2], "int32"), fromArray([0.5, 1, 2], "float64"));
    expect(o.dtype).toBe("float64");
    expect(o.toArray()).toEqual([0.5, 1, 2, 1, 2, 4]);
    const y = linear(seq([2, 3]), seq([4, 3]), fromArray([1, 2, 3, 4], "float64"));
    expect(y.toArray()).toEqual([6, 16, 26, 36, 15, 52, 89, 126]);
    expect(() => linear(seq([3, 4]), seq([5, 4]), seq([3]))).toThrow(
      "The expanded size of the tensor (5) must match the existing size (3) at non-singleton dimension 1",
    );
  });
});

/** Reference einsum by enumeration of every label assignment. */
function naiveEinsum(
  inputs: string[],
  output: string,
  ops: NDArray[],
  sizes: Record<string, number>,
): number[] {
  const labels = [...new Set(inputs.join(""))];
  const outSize = [...output].reduce((p, l) => p * sizes[l]!, 1);
  const out = new Array<number>(outSize).fill(0);
  const vals = ops.map((o) => o.toArray());
  const assign: Record<string, number> = {};
  const flat = (spec: string, shape: readonly number[]) =>
    [...spec].reduce((p, l, i) => p * shape[i]! + assign[l]!, 0);
  const rec = (d: number) => {
    if (d === labels.length) {
      let prod = 1;
      inputs.forEach((spec, i) => {
        prod *= vals[i]![flat(spec, ops[i]!.shape)]!;
      });
      out[
        flat(
          output,
          [...output].map((l) => sizes[l]!),
        )
      ]! += prod;
      return;
    }
    for (let v = 0; v < sizes[labels[d]!]!; v++) {
      assign[labels[d]!] = v;
      rec(d + 1);
    }
  };
  rec(0);
  return out;
}

describe("einsum", () => {
  it("matches enumeration for contractions, traces, diagonals and outer products", () => {
    const a = seq([3, 4], "float64", -5);
    const b = seq([4, 5], "float64", 2);
    const c = seq([5, 3], "float64", -1);
    const sq = seq([3, 3], "float64", -4);
    const sizes = { i: 3, j: 4, k: 5, l: 3 };
    expect(einsum("ij,jk->ik", a, b).toArray()).toEqual(
      naiveEinsum(["ij", "jk"], "ik", [a, b], sizes),
    );
    expect(einsum("ij,jk", a, b).toArray()).toEqual(naiveEinsum(["ij", "jk"], "ik", [a, b], sizes));
    expect(einsum("ij,jk,ki->", a, b, c).toArray()).toEqual(
      naiveEinsum(["ij", "jk", "ki"], "", [a, b, c], sizes),
    );
    expect(einsum("ij,jk,kl->li", a, b, c).toArray()).toEqual(
      naiveEinsum(["ij", "jk", "kl"], "li", [a, b, c], sizes),
    );
    expect(einsum("ii", sq).item()).toBe(-4 + 0 + 4);
    expect(einsum("ii->i", sq).toArray()).toEqual([-4, 0, 4]);
    expect(einsum("ij->", a).item()).toBe(naiveEinsum(["ij"], "", [a], sizes)[0]);
    expect(einsum("ij->j", a).toArray()).toEqual(naiveEinsum(["ij"], "j", [a], sizes));
    expect(einsum("ji", a).toArray()).toEqual(a.t().toArray());
    expect(einsum("ij->ji", a).toArray()).toEqual(a.t().toArray());
    expect(einsum("i,j", seq([3]), seq([2], "float64", 1)).toArray()).toEqual([0, 0, 1, 2, 2, 4]);
    expect(einsum("aA", seq([3, 2])).shape).toEqual([2, 3]);
    const t = seq([3, 3, 2], "float64", -3);
    expect(einsum("iij->ji", t).toArray()).toEqual(naiveEinsum(["iij"], "ji", [t], { i: 3, j: 2 }));
    expect(einsum("ij ,jk", [a, b]).shape).toEqual([3, 5]);
  });

  it("broadcasts ellipsis dims and size-1 labels; returns new arrays", () => {
    const x = seq([2, 1, 4]);
    const y = seq([3, 4], "float64", 1);
    const r = einsum("...i,...i->...", x, y);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual(matmul(x, y.t()).reshape([2, 3]).toArray());
    expect(einsum("bi,bi->b", seq([1, 3]), seq([2, 3])).toArray()).toEqual([5, 14]);
    expect(einsum("...ij,...jk", seq([2, 3, 4]), seq([4, 5])).shape).toEqual([2, 3, 5]);
    expect(einsum("i...->...i", seq([3, 2])).toArray()).toEqual([0, 2, 4, 1, 3, 5]);
    const s = seq([2, 3]);
    const same = einsum("ij->ij", s);
    expect(same.storage).not.toBe(s.storage);
  });

  it("raises PyTorch's errors", () => {
    const r = (...sh: number[]) => seq(sh, "float32");
    expect(() => einsum("ij,jk->ik", r(3, 4), r(5, 5))).toThrow(
      "einsum(): subscript j has size 5 for operand 1 which does not broadcast with previously seen size 4",
    );
    expect(() => einsum("ij,jk->ik", r(3, 4))).toThrow(
      "einsum(): fewer operands were provided than specified in the equation",
    );
    expect(() => einsum("ij", r(3, 4), r(4, 5))).toThrow(
      "einsum(): more operands were provided than specified in the equation",
    );
    expect(() => einsum("ijk,jk->ik", r(3, 4), r(4, 5))).toThrow(
      "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given",
    );
    expect(() => einsum("ij...", r(3))).toThrow("is more than the number of dimensions (1)");
    expect(() => einsum("ij,jk->iz", r(3, 4), r(4, 5))).toThrow(
      "einsum(): output subscript z does not appear in the equation for any input operand",
    );
    expect(() => einsum("ij,jk->ii", r(3, 4), r(4, 5))).toThrow(
      "einsum(): output subscript i appears more than once in the output",
    );
    expect(() => einsum("i1,jk->ik", r(3, 4), r(4, 5))).toThrow(
      "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]",
    );
    expect(() => einsum("ij,jk->ik->", r(3, 4), r(4, 5))).toThrow("index 9");
    expect(() => einsum("ii", r(3, 4))).toThrow(
      "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 4 != 3",
    );
    expect(() => einsum("i...j...", r(3, 2, 3))).toThrow(
      "einsum(): found '.' for operand 0 for which an ellipsis was already found",
    );
    expect(() => einsum("i..j", r(3, 2, 3))).toThrow(
      "einsum(): found '.' for operand 0 that is not part of any ellipsis",
    );
    expect(() => einsum("...ij,...jk->...ik", r(2, 3, 4), r(3, 4, 5))).toThrow(
      "einsum(): dimension 0 covered by ellipsis in operand 1has size 3 which does not broadcast with previously seen ellipsis with size 2 for the respective dimension",
    );
    expect(() => einsum("ij,jk", r(3, 4), seq([4, 5]))).toThrow(
      "expected scalar type Float but found Double",
    );
  });
});
