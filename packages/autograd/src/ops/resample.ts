/**
 * Resampling on tensors (`interpolate`: nearest, nearest-exact, linear, bilinear), with its
 * backward helper as a differentiable op of its own (so second derivatives work).
 */

import type { InterpolateOptions } from "@x/storage";
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/**
 * Resampling (`F.interpolate`) of [N, C, L] or [N, C, H, W] to `size` or by `scaleFactor`.
 * @example interpolate(ones(1, 2, 3, 3), { scaleFactor: 2 }).shape // [1, 2, 6, 6]
 */
export function interpolate(self: Tensor, opts: InterpolateOptions): Tensor {
  return record1(
    "interpolate",
    { self, opts, inputShape: self.shape },
    S.interpolate(self.data, opts),
  );
}

/** The gradient of `interpolate` w.r.t. its input (differentiable). */
export function interpolateBackward(
  gradOutput: Tensor,
  inputShape: readonly number[],
  opts: InterpolateOptions,
): Tensor {
  return record1(
    "interpolateBackward",
    { gradOutput, inputShape, opts },
    S.interpolateBackward(gradOutput.data, inputShape, opts),
  );
}
