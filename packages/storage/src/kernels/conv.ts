/**
 * Convolution, pooling and resampling over NCHW arrays (1-d ops use H = 1). Inputs are strided;
 * outputs are contiguous and fully overwritten (backward kernels overwrite `gradIn`/`gradW`).
 *
 * Spatial sizes come from the arrays: `padding` is the top/left padding, and the bottom/right
 * padding is whatever the output's (or, backward, the input's) size implies. So PyTorch's
 * `padding="same"` with an even kernel (one more row at the bottom) and `outputPadding` of a
 * transposed convolution need no extra parameter.
 */
import type { NDArray } from "../ndArray.js";

export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export interface Pool2dParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
  /** avg pool only */
  readonly countIncludePad: boolean;
  /** avg pool only; 0 = none */
  readonly divisorOverride: number;
}

export type InterpolateMode = "nearest" | "nearest-exact" | "bilinear";

export interface InterpolateParams {
  readonly mode: InterpolateMode;
  /** bilinear only */
  readonly alignCorners: boolean;
  /**
   * The scale factors (output / input) the user gave for H and W, 0 where none: PyTorch maps
   * output to input positions with `1 / scale` when given, else with `inSize / outSize`.
   */
  readonly scales: readonly [number, number];
}

export interface ConvKernels {
  /** x [N, C, H, W], w [O, C/groups, kH, kW] → out [N, O, oH, oW] (no bias). */
  conv2d(x: NDArray, w: NDArray, p: Conv2dParams, out: NDArray): void;
  /** Gradient w.r.t. the input of `conv2d` (also the forward of transposed convolution). */
  conv2dBackwardInput(gradOut: NDArray, w: NDArray, p: Conv2dParams, gradIn: NDArray): void;
  /** Gradient w.r.t. the weight of `conv2d`. */
  conv2dBackwardWeight(x: NDArray, gradOut: NDArray, p: Conv2dParams, gradW: NDArray): void;
  /** Max pooling; `indices` (int64) holds the flat `h * W + w` of each max, as PyTorch. */
  maxPool2d(x: NDArray, p: Pool2dParams, out: NDArray, indices: NDArray): void;
  maxPool2dBackward(gradOut: NDArray, indices: NDArray, gradIn: NDArray): void;
  avgPool2d(x: NDArray, p: Pool2dParams, out: NDArray): void;
  avgPool2dBackward(gradOut: NDArray, p: Pool2dParams, gradIn: NDArray): void;
  /** Adaptive average pooling to `out`'s spatial size. */
  adaptiveAvgPool2d(x: NDArray, out: NDArray): void;
  adaptiveAvgPool2dBackward(gradOut: NDArray, gradIn: NDArray): void;
  /** Resampling to `out`'s spatial size. */
  interpolate(x: NDArray, p: InterpolateParams, out: NDArray): void;
  interpolateBackward(gradOut: NDArray, p: InterpolateParams, gradIn: NDArray): void;
}
