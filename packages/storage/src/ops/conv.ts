/**
 * Convolutions on NDArrays: `conv1d`, `conv2d` (numeric, "valid" or "same" padding),
 * `convTranspose2d`, batched (N, C, …) or unbatched (C, …) as PyTorch accepts them, with
 * PyTorch's checks and messages; and the backward helpers the autograd layer calls with the same
 * options as the forward. Every result is a new array.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Conv2dParams } from "../kernels/conv.js";
import { NDArray } from "../ndArray.js";
import { type Shape, shapeStr } from "../shape.js";
import { kernels, TORCH_NAME } from "./prepare.js";

/** One size for every spatial dim, or one per dim. */
export type IntArg = number | readonly number[];

export interface ConvOptions {
  stride?: IntArg;
  /** A size, one per dim, "valid" (0) or "same" (output size = input size; stride 1 only). */
  padding?: IntArg | "valid" | "same";
  dilation?: IntArg;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntArg;
  padding?: IntArg;
  /** Extra rows/columns at the bottom/right of the output (smaller than stride or dilation). */
  outputPadding?: IntArg;
  groups?: number;
  dilation?: IntArg;
}

// C++ type names PyTorch prints in "Input type (float) and bias type (double) …".
const CPP_NAME: Record<DType, string> = {
  float32: "float",
  float64: "double",
  int32: "int",
  int64: "long int",
  bool: "bool",
  uint8: "unsigned char",
};

/** `v` as a list of `k` sizes, with PyTorch's message for a list of the wrong length. */
function expand(name: string, v: IntArg, opDims: number, k: number): number[] {
  const list = typeof v === "number" ? new Array<number>(opDims).fill(v) : [...v];
  if (list.length === 1) return new Array<number>(k).fill(list[0]!);
  if (list.length !== k) {
    throw new ShapeError(
      `expected ${name} to be a single integer value or a list of ${k} values to match the convolution dimensions, but got ${name}=${shapeStr(list)}`,
    );
  }
  return list;
}

/** A convolution's geometry over `k` spatial dims (1 or 2), checked as PyTorch checks it. */
interface Geometry {
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  /** Output spatial sizes. */
  out: number[];
}

function checkDTypes(x: NDArray, w: NDArray, bias: NDArray | null | undefined, kernel: string) {
  if (x.dtype !== w.dtype) {
    throw new DTypeError(
      `expected scalar type ${TORCH_NAME[x.dtype]} but found ${TORCH_NAME[w.dtype]}`,
    );
  }
  if (bias && bias.dtype !== x.dtype) {
    throw new DTypeError(
      `Input type (${CPP_NAME[x.dtype]}) and bias type (${CPP_NAME[bias.dtype]}) should be the same`,
    );
  }
  if (x.dtype === "bool") throw new DTypeError(`"${kernel}" not implemented for 'Bool'`);
}

function checkParams(stride: number[], padding: number[], dilation: number[], groups: number) {
  if (padding.some((p) => p < 0)) throw new ValueError("negative padding is not supported");
  if (stride.some((s) => s <= 0)) throw new ValueError("non-positive stride is not supported");
  if (dilation.some((d) => d <= 0)) {
    throw new ValueError(`dilation should be greater than zero, but got ${shapeStr(dilation)}`);
  }
  if (!Number.isInteger(groups) || groups <= 0) {
    throw new ValueError("non-positive groups is not supported");
  }
}

function checkWeight(xShape: Shape, wShape: Shape, groups: number) {
  if (wShape.length !== xShape.length) {
    throw new ShapeError(
      `Expected ${wShape.length}-dimensional input for ${wShape.length}-dimensional weight ${shapeStr(wShape)}, but got ${xShape.length}-dimensional input of size ${shapeStr(xShape)} instead`,
    );
  }
  if (wShape[0]! < groups) {
    throw new ShapeError(
      `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${shapeStr(wShape)} instead`,
    );
  }
  if (wShape[0]! % groups !== 0) {
    throw new ShapeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${shapeStr(wShape)}] instead`,
    );
  }
}

function checkBias(bias: NDArray | null | undefined, n: number, prefix: string) {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(
      `${prefix}, expected bias to be 1-dimensional with ${n} elements, but got bias of size ${shapeStr(bias.shape)} instead`,
    );
  }
}

/** Geometry of a convolution of `x` [N, C, …] by `w` [O, C/groups, …] (batched shapes). */
function convGeometry(
  xShape: Shape,
  wShape: Shape,
  opts: ConvOptions,
  bias: NDArray | null | undefined,
): Geometry {
  const k = xShape.length - 2;
  const wk = wShape.length - 2;
  const pad = opts.padding ?? 0;
  const same = pad === "same";
  if (typeof pad === "string" && pad !== "same" && pad !== "valid") {
    throw new ValueError(`Invalid padding string: '${pad}'`);
  }
  const stride = expand("stride", opts.stride ?? 1, k, wk);
  if (same && stride.some((s) => s !== 1)) {
    throw new ValueError("padding='same' is not supported for strided convolutions");
  }
  const dilation = expand("dilation", opts.dilation ?? 1, k, wk);
  // "same" pads d*(k-1) in all, the odd one at the bottom/right: top/left is half, rounded down.
  const padding =
    typeof pad === "string"
      ? wShape.slice(2).map((ks, i) => (same ? Math.floor((dilation[i]! * (ks - 1)) / 2) : 0))
      : expand("padding", pad, k, wk);
  const groups = opts.groups ?? 1;
  checkParams(stride, padding, dilation, groups);
  checkWeight(xShape, wShape, groups);
  if (xShape[1] !== wShape[1]! * groups) {
    throw new ShapeError(
      `Given groups=${groups}, weight of size ${shapeStr(wShape)}, expected input${shapeStr(xShape)} to have ${wShape[1]! * groups} channels, but got ${xShape[1]} channels instead`,
    );
  }
  checkBias(bias, wShape[0]!, `Given weight of size ${shapeStr(wShape)}`);
  const spatial = xShape.slice(2);
  const padded = spatial.map((s, i) => s + 2 * padding[i]!);
  const extent = wShape.slice(2).map((ks, i) => dilation[i]! * (ks - 1) + 1);
  if (!same && padded.some((s, i) => s < extent[i]!)) {
    throw new ShapeError(
      `Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${extent.join(" x ")}). Kernel size can't be greater than actual input size`,
    );
  }
  const out = same
    ? spatial.slice()
    : padded.map((s, i) => Math.floor((s - extent[i]!) / stride[i]!) + 1);
  return { stride, padding, dilation, groups, out };
}

/** Geometry of a transposed convolution of `x` [N, Cin, …] by `w` [Cin, Cout/groups, …]. */
function transposeGeometry(
  xShape: Shape,
  wShape: Shape,
  opts: ConvTransposeOptions,
  bias: NDArray | null | undefined,
): Geometry {
  const k = xShape.length - 2;
  const wk = wShape.length - 2;
  const stride = expand("stride", opts.stride ?? 1, k, wk);
  const padding = expand("padding", opts.padding ?? 0, k, wk);
  const dilation = expand("dilation", opts.dilation ?? 1, k, wk);
  const outputPadding = expand("output_padding", opts.outputPadding ?? 0, k, wk);
  const groups = opts.groups ?? 1;
  checkParams(stride, padding, dilation, groups);
  if (outputPadding.some((p) => p < 0)) {
    throw new ValueError("negative output_padding is not supported");
  }
  checkWeight(xShape, wShape, groups);
  const prefix = `Given transposed=1, weight of size ${shapeStr(wShape)}`;
  if (xShape[1] !== wShape[0]) {
    throw new ShapeError(
      `${prefix}, expected input${shapeStr(xShape)} to have ${wShape[0]} channels, but got ${xShape[1]} channels instead`,
    );
  }
  checkBias(bias, wShape[1]! * groups, prefix);
  if (outputPadding.some((p, i) => p >= stride[i]! && p >= dilation[i]!)) {
    const [oh, ow] = k === 2 ? outputPadding : [0, outputPadding[0]];
    const [sh, sw] = k === 2 ? stride : [1, stride[0]];
    const [dh, dw] = k === 2 ? dilation : [1, dilation[0]];
    throw new ValueError(
      `output padding must be smaller than either stride or dilation, but got output_padding_height: ${oh} output_padding_width: ${ow} stride_height: ${sh} stride_width: ${sw} dilation_height: ${dh} dilation_width: ${dw}`,
    );
  }
  const spatial = xShape.slice(2);
  const out = spatial.map(
    (s, i) =>
      (s - 1) * stride[i]! -
      2 * padding[i]! +
      dilation[i]! * (wShape[2 + i]! - 1) +
      outputPadding[i]! +
      1,
  );
  if (out.some((s) => s < 1)) {
    throw new ShapeError(
      `Given input size per channel: (${spatial.join(" x ")}). Calculated output size per channel: (${out.join(" x ")}). Output size is too small`,
    );
  }
  return { stride, padding, dilation, groups, out };
}

/** The kernel parameters of a 1-d or 2-d geometry (1-d runs with H = 1). */
function params2d(g: Geometry): Conv2dParams {
  const two = (v: number[], fill: number): [number, number] =>
    v.length === 2 ? [v[0]!, v[1]!] : [fill, v[0]!];
  return {
    stride: two(g.stride, 1),
    padding: two(g.padding, 0),
    dilation: two(g.dilation, 1),
    groups: g.groups,
  };
}

/** `x` as a 4-d view (H = 1 inserted for 1-d arrays, N = 1 for unbatched ones). */
function as4d(x: NDArray, batched: boolean, k: number): NDArray {
  let v = batched ? x.asStrided(x.shape, x.strides) : x.unsqueeze(0);
  if (k === 1) {
    const u = v.unsqueeze(2);
    v.dispose();
    v = u;
  }
  return v;
}

/** Drops the dims `as4d` added from a new contiguous result. */
function from4d(out: NDArray, batched: boolean, k: number): NDArray {
  let shape = out.shape.slice();
  if (k === 1) shape.splice(2, 1);
  if (!batched) shape = shape.slice(1);
  if (shape.length === out.ndim) return out;
  const v = out.view(shape);
  out.dispose();
  return v;
}

function addBias(out: NDArray, bias: NDArray): void {
  const [N, O, H, W] = out.shape as [number, number, number, number];
  const od = out.typed();
  const bd = bias.typed();
  const plane = H * W;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const b = bd[bias.offset + o * bias.strides[0]!]!;
      const base = (n * O + o) * plane;
      for (let i = 0; i < plane; i++) od[base + i] = od[base + i]! + b;
    }
  }
}

function checkInputDims(x: NDArray, k: number, name: string): boolean {
  if (x.ndim !== k + 1 && x.ndim !== k + 2) {
    throw new ShapeError(
      `Expected ${k + 1}D (unbatched) or ${k + 2}D (batched) input to ${name}, but got input of size: ${shapeStr(x.shape)}`,
    );
  }
  return x.ndim === k + 2;
}

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
  const out = NDArray.empty([xShape[0]!, w.shape[0]!, ...(k === 1 ? [1] : []), ...g.out], x.dtype);
  kernels().conv2d(x4, w4, params2d(g), out);
  x4.dispose();
  w4.dispose();
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
  const out = NDArray.empty([xShape[0]!, w.shape[1]! * g.groups, ...g.out], x.dtype);
  kernels().conv2dBackwardInput(x4, w, params2d(g), out);
  x4.dispose();
  if (bias) addBias(out, bias);
  return from4d(out, batched, 2);
}

/** Checks that a gradient has the shape the forward produced. */
function checkGradShape(grad: NDArray, expected: Shape): void {
  if (grad.ndim !== expected.length || grad.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      `expected grad_output of size ${shapeStr(expected)}, but got ${shapeStr(grad.shape)}`,
    );
  }
}

/** Spatial dims of a convolution whose weight has `wShape`, and whether the input is batched. */
function layout(inputShape: Shape, wShape: Shape): [number, boolean] {
  const k = wShape.length - 2;
  return [k, inputShape.length === k + 2];
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
  const gradIn = NDArray.empty(
    k === 1 ? [xShape[0]!, xShape[1]!, 1, xShape[2]!] : xShape,
    gradOut.dtype,
  );
  kernels().conv2dBackwardInput(g4, w4, params2d(g), gradIn);
  g4.dispose();
  w4.dispose();
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
  const gradW = NDArray.empty(
    k === 1 ? [weightShape[0]!, weightShape[1]!, 1, weightShape[2]!] : weightShape,
    gradOut.dtype,
  );
  kernels().conv2dBackwardWeight(x4, g4, params2d(g), gradW);
  x4.dispose();
  g4.dispose();
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
  const gradIn = NDArray.empty(xShape, gradOut.dtype);
  kernels().conv2d(g4, w, params2d(g), gradIn);
  g4.dispose();
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
  const gradW = NDArray.empty(weightShape, gradOut.dtype);
  kernels().conv2dBackwardWeight(g4, x4, params2d(g), gradW);
  x4.dispose();
  g4.dispose();
  return gradW;
}
