/**
 * Convolutions on NDArrays: `conv1d`, `conv2d` (numeric, "valid" or "same" padding),
 * `convTranspose2d`, batched (N, C, …) or unbatched (C, …) as PyTorch accepts them, with
 * PyTorch's checks and messages; and the backward helpers the autograd layer calls with the same
 * options as the forward. Every result is a new array (allocated uninitialized: the kernels
 * overwrite their outputs entirely).
 */
import { NDArray } from "../ndArray.js";
import type { Shape } from "../shape.js";
import {
  addBias,
  as4d,
  type ConvOptions,
  type ConvTransposeOptions,
  checkDTypes,
  checkGradShape,
  checkInputDims,
  convGeometry,
  from4d,
  layout,
  params2d,
  transposeGeometry,
} from "./convGeometry.js";
import { kernels, release } from "./prepare.js";

export type { ConvOptions, ConvTransposeOptions, IntArg } from "./convGeometry.js";

function convNd(
  k: number,
  name: string,
  x: NDArray,
  w: NDArray,
  bias: NDArray | null | undefined,
  opts: ConvOptions,
): NDArray {
  const batched = checkInputDims(x, k, name);
  const xShape = batched ? x.shape : [1, ...x.shape];
  const g = convGeometry(xShape, w.shape, opts, bias);
  checkDTypes(x, w, bias, "slow_conv2d_cpu");
  const x4 = as4d(x, batched, k);
  const w4 = as4d(w, true, k);
  const out = NDArray.uninit([xShape[0]!, w.shape[0]!, ...(k === 1 ? [1] : []), ...g.out], x.dtype);
  kernels().conv2d(x4, w4, params2d(g), out);
  release(x4, x);
  release(w4, w);
  if (bias) addBias(out, bias);
  return from4d(out, batched, k);
}

/**
 * 2-d convolution (`F.conv2d`): `x` [N, C, H, W] or [C, H, W], `w` [O, C/groups, kH, kW],
 * `bias` [O]. `padding: "same"` with an even kernel pads one more row/column at the
 * bottom/right, as PyTorch.
 * @example conv2d(ones([1, 3, 8, 8]), ones([4, 3, 3, 3]), null, { padding: 1 }).shape // [1, 4, 8, 8]
 */
export function conv2d(
  x: NDArray,
  w: NDArray,
  bias?: NDArray | null,
  opts: ConvOptions = {},
): NDArray {
  return convNd(2, "conv2d", x, w, bias, opts);
}

/**
 * 1-d convolution (`F.conv1d`): `x` [N, C, L] or [C, L], `w` [O, C/groups, k], `bias` [O].
 * @example conv1d(ones([2, 3, 9]), ones([4, 3, 3]), null, { stride: 2 }).shape // [2, 4, 4]
 */
export function conv1d(
  x: NDArray,
  w: NDArray,
  bias?: NDArray | null,
  opts: ConvOptions = {},
): NDArray {
  return convNd(1, "conv1d", x, w, bias, opts);
}

/**
 * Transposed 2-d convolution (`F.conv_transpose2d`): `x` [N, Cin, H, W] or [Cin, H, W], `w`
 * [Cin, Cout/groups, kH, kW], `bias` [Cout]; the gradient of `conv2d` with respect to its input.
 * @example convTranspose2d(ones([1, 2, 4, 4]), ones([2, 3, 3, 3]), null, { stride: 2 }).shape // [1, 3, 9, 9]
 */
export function convTranspose2d(
  x: NDArray,
  w: NDArray,
  bias?: NDArray | null,
  opts: ConvTransposeOptions = {},
): NDArray {
  const batched = checkInputDims(x, 2, "conv_transpose2d");
  const xShape = batched ? x.shape : [1, ...x.shape];
  const g = transposeGeometry(xShape, w.shape, opts, bias);
  checkDTypes(x, w, bias, "slow_conv_transpose2d_out_cpu");
  const x4 = as4d(x, batched, 2);
  const out = NDArray.uninit([xShape[0]!, w.shape[1]! * g.groups, ...g.out], x.dtype);
  kernels().conv2dBackwardInput(x4, w, params2d(g), out);
  release(x4, x);
  if (bias) addBias(out, bias);
  return from4d(out, batched, 2);
}

/**
 * Gradient of `conv1d`/`conv2d` with respect to `x` (of shape `inputShape`), given the
 * gradient of the output and the weight; `opts` as given to the forward.
 * @example conv2dBackwardInput(ones([1, 4, 6, 6]), ones([4, 3, 3, 3]), [1, 3, 8, 8]).shape // [1, 3, 8, 8]
 */
export function conv2dBackwardInput(
  gradOut: NDArray,
  w: NDArray,
  inputShape: Shape,
  opts: ConvOptions = {},
): NDArray {
  const [k, batched] = layout(inputShape, w.shape);
  const xShape = batched ? inputShape : [1, ...inputShape];
  const g = convGeometry(xShape, w.shape, opts, null);
  const outShape = [xShape[0]!, w.shape[0]!, ...g.out];
  checkGradShape(gradOut, batched ? outShape : outShape.slice(1));
  const g4 = as4d(gradOut, batched, k);
  const w4 = as4d(w, true, k);
  const gradIn = NDArray.uninit(
    k === 1 ? [xShape[0]!, xShape[1]!, 1, xShape[2]!] : xShape,
    gradOut.dtype,
  );
  kernels().conv2dBackwardInput(g4, w4, params2d(g), gradIn);
  release(g4, gradOut);
  release(w4, w);
  return from4d(gradIn, batched, k);
}

/**
 * Gradient of `conv1d`/`conv2d` with respect to the weight (of shape `weightShape`), given the
 * input and the gradient of the output; `opts` as given to the forward.
 * @example conv2dBackwardWeight(ones([1, 3, 8, 8]), ones([1, 4, 6, 6]), [4, 3, 3, 3]).shape // [4, 3, 3, 3]
 */
export function conv2dBackwardWeight(
  x: NDArray,
  gradOut: NDArray,
  weightShape: Shape,
  opts: ConvOptions = {},
): NDArray {
  const [k, batched] = layout(x.shape, weightShape);
  const xShape = batched ? x.shape : [1, ...x.shape];
  const g = convGeometry(xShape, weightShape, opts, null);
  const outShape = [xShape[0]!, weightShape[0]!, ...g.out];
  checkGradShape(gradOut, batched ? outShape : outShape.slice(1));
  const x4 = as4d(x, batched, k);
  const g4 = as4d(gradOut, batched, k);
  const gradW = NDArray.uninit(
    k === 1 ? [weightShape[0]!, weightShape[1]!, 1, weightShape[2]!] : weightShape,
    gradOut.dtype,
  );
  kernels().conv2dBackwardWeight(x4, g4, params2d(g), gradW);
  release(x4, x);
  release(g4, gradOut);
  return from4d(gradW, true, k);
}

/**
 * Gradient of `convTranspose2d` with respect to `x` (of shape `inputShape`): a convolution of
 * the output gradient by the same weight.
 * @example convTranspose2dBackwardInput(ones([1, 3, 9, 9]), ones([2, 3, 3, 3]), [1, 2, 4, 4], { stride: 2 }).shape // [1, 2, 4, 4]
 */
export function convTranspose2dBackwardInput(
  gradOut: NDArray,
  w: NDArray,
  inputShape: Shape,
  opts: ConvTransposeOptions = {},
): NDArray {
  const batched = inputShape.length === 4;
  const xShape = batched ? inputShape : [1, ...inputShape];
  const g = transposeGeometry(xShape, w.shape, opts, null);
  const outShape = [xShape[0]!, w.shape[1]! * g.groups, ...g.out];
  checkGradShape(gradOut, batched ? outShape : outShape.slice(1));
  const g4 = as4d(gradOut, batched, 2);
  const gradIn = NDArray.uninit(xShape, gradOut.dtype);
  kernels().conv2d(g4, w, params2d(g), gradIn);
  release(g4, gradOut);
  return from4d(gradIn, batched, 2);
}

/**
 * Gradient of `convTranspose2d` with respect to the weight (of shape `weightShape`).
 * @example convTranspose2dBackwardWeight(ones([1, 2, 4, 4]), ones([1, 3, 9, 9]), [2, 3, 3, 3], { stride: 2 }).shape // [2, 3, 3, 3]
 */
export function convTranspose2dBackwardWeight(
  x: NDArray,
  gradOut: NDArray,
  weightShape: Shape,
  opts: ConvTransposeOptions = {},
): NDArray {
  const batched = x.ndim === 4;
  const xShape = batched ? x.shape : [1, ...x.shape];
  const g = transposeGeometry(xShape, weightShape, opts, null);
  const outShape = [xShape[0]!, weightShape[1]! * g.groups, ...g.out];
  checkGradShape(gradOut, batched ? outShape : outShape.slice(1));
  const x4 = as4d(x, batched, 2);
  const g4 = as4d(gradOut, batched, 2);
  const gradW = NDArray.uninit(weightShape, gradOut.dtype);
  kernels().conv2dBackwardWeight(g4, x4, params2d(g), gradW);
  release(x4, x);
  release(g4, gradOut);
  return gradW;
}
