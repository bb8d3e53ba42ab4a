import { describe, expect, it } from "vitest";
import { linearProgram, runLinearProgram, winogradVariants } from "./winograd";

let seed = 3;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31 - 0.5) * 4;
};

const times = (M: readonly (readonly number[])[], x: readonly number[]) =>
  M.map((row) => row.reduce((s, c, j) => s + c * x[j]!, 0));

describe("linearProgram", () => {
  const matrices = Object.values(winogradVariants).flatMap((v) => [
    [`Bᵀ F(${v.m})`, v.bt],
    [`G F(${v.m})`, v.g],
    [`Aᵀ F(${v.m})`, v.at],
  ]) as [string, readonly (readonly number[])[]][];
  matrices.push(
    [
      "sums and differences",
      [
        [1, 1],
        [1, -1],
      ],
    ],
    [
      "negative rows",
      [
        [-1, -2, 0],
        [0, -3, -3],
        [2, 0, -2],
      ],
    ],
  );
  for (const [name, M] of matrices) {
    it(`computes ${name} · x`, () => {
      const p = linearProgram(M);
      for (let r = 0; r < 5; r++) {
        const x = Array.from({ length: M[0]!.length }, rand);
        const got = runLinearProgram(p, x);
        const want = times(M, x);
        got.forEach((g, i) => {
          expect(g).toBeCloseTo(want[i]!, 12);
        });
      }
    });
  }

  it("shares work between paired columns and rows", () => {
    const count = (M: readonly (readonly number[])[]) => {
      const p = linearProgram(M);
      return { ops: p.ops.length, naive: M.flat().filter((c) => c !== 0).length };
    };
    // Aᵀ of F(4×4): 21 terms; x1 ± x2 and x3 ± x4 first
    const at = count(winogradVariants[4].at);
    expect(at.ops).toBeLessThan(at.naive - 4);
    const bt = count(winogradVariants[4].bt);
    expect(bt.ops).toBeLessThan(bt.naive);
  });

  it("the variants' matrices convolve: Aᵀ[(G g) ⊙ (Bᵀ d)] = the valid correlation of d and g", () => {
    for (const v of Object.values(winogradVariants)) {
      const A = v.m + 2;
      const d = Array.from({ length: A }, rand);
      const g = Array.from({ length: 3 }, rand);
      const u = times(v.g, g);
      const bd = times(v.bt, d);
      const y = times(
        v.at,
        u.map((x, i) => x * bd[i]!),
      );
      for (let i = 0; i < v.m; i++) {
        expect(y[i]!).toBeCloseTo(d[i]! * g[0]! + d[i + 1]! * g[1]! + d[i + 2]! * g[2]!, 12);
      }
    }
  });
});
