/**
 * Pooling on NDArrays: `maxPool1d`, `maxPool2d` (with int64 indices), `avgPool2d`,
 * `adaptiveAvgPool2d`, batched (N, C, …) or unbatched (C, …), with PyTorch's output sizes
 * (`ceilMode` included), checks and messages; and the backward helpers the autograd layer calls
 * with the same arguments as the forward. Every result is a new array.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { Pool2dParams } from "../kernels/conv.js";
import { NDArray } from "../ndArray.js";
import { type Shape, shapeStr } from "../shape.js";
import type { IntArg } from "./convGeometry.js";
import { kernels, TORCH_NAME } from "./prepare.js";

export interface MaxPoolOptions {
  /** Defaults to the kernel size. */
  stride?: IntArg | null;
  padding?: IntArg;
  dilation?: IntArg;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPoolOptions {
  /** Defaults to the kernel size. */
  stride?: IntArg | null;
  padding?: IntArg;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

/**
 * PyTorch's `pooling_output_shape`: with `ceilMode` the last window must start inside the input
 * or its left padding.
 * @example poolingOutputSize(5, 2, 0, 2, 1, true) // 3
 */
export function poolingOutputSize(
  size: number,
  k: number,
  pad: number,
  stride: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = size + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

function pair(name: string, v: IntArg, message: string): [number, number] {
  const list = typeof v === "number" ? [v, v] : [...v];
  if (list.length === 1) return [list[0]!, list[0]!];
  if (list.length !== 2) throw new ValueError(`${name}: ${message}`);
  return [list[0]!, list[1]!];
}

function checkFloat(dtype: DType, kernel: string, allowLong = false): void {
  if (dtype === "float32" || dtype === "float64" || (allowLong && dtype === "int64")) return;
  throw new DTypeError(`"${kernel}" not implemented for '${TORCH_NAME[dtype]}'`);
}

/** Resolves pooling arguments over an [N, C, H, W] or [C, H, W] input as PyTorch checks them. */
function pool2dParams(
  name: "max_pool2d" | "avg_pool2d",
  x: Shape,
  kernelSize: IntArg,
  opts: MaxPoolOptions & AvgPoolOptions,
): { p: Pool2dParams; out: [number, number] } {
  const kernel = pair(
    name,
    kernelSize,
    "kernel_size must either be a single int, or a tuple of two ints",
  );
  const noStride =
    opts.stride == null || (typeof opts.stride !== "number" && opts.stride.length === 0);
  const stride = noStride
    ? kernel
    : pair(
        name,
        opts.stride!,
        "stride must either be omitted, a single int, or a tuple of two ints",
      );
  const padding = pair(
    name,
    opts.padding ?? 0,
    name === "max_pool2d"
      ? "padding must be either be a single int, or a tuple of two ints"
      : "padding must either be a single int, or a tuple of two ints",
  );
  const dilation =
    name === "max_pool2d"
      ? pair(
          name,
          opts.dilation ?? 1,
          "dilation must be either a single int, or a tuple of two ints",
        )
      : ([1, 1] as [number, number]);
  const divisor = opts.divisorOverride ?? 0;
  if (name === "avg_pool2d" && opts.divisorOverride != null && divisor === 0) {
    throw new ValueError("divisor must be not zero");
  }
  if (x.length !== 3 && x.length !== 4) {
    throw new ShapeError("non-empty 3D or 4D (batch mode) tensor expected for input");
  }
  const ceilMode = opts.ceilMode ?? false;
  const [H, W] = x.slice(-2) as [number, number];
  const out: [number, number] = [0, 0];
  for (let i = 0; i < 2; i++) {
    if (stride[i] === 0) throw new ValueError("stride should not be zero");
    if (padding[i]! < 0)
      throw new ValueError(`pad must be non-negative, but got pad: ${padding[i]}`);
    if (padding[i]! > Math.floor(kernel[i]! / 2)) {
      throw new ValueError(
        `pad should be at most half of kernel size, but got pad=${padding[i]} and kernel_size=${kernel[i]}`,
      );
    }
    out[i] = poolingOutputSize(
      i === 0 ? H : W,
      kernel[i]!,
      padding[i]!,
      stride[i]!,
      dilation[i]!,
      ceilMode,
    );
  }
  if (kernel[0] <= 0 || kernel[1] <= 0) {
    throw new ValueError(
      `kernel size should be greater than zero, but got kH: ${kernel[0]} kW: ${kernel[1]}`,
    );
  }
  if (stride[0] <= 0 || stride[1] <= 0) {
    throw new ValueError(
      `stride should be greater than zero, but got dH: ${stride[0]} dW: ${stride[1]}`,
    );
  }
  if (dilation[0] <= 0 || dilation[1] <= 0) {
    throw new ValueError(
      `dilation should be greater than zero, but got dilationH: ${dilation[0]} dilationW: ${dilation[1]}`,
    );
  }
  if (x.slice(1).some((s) => s === 0) || (x.length === 3 && x[0] === 0)) {
    throw new ShapeError(
      `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeStr(x)}`,
    );
  }
  if (out[0] < 1 || out[1] < 1) {
    const C = x[x.length - 3]!;
    throw new ShapeError(
      `Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${out[0]}x${out[1]}). Output size is too small`,
    );
  }
  const p: Pool2dParams = {
    kernel,
    stride,
    padding,
    dilation,
    ceilMode,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: divisor,
  };
  return { p, out };
}

/** `x` as a 4-d view (N = 1 inserted for an unbatched input). */
function as4d(x: NDArray): NDArray {
  return x.ndim === 4 ? x.asStrided(x.shape, x.strides) : x.unsqueeze(0);
}

/** A new contiguous `[N, C, oH, oW]` (or `[C, oH, oW]`) for an input of `x`'s rank. */
function outputLike(x: Shape, out: readonly number[], dtype: DType): NDArray {
  return NDArray.uninit([...x.slice(0, -2), ...out], dtype);
}

/** The 4-d view of a new array made by `outputLike`. */
function view4d(a: NDArray): NDArray {
  return a.ndim === 4 ? a.asStrided(a.shape, a.strides) : a.unsqueeze(0);
}

/**
 * Max pooling with its indices: `[values, indices]` (as `maxPool2d(…, { returnIndices: true })`).
 * @example maxPool2dWithIndices(ones([1, 1, 4, 4]), 2)[1].dtype // "int64"
 */
export function maxPool2dWithIndices(
  x: NDArray,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): [NDArray, NDArray] {
  const { p, out } = pool2dParams("max_pool2d", x.shape, kernelSize, opts);
  checkFloat(x.dtype, "max_pool2d");
  const values = outputLike(x.shape, out, x.dtype);
  const indices = outputLike(x.shape, out, "int64");
  const [x4, v4, i4] = [as4d(x), view4d(values), view4d(indices)];
  kernels().maxPool2d(x4, p, v4, i4);
  for (const t of [x4, v4, i4]) t.dispose();
  return [values, indices];
}

/**
 * 2-d max pooling (`F.max_pool2d`) over [N, C, H, W] or [C, H, W]; with `returnIndices`, also
 * the int64 flat index `h * W + w` of each maximum within its plane. NaN wins, as in PyTorch.
 * @example maxPool2d(ones([1, 1, 4, 4]), 2).shape // [1, 1, 2, 2]
 */
export function maxPool2d(
  x: NDArray,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [NDArray, NDArray];
export function maxPool2d(
  x: NDArray,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): NDArray;
export function maxPool2d(
  x: NDArray,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): NDArray | [NDArray, NDArray];
export function maxPool2d(
  x: NDArray,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): NDArray | [NDArray, NDArray] {
  const [values, indices] = maxPool2dWithIndices(x, kernelSize, opts);
  if (opts.returnIndices) return [values, indices];
  indices.dispose();
  return values;
}

function check1d(name: string, v: IntArg | null | undefined, fallback: number): number {
  if (v == null) return fallback;
  if (typeof v === "number") return v;
  if (v.length === 0 && name === "stride") return fallback;
  if (v.length !== 1) {
    throw new ValueError(
      `max_pool1d() ${name} must be an int, list of ints or tuple of ints of size 1 but got size ${v.length}`,
    );
  }
  return v[0]!;
}

/**
 * 1-d max pooling (`F.max_pool1d`) over [N, C, L] or [C, L].
 * @example maxPool1d(ones([2, 3, 8]), 2).shape // [2, 3, 4]
 */
export function maxPool1d(
  x: NDArray,
  kernelSize: IntArg,
  opts: MaxPoolOptions & { returnIndices: true },
): [NDArray, NDArray];
export function maxPool1d(
  x: NDArray,
  kernelSize: IntArg,
  opts?: MaxPoolOptions & { returnIndices?: false },
): NDArray;
export function maxPool1d(
  x: NDArray,
  kernelSize: IntArg,
  opts?: MaxPoolOptions,
): NDArray | [NDArray, NDArray];
export function maxPool1d(
  x: NDArray,
  kernelSize: IntArg,
  opts: MaxPoolOptions = {},
): NDArray | [NDArray, NDArray] {
  const k = check1d("kernel_size", kernelSize, 1);
  const s = check1d("stride", opts.stride, k);
  const pad = check1d("padding", opts.padding, 0);
  const d = check1d("dilation", opts.dilation, 1);
  if ((x.ndim !== 2 && x.ndim !== 3) || x.shape.slice(-2).some((v) => v === 0)) {
    throw new ShapeError(
      `max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${shapeStr(x.shape)}`,
    );
  }
  if (!opts.returnIndices) {
    if (k <= 0)
      throw new ValueError(`max_pool1d() kernel_size must be greater than zero, but got ${k}`);
    if (s <= 0) throw new ValueError(`max_pool1d() stride must be greater than zero, but got ${s}`);
    if (pad < 0) throw new ValueError(`max_pool1d() padding must be non-negative, but got ${pad}`);
    if (pad > Math.floor(k / 2)) {
      throw new ValueError(
        `max_pool1d() padding should be at most half of kernel size, but got padding=${pad} and kernel_size=${k}`,
      );
    }
    if (d <= 0)
      throw new ValueError(`max_pool1d() dilation must be greater than zero, but got ${d}`);
    const L = poolingOutputSize(x.shape[x.ndim - 1]!, k, pad, s, d, opts.ceilMode ?? false);
    if (L < 0) throw new ShapeError(`max_pool1d() Invalid computed output size: ${L}`);
    checkFloat(x.dtype, "max_pool1d_impl");
    if (L === 0) return NDArray.empty([...x.shape.slice(0, -1), 0], x.dtype);
  }
  const x2 = x.unsqueeze(-2);
  const [v, i] = maxPool2dWithIndices(x2, [1, k], {
    stride: [1, s],
    padding: [0, pad],
    dilation: [1, d],
    ceilMode: opts.ceilMode ?? false,
  });
  x2.dispose();
  const values = v.squeeze(-2);
  const indices = i.squeeze(-2);
  v.dispose();
  i.dispose();
  if (opts.returnIndices) return [values, indices];
  indices.dispose();
  return values;
}

/** Scatters `gradOut` to the positions `indices` names, over 4-d views of the three arrays. */
function maxPoolScatter(
  gradOut: NDArray,
  indices: NDArray,
  inputShape: Shape,
  at: number,
): NDArray {
  if (gradOut.ndim !== indices.ndim || gradOut.shape.some((s, i) => s !== indices.shape[i])) {
    throw new ShapeError(
      `expected indices of size ${shapeStr(gradOut.shape)}, but got ${shapeStr(indices.shape)}`,
    );
  }
  const gradIn = NDArray.uninit(inputShape, gradOut.dtype);
  const to4 = (a: NDArray) => {
    let v = a.asStrided(a.shape, a.strides);
    while (v.ndim < 4) {
      const u = v.unsqueeze(v.ndim === 3 ? at : 0);
      v.dispose();
      v = u;
    }
    return v;
  };
  const [g4, i4, o4] = [to4(gradOut), to4(indices), to4(gradIn)];
  kernels().maxPool2dBackward(g4, i4, o4);
  for (const t of [g4, i4, o4]) t.dispose();
  return gradIn;
}

/**
 * Gradient of `maxPool2d` with respect to its input (of shape `inputShape`): each output
 * gradient goes to the position its index names.
 * @example maxPool2dBackward(ones([1, 1, 2, 2]), indices, [1, 1, 4, 4]).shape // [1, 1, 4, 4]
 */
export function maxPool2dBackward(gradOut: NDArray, indices: NDArray, inputShape: Shape): NDArray {
  return maxPoolScatter(gradOut, indices, inputShape, 0);
}

/**
 * Gradient of `maxPool1d` with respect to its input (of shape `inputShape`).
 * @example maxPool1dBackward(ones([2, 3, 4]), indices, [2, 3, 8]).shape // [2, 3, 8]
 */
export function maxPool1dBackward(gradOut: NDArray, indices: NDArray, inputShape: Shape): NDArray {
  return maxPoolScatter(gradOut, indices, inputShape, 2);
}

/**
 * 2-d average pooling (`F.avg_pool2d`) over [N, C, H, W] or [C, H, W]; windows are clipped to
 * the padded input, and the divisor counts padding unless `countIncludePad: false`.
 * @example avgPool2d(ones([1, 1, 4, 4]), 2).shape // [1, 1, 2, 2]
 */
export function avgPool2d(x: NDArray, kernelSize: IntArg, opts: AvgPoolOptions = {}): NDArray {
  const { p, out } = pool2dParams("avg_pool2d", x.shape, kernelSize, opts);
  checkFloat(x.dtype, "avg_pool2d", true);
  const result = outputLike(x.shape, out, x.dtype);
  const [x4, r4] = [as4d(x), view4d(result)];
  kernels().avgPool2d(x4, p, r4);
  x4.dispose();
  r4.dispose();
  return result;
}

/**
 * Gradient of `avgPool2d` with respect to its input (of shape `inputShape`); the same
 * arguments as the forward.
 * @example avgPool2dBackward(ones([1, 1, 2, 2]), [1, 1, 4, 4], 2).shape // [1, 1, 4, 4]
 */
export function avgPool2dBackward(
  gradOut: NDArray,
  inputShape: Shape,
  kernelSize: IntArg,
  opts: AvgPoolOptions = {},
): NDArray {
  const { p, out } = pool2dParams("avg_pool2d", inputShape, kernelSize, opts);
  const expected = [...inputShape.slice(0, -2), ...out];
  if (gradOut.ndim !== expected.length || gradOut.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      `expected grad_output of size ${shapeStr(expected)}, but got ${shapeStr(gradOut.shape)}`,
    );
  }
  const gradIn = NDArray.uninit(inputShape, gradOut.dtype);
  const [g4, i4] = [view4d(gradOut), view4d(gradIn)];
  kernels().avgPool2dBackward(g4, p, i4);
  g4.dispose();
  i4.dispose();
  return gradIn;
}
