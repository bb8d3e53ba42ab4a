import {
  type BinaryOp,
  type CompareOp,
  type DType,
  NDArray,
  referenceKernels,
  type UnaryOp,
} from "@x/storage";
import { describe, expect, it } from "vitest";
import { agree, arr, rand } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();
const k = backend.kernels;

/** Operand pairs of shape [3, 4, 5] in the layouts the kernels distinguish. */
function layouts(dtype: DType, f: () => number = rand): [string, NDArray, NDArray][] {
  const S = [3, 4, 5];
  const full = () => arr(S, dtype, f);
  const scalar = () => arr([], dtype, f).expand(S);
  const lastRow = () => arr([5], dtype, f).expand(S);
  const channel = () => arr([1, 4, 1], dtype, f).expand(S);
  const column = () => arr([3, 4, 1], dtype, f).expand(S);
  const permuted = () => arr([5, 3, 4], dtype, f).permute(1, 2, 0);
  const flipped = () => {
    const x = arr(S, dtype, f);
    return x.asStrided(S, [-20, 5, -1], 44);
  };
  const sliced = () => arr([3, 8, 5], dtype, f).asStrided(S, [40, 10, 1], 5);
  return [
    ["contiguous", full(), full()],
    ["scalar right", full(), scalar()],
    ["scalar left", scalar(), full()],
    ["row", full(), lastRow()],
    ["row left", lastRow(), full()],
    ["channel", full(), channel()],
    ["channel left", channel(), full()],
    ["column", column(), full()],
    ["permuted", permuted(), full()],
    ["flipped", full(), flipped()],
    ["sliced", sliced(), permuted()],
    ["both scalar", scalar(), scalar()],
  ];
}

describe("elementwise kernels on any strides", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: binary ops agree with the reference in every layout`, () => {
      for (const op of wasmAccelerated.binary as readonly BinaryOp[]) {
        for (const [name, a, b] of layouts(dtype)) {
          agree(
            k,
            [3, 4, 5],
            dtype,
            (kk, out) => kk.binary[op](a, b, out),
            undefined,
            `${op} ${name}`,
          );
        }
      }
    });

    it(`${dtype}: binary ops write strided outputs and run in place`, () => {
      const a = arr([4, 6], dtype);
      const b = arr([6], dtype).expand(4, 6);
      for (const op of wasmAccelerated.binary as readonly BinaryOp[]) {
        // out is a transposed view
        const got = NDArray.empty([6, 4], dtype);
        const want = NDArray.empty([6, 4], dtype);
        k.binary[op](a, b, got.t());
        referenceKernels.binary[op](a, b, want.t());
        expect(got.toArray()).toEqual(want.toArray());
        // in place: out aliases a
        const x = arr([5, 7], dtype);
        const y = arr([5, 7], dtype);
        const ref = NDArray.empty([5, 7], dtype);
        referenceKernels.binary[op](x, y, ref);
        k.binary[op](x, y, x);
        expect(x.toArray()).toEqual(ref.toArray());
      }
    });

    it(`${dtype}: unary ops agree with the reference on contiguous, transposed and strided inputs`, () => {
      for (const op of wasmAccelerated.unary as readonly UnaryOp[]) {
        const tol = op === "exp" ? 3e-7 : undefined;
        const x = arr([7, 9], dtype);
        agree(k, [7, 9], dtype, (kk, out) => kk.unary[op](x, out), tol, op);
        agree(k, [9, 7], dtype, (kk, out) => kk.unary[op](x.t(), out), tol, `${op} transposed`);
        const s = x.asStrided([4, 3], [18, 3], 1);
        agree(k, [4, 3], dtype, (kk, out) => kk.unary[op](s, out), tol, `${op} strided`);
      }
    });

    it(`${dtype}: comparisons agree (NaN, ties and signed zeros included)`, () => {
      const vals = [0, -0, 1, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY];
      let i = 0;
      const pick = () => vals[(i++ * 7 + (i >> 2)) % vals.length]!;
      for (const op of wasmAccelerated.compare as readonly CompareOp[]) {
        for (const [name, a, b] of layouts(dtype, pick)) {
          agree(k, [3, 4, 5], "bool", (kk, out) => kk.compare[op](a, b, out), 0, `${op} ${name}`);
        }
        // long enough for the 16-wide SIMD body and a tail
        const a = arr([37], dtype, pick);
        const b = arr([37], dtype, pick);
        agree(k, [37], "bool", (kk, out) => kk.compare[op](a, b, out), 0, `${op} long`);
      }
    });

    it(`${dtype}: where agrees for every layout of the condition and values`, () => {
      const conds = [
        arr([3, 4, 5], "bool", () => (rand() > 0 ? 1 : 0)),
        arr([4, 1], "bool", () => (rand() > 0 ? 1 : 0)).expand(3, 4, 5),
        arr([3, 4, 5], "uint8", () => Math.floor(Math.abs(rand()) * 40)),
      ];
      for (const cond of conds) {
        for (const [name, a, b] of layouts(dtype)) {
          agree(k, [3, 4, 5], dtype, (kk, out) => kk.where(cond, a, b, out), 0, `where ${name}`);
        }
      }
      const c = arr([41], "bool", () => (rand() > 0 ? 1 : 0));
      const a = arr([41], dtype);
      const z = arr([], dtype, () => 0).expand(41);
      agree(k, [41], dtype, (kk, out) => kk.where(c, a, z, out), 0, "where long");
    });
  }

  it("copies every dtype bit-exactly through any strides", () => {
    for (const dtype of ["float32", "float64", "int32", "int64", "bool", "uint8"] as const) {
      const f = () => (dtype === "bool" ? (rand() > 0 ? 1 : 0) : Math.round(rand() * 20));
      const x = arr([6, 5, 3], dtype, f);
      agree(k, [3, 5, 6], dtype, (kk, out) => kk.copy(x.permute(2, 1, 0), out), 0, `copy ${dtype}`);
      agree(k, [6, 5, 3], dtype, (kk, out) => kk.copy(x, out), 0, `copy ${dtype}`);
      for (const [r, c] of [
        [7, 9],
        [4, 13],
        [16, 4],
        [3, 11],
      ] as const) {
        const y = arr([r, c], dtype, f);
        agree(
          k,
          [c, r],
          dtype,
          (kk, out) => kk.copy(y.t(), out),
          0,
          `transpose ${dtype} ${r}×${c}`,
        );
      }
      const z = arr([10, 12], dtype, f).asStrided([9, 5], [1, 24], 1); // strided transposed view
      agree(k, [9, 5], dtype, (kk, out) => kk.copy(z, out), 0, `strided transpose ${dtype}`);
      const row = arr([3], dtype, f).expand(6, 5, 3);
      agree(k, [6, 5, 3], dtype, (kk, out) => kk.copy(row, out), 0, `broadcast ${dtype}`);
    }
    // a conversion stays with the reference kernel
    const x = arr([4, 4], "float32");
    agree(k, [4, 4], "int32", (kk, out) => kk.copy(x, out), 0, "float32 → int32");
  });
});
