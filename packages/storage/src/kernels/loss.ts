/**
 * Loss kernels: the negative log likelihood at class indices (`nll_loss` / `nll_loss2d`) and its
 * gradient. Arrays come in one layout, `[N, C, S]` for the input (the class dim is 1, `S` the
 * flattened spatial size, 1 for [N, C] inputs) and `[N, S]` for the targets, with any strides.
 * The op layer has validated everything: targets are `int64` in `[0, C)` or `ignoreIndex`,
 * `weight` is null or `C` values of the input's float dtype.
 */
import type { NDArray } from "../ndArray.js";

/** How a loss reduces its per-element values. */
export type LossReduction = "none" | "mean" | "sum";

export interface LossKernels {
  /**
   * `-weight[t]·input[n, t, s]` for each target `t = target[n, s]` (0 where `t` is
   * `ignoreIndex`): written to `out` ([N, S]) for `"none"`; for `"sum"` and `"mean"` their sum,
   * divided by the total weight for `"mean"`, to the 0-d `out`. Returns the total weight of the
   * non-ignored targets (their count without `weight`), rounded to the input's dtype.
   */
  nllLoss(
    input: NDArray,
    target: NDArray,
    weight: NDArray | null,
    ignoreIndex: number,
    reduction: LossReduction,
    out: NDArray,
  ): number;
  /**
   * The gradient of `nllLoss` w.r.t. its input, written to every element of `gradIn`
   * ([N, C, S]): `-weight[t]·g` at each non-ignored target and 0 elsewhere, where `g` is
   * `gradOut[n, s]` ([N, S]) for `"none"`, the 0-d `gradOut` for `"sum"`, and that divided by
   * `totalWeight` (in the input's dtype) for `"mean"`.
   */
  nllLossBackward(
    gradOut: NDArray,
    target: NDArray,
    weight: NDArray | null,
    ignoreIndex: number,
    reduction: LossReduction,
    totalWeight: number,
    gradIn: NDArray,
  ): void;
}
