import type { ReduceOp } from "@x/storage";
import { describe, expect, it } from "vitest";
import { agree, arr } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { reduceGroups } from "./reduceKernels";
import { wasmAccelerated } from "./wasmBackend";

const backend = useWasmBackend();
const k = backend.kernels;

describe("reductions over any set of dims", () => {
  it("groups dims into kept and reduced runs", () => {
    expect(reduceGroups([8, 3, 5, 5], [1, 3, 1, 1])).toEqual([
      { reduced: true, size: 8 },
      { reduced: false, size: 3 },
      { reduced: true, size: 25 },
    ]);
    expect(reduceGroups([1, 4, 1, 6], [1, 1, 1, 6])).toEqual([
      { reduced: true, size: 4 },
      { reduced: false, size: 6 },
    ]);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: non-consecutive, leading and strided reductions agree with the reference`, () => {
      const x = arr([6, 3, 5, 4], dtype);
      const outs = [
        [1, 3, 1, 1], // bias gradient of a convolution
        [1, 3, 5, 1],
        [6, 1, 5, 1],
        [1, 1, 1, 4],
        [6, 1, 1, 4],
        [1, 3, 1, 4],
        [1, 1, 1, 1],
        [6, 3, 5, 4], // nothing reduced
      ];
      const strided = arr([5, 4, 6, 3], dtype).permute(2, 3, 0, 1);
      const tol = dtype === "float32" ? 1e-5 : 1e-12;
      for (const op of wasmAccelerated.reduce as readonly ReduceOp[]) {
        for (const shape of outs) {
          agree(k, shape, dtype, (kk, out) => kk.reduce[op](x, out), tol, `${op} → [${shape}]`);
          agree(
            k,
            shape,
            dtype,
            (kk, out) => kk.reduce[op](strided, out),
            tol,
            `${op} strided → [${shape}]`,
          );
        }
      }
    });
  }
});
