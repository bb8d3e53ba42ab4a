/**
 * Padding of the last dims. `pads` is PyTorch's list: (left, right) of the last dim first, then
 * the dim before, … Negative pads crop. `out` has the padded shape.
 */
import type { NDArray } from "../ndArray.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadKernels {
  pad(x: NDArray, pads: readonly number[], mode: PadMode, value: number, out: NDArray): void;
  /** Gradient of `pad` w.r.t. its input (sums the contributions of reflected/replicated cells). */
  padBackward(gradOut: NDArray, pads: readonly number[], mode: PadMode, gradIn: NDArray): void;
}
