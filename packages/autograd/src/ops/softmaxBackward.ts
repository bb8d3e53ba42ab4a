/**
 * Softmax's and log-softmax's backward kernels as differentiable ops, for the derivative formulas
 * (internal, like PyTorch's `aten::_softmax_backward_data` / `_log_softmax_backward_data`):
 * recorded with their own rules, so double backward goes through them.
 */
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/**
 * Softmax's backward from its `output` as one differentiable op (PyTorch's
 * `_softmax_backward_data`, for the derivative formulas): `output·(gradOutput - Σ gradOutput·output)`
 * along `dim`.
 * @example softmaxBackwardData(tensor([1, 0]), tensor([0.5, 0.5]), 0) // tensor([0.2500, -0.2500])
 */
export function softmaxBackwardData(gradOutput: Tensor, output: Tensor, dim: number): Tensor {
  const d = S.normalizeDim(dim, output.ndim);
  return record1(
    "softmaxBackwardData",
    { gradOutput, output, dim: d },
    S.softmaxBackward(gradOutput.data, output.data, d),
  );
}

/**
 * Log-softmax's backward from its `output` as one differentiable op (PyTorch's
 * `_log_softmax_backward_data`): `gradOutput - exp(output)·Σ gradOutput` along `dim`.
 * @example logSoftmaxBackwardData(tensor([1, 0]), tensor([0.5, 0.5]).log(), 0) // tensor([0.5000, -0.5000])
 */
export function logSoftmaxBackwardData(gradOutput: Tensor, output: Tensor, dim: number): Tensor {
  const d = S.normalizeDim(dim, output.ndim);
  return record1(
    "logSoftmaxBackwardData",
    { gradOutput, output, dim: d },
    S.logSoftmaxBackward(gradOutput.data, output.data, d),
  );
}
