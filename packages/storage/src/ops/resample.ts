/**
 * Resampling (`F.interpolate`) on NDArrays: nearest, nearest-exact, linear (3-d inputs) and
 * bilinear (4-d inputs), from an output `size` or a `scaleFactor` exactly as PyTorch resolves them
 * (a given scale factor, not the rounded size ratio, maps output to input positions), and the
 * backward helper the autograd layer calls with the same options. Every result is a new array.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { InterpolateParams } from "../kernels/conv.js";
import { NDArray } from "../ndArray.js";
import { type Shape, shapeStr } from "../shape.js";
import { kernels, TORCH_NAME } from "./prepare.js";

export type InterpolateModeOption = "nearest" | "nearest-exact" | "linear" | "bilinear";

export interface InterpolateOptions {
  /** Output spatial size: one for every dim, or one per dim. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial sizes (output = floor(input * scale)). */
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateModeOption;
  /** linear/bilinear only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean | null;
  /** Compute the output size from the scale factor, then forget the scale factor. */
  recomputeScaleFactor?: boolean | null;
}

/** The kernel parameters and output spatial size of `interpolate` for an input of `shape`. */
function resolve(shape: Shape, opts: InterpolateOptions): { p: InterpolateParams; out: number[] } {
  const mode = opts.mode ?? "nearest";
  const nearest = mode === "nearest" || mode === "nearest-exact";
  if (nearest && opts.alignCorners != null) {
    throw new ValueError(
      "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
    );
  }
  const dim = shape.length - 2;
  const spatial = shape.slice(2);
  const { size, scaleFactor } = opts;
  let out: number[];
  let scales: number[] | null = null;
  if (size != null && scaleFactor != null) {
    throw new ValueError("only one of size or scale_factor should be defined");
  } else if (size != null) {
    if (typeof size !== "number" && size.length !== dim) {
      throw new ValueError(
        `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(spatial)} and output size of ${shapeStr(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
      );
    }
    out = typeof size === "number" ? new Array<number>(dim).fill(size) : [...size];
  } else if (scaleFactor != null) {
    if (typeof scaleFactor !== "number" && scaleFactor.length !== dim) {
      throw new ValueError(
        `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${shapeStr(spatial)} and scale_factor of shape ${shapeStr(scaleFactor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
      );
    }
    scales =
      typeof scaleFactor === "number" ? new Array<number>(dim).fill(scaleFactor) : [...scaleFactor];
    out = spatial.map((s, i) => Math.floor(s * scales![i]!));
  } else {
    throw new ValueError("either size or scale_factor should be defined");
  }
  if (opts.recomputeScaleFactor && size != null) {
    throw new ValueError("recompute_scale_factor is not meaningful with an explicit size.");
  }
  if (opts.recomputeScaleFactor) scales = null;
  const d = shape.length;
  if (d === 4 && mode === "linear") {
    throw new ShapeError("Got 4D input, but linear mode needs 3D input");
  }
  if (d === 3 && mode === "bilinear") {
    throw new ShapeError("Got 3D input, but bilinear mode needs 4D input");
  }
  const known = nearest || mode === "linear" || mode === "bilinear";
  if ((d !== 3 && d !== 4) || !known) {
    throw new ShapeError(
      `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${d}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
    );
  }
  if (spatial.some((s) => s <= 0) || out.some((s) => s <= 0)) {
    const names = d === 4 ? ["H", "W"] : ["W"];
    const fmt = (v: readonly number[]) => v.map((s, i) => `${names[i]}: ${s}`).join(", ");
    throw new ShapeError(
      `Input and output sizes should be greater than 0, but got input (${fmt(spatial)}) output (${fmt(out)})`,
    );
  }
  if (shape[1] === 0 && shape[0] !== 0) {
    throw new ShapeError(
      `Non-empty ${d}D data tensor expected but got a tensor with sizes ${shapeStr(shape)}`,
    );
  }
  const s = scales ?? [0, 0];
  const p: InterpolateParams = {
    mode: nearest ? mode : "bilinear",
    alignCorners: opts.alignCorners ?? false,
    scales: d === 4 ? [s[0]!, s[1]!] : [0, s[0]!],
  };
  return { p, out };
}

function checkDType(dtype: DType, p: InterpolateParams): void {
  if (dtype !== "float32" && dtype !== "float64") {
    const which = p.mode === "bilinear" ? "linear" : "nearest";
    throw new DTypeError(
      `"compute_indices_weights_${which}" not implemented for '${TORCH_NAME[dtype]}'`,
    );
  }
}

/** A 4-d view of a 3-d [N, C, L] (H = 1) or 4-d array. */
function as4d(x: NDArray): NDArray {
  return x.ndim === 4 ? x.asStrided(x.shape, x.strides) : x.unsqueeze(2);
}

/**
 * Resampling (`F.interpolate`) of [N, C, L] (modes nearest, nearest-exact, linear) or
 * [N, C, H, W] (nearest, nearest-exact, bilinear) to `size` or by `scaleFactor`.
 * @example interpolate(ones([1, 2, 3, 3]), { scaleFactor: 2 }).shape // [1, 2, 6, 6]
 */
export function interpolate(x: NDArray, opts: InterpolateOptions): NDArray {
  const { p, out } = resolve(x.shape, opts);
  checkDType(x.dtype, p);
  const result = NDArray.empty([x.shape[0]!, x.shape[1]!, ...out], x.dtype);
  const [x4, r4] = [as4d(x), as4d(result)];
  kernels().interpolate(x4, p, r4);
  x4.dispose();
  r4.dispose();
  return result;
}

/**
 * Gradient of `interpolate` with respect to its input (of shape `inputShape`), given the
 * gradient of its output; `opts` as given to the forward.
 * @example interpolateBackward(ones([1, 2, 6, 6]), [1, 2, 3, 3], { scaleFactor: 2 }).shape // [1, 2, 3, 3]
 */
export function interpolateBackward(
  gradOut: NDArray,
  inputShape: Shape,
  opts: InterpolateOptions,
): NDArray {
  const { p, out } = resolve(inputShape, opts);
  checkDType(gradOut.dtype, p);
  const expected = [inputShape[0]!, inputShape[1]!, ...out];
  if (gradOut.ndim !== expected.length || gradOut.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      `expected grad_output of size ${shapeStr(expected)}, but got ${shapeStr(gradOut.shape)}`,
    );
  }
  const gradIn = NDArray.empty(inputShape, gradOut.dtype);
  const [g4, i4] = [as4d(gradOut), as4d(gradIn)];
  kernels().interpolateBackward(g4, p, i4);
  g4.dispose();
  i4.dispose();
  return gradIn;
}
