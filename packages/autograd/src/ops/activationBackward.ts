/**
 * Backward kernels of activations as differentiable ops, for the derivative formulas (internal,
 * like PyTorch's `aten::threshold_backward`): recorded with their own rule, so double backward
 * goes through them.
 */
import { thresholdBackward as thresholdBackwardArray } from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/**
 * `self <= threshold ? 0 : gradOutput` in one fused kernel (a NaN `self` passes the gradient),
 * relu's backward; differentiable in `gradOutput` only.
 *
 * @example
 * thresholdBackward(tensor([1, 1, 1]), tensor([-1, 0, 2]), 0); // tensor([0., 0., 1.])
 */
export function thresholdBackward(gradOutput: Tensor, self: Tensor, threshold: number): Tensor {
  return record1(
    "thresholdBackward",
    { gradOutput, self, threshold },
    thresholdBackwardArray(gradOutput.data, self.data, threshold),
  );
}
