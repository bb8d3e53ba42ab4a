/**
 * Shared by the convolution ops and their backward helpers: option types, PyTorch's checks and
 * messages, output sizes, and the 4-d views the kernels run on (1-d ops use H = 1, unbatched
 * inputs N = 1). Internal to the ops layer.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Conv2dParams } from "../kernels/conv.js";
import type { NDArray } from "../ndArray.js";
import { type Shape, shapeStr } from "../shape.js";
import { binary } from "./elementwise.js";
import { TORCH_NAME } from "./prepare.js";

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
export function expand(name: string, v: IntArg, opDims: number, k: number): number[] {
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
export interface Geometry {
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  /** Output spatial sizes. */
  out: number[];
}

export function checkDTypes(
  x: NDArray,
  w: NDArray,
  bias: NDArray | null | undefined,
  kernel: string,
) {
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

export function checkParams(
  stride: number[],
  padding: number[],
  dilation: number[],
  groups: number,
) {
  if (padding.some((p) => p < 0)) throw new ValueError("negative padding is not supported");
  if (stride.some((s) => s <= 0)) throw new ValueError("non-positive stride is not supported");
  if (dilation.some((d) => d <= 0)) {
    throw new ValueError(`dilation should be greater than zero, but got ${shapeStr(dilation)}`);
  }
  if (!Number.isInteger(groups) || groups <= 0) {
    throw new ValueError("non-positive groups is not supported");
  }
}

export function checkWeight(xShape: Shape, wShape: Shape, groups: number) {
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

/** `prefix`: the start of the message (made only for it). */
export function checkBias(bias: NDArray | null | undefined, n: number, prefix: () => string) {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(
      `${prefix()}, expected bias to be 1-dimensional with ${n} elements, but got bias of size ${shapeStr(bias.shape)} instead`,
    );
  }
}

/** Geometry of a convolution of `x` [N, C, …] by `w` [O, C/groups, …] (batched shapes). */
export function convGeometry(
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
  checkBias(bias, wShape[0]!, () => `Given weight of size ${shapeStr(wShape)}`);
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
export function transposeGeometry(
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
  const prefix = () => `Given transposed=1, weight of size ${shapeStr(wShape)}`;
  if (xShape[1] !== wShape[0]) {
    throw new ShapeError(
      `${prefix()}, expected input${shapeStr(xShape)} to have ${wShape[0]} channels, but got ${xShape[1]} channels instead`,
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
export function params2d(g: Geometry): Conv2dParams {
  const two = (v: number[], fill: number): [number, number] =>
    v.length === 2 ? [v[0]!, v[1]!] : [fill, v[0]!];
  return {
    stride: two(g.stride, 1),
    padding: two(g.padding, 0),
    dilation: two(g.dilation, 1),
    groups: g.groups,
  };
}

/**
 * `x` as a 4-d view (H = 1 inserted for 1-d arrays, N = 1 for unbatched ones): `x` itself when
 * it is one already (free the view with `release(view, x)`).
 */
export function as4d(x: NDArray, batched: boolean, k: number): NDArray {
  if (batched && k === 2) return x;
  let v = batched ? x.asStrided(x.shape, x.strides) : x.unsqueeze(0);
  if (k === 1) {
    const u = v.unsqueeze(2);
    v.dispose();
    v = u;
  }
  return v;
}

/** Drops the dims `as4d` added from a new contiguous result. */
export function from4d(out: NDArray, batched: boolean, k: number): NDArray {
  let shape = out.shape.slice();
  if (k === 1) shape.splice(2, 1);
  if (!batched) shape = shape.slice(1);
  if (shape.length === out.ndim) return out;
  const v = out.view(shape);
  out.dispose();
  return v;
}

export function addBias(out: NDArray, bias: NDArray): void {
  // the backend's broadcasting add, in place: bias [O] viewed as [1, O, 1, 1]
  const b = bias.asStrided([1, out.shape[1]!, 1, 1], [0, bias.strides[0]!, 0, 0], bias.offset);
  binary("add", out, b, out);
  b.dispose();
}

export function checkInputDims(x: NDArray, k: number, name: string): boolean {
  if (x.ndim !== k + 1 && x.ndim !== k + 2) {
    throw new ShapeError(
      `Expected ${k + 1}D (unbatched) or ${k + 2}D (batched) input to ${name}, but got input of size: ${shapeStr(x.shape)}`,
    );
  }
  return x.ndim === k + 2;
}

/** Checks that a gradient has the shape the forward produced. */
export function checkGradShape(grad: NDArray, expected: Shape): void {
  if (grad.ndim !== expected.length || grad.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      `expected grad_output of size ${shapeStr(expected)}, but got ${shapeStr(grad.shape)}`,
    );
  }
}

/** Spatial dims of a convolution whose weight has `wShape`, and whether the input is batched. */
export function layout(inputShape: Shape, wShape: Shape): [number, boolean] {
  const k = wShape.length - 2;
  return [k, inputShape.length === k + 2];
}
