/**
 * Inputs and shorthands for the gradient samples of `samples.ts`: seeded float64 leaves,
 * values away from kinks, distinct values for max/sort-like ops.
 */
import { Generator, type NestedArray } from "@x/storage";
import * as T from "../index.js";
import type { Tensor } from "../tensor.js";

/** A call of the op on float64 inputs; `gradgrad: false` skips the second-order check. */
export interface GradSample {
  readonly fn: (...xs: Tensor[]) => Tensor | Tensor[];
  readonly inputs: () => Tensor[];
  readonly gradgrad?: boolean;
}

export const gen = new Generator(1234);
export const F64 = { dtype: "float64" as const, requiresGrad: true };

/** Standard normal float64 leaf. */
export function rn(...shape: number[]): Tensor {
  return T.randn(shape, { dtype: "float64", generator: gen }).requiresGrad_();
}
/** Uniform in `[lo, hi)` float64 leaf. */
export function ru(lo: number, hi: number, ...shape: number[]): Tensor {
  return T.noGrad(() =>
    T.rand(shape, { dtype: "float64", generator: gen })
      .mul(hi - lo)
      .add(lo),
  ).requiresGrad_();
}
/** Values away from integers (for piecewise-constant ops). */
export function offGrid(...shape: number[]): Tensor {
  return T.noGrad(() =>
    T.randint(-3, 3, shape, { dtype: "float64", generator: gen }).add(
      ru(0.2, 0.8, ...shape).detach(),
    ),
  ).requiresGrad_();
}
/** Distinct, well-separated values (for max/sort-like ops). */
export function distinct(...shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = T.randperm(n, { generator: gen }).to("float64");
  return T.noGrad(() => perm.mul(0.37).sub(1).reshape(shape)).requiresGrad_();
}
/** `distinct` values shifted by 0.1 (never equal to another `distinct` sample). */
export function distinctShifted(...shape: number[]): Tensor {
  return T.noGrad(() => distinct(...shape).add(0.1)).requiresGrad_();
}
export const idx = (v: NestedArray) => T.tensor(v, { dtype: "int64" });

export const u = (
  fn: (x: Tensor) => Tensor,
  make: () => Tensor = () => rn(2, 3),
  gradgrad = true,
): GradSample => ({
  fn: (x) => fn(x),
  inputs: () => [make()],
  gradgrad,
});
export const b = (
  fn: (x: Tensor, y: Tensor) => Tensor,
  mx: () => Tensor,
  my: () => Tensor,
  gradgrad = true,
): GradSample => ({
  fn: (x, y) => fn(x!, y!),
  inputs: () => [mx(), my()],
  gradgrad,
});

/** A float64 leaf with a zero in each row (the exact-zero paths of prod/cumprod). */
export function idxZero(): Tensor {
  return T.tensor(
    [
      [0.5, 0, 1.5],
      [0, 2, -1],
    ],
    F64,
  );
}
