/**
 * Ops along one dim that keep the shape: the scans `cumsum`, `cumprod` and the numerically
 * stable `softmax`, `logSoftmax`, and their backward ops `softmaxBackward`, `logSoftmaxBackward`.
 */
import { type DType, isFloatingPoint, isIntegral } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { normalizeDim, sameShape, shapeStr } from "../shape.js";
import { asDType, kernels, promote, release, TORCH_NAME } from "./prepare.js";

type DimKernel = (x: NDArray, dim: number, out: NDArray) => void;

/** Casts `x` to `dtype`, runs `kernel` along the normalized `dim` (0-d runs as 1-d). */
function alongDim(x: NDArray, dim: number, dtype: DType, kernel: DimKernel): NDArray {
  const d = normalizeDim(dim, x.ndim);
  const src = asDType(x, dtype);
  const out = NDArray.uninit(x.shape, dtype);
  if (x.ndim === 0) {
    const s1 = src.reshape([1]);
    const o1 = out.reshape([1]);
    kernel(s1, 0, o1);
    s1.dispose();
    o1.dispose();
  } else kernel(src, d, out);
  release(src, x);
  return out;
}

function scanDType(x: NDArray, dtype?: DType): DType {
  return dtype ?? (isIntegral(x.dtype, true) ? "int64" : x.dtype);
}

/**
 * Cumulative sum along `dim`; integer and bool inputs give `int64`, `dtype` casts first.
 * @example cumsum(fromArray([1, 2, 3]), 0).toArray() // [1, 3, 6]
 */
export function cumsum(x: NDArray, dim: number, dtype?: DType): NDArray {
  return alongDim(x, dim, scanDType(x, dtype), (s, d, o) => kernels().cumsum(s, d, o));
}

/**
 * Cumulative product along `dim`; integer and bool inputs give `int64`.
 * @example cumprod(fromArray([1, 2, 3]), 0).toArray() // [1, 2, 6]
 */
export function cumprod(x: NDArray, dim: number, dtype?: DType): NDArray {
  return alongDim(x, dim, scanDType(x, dtype), (s, d, o) => kernels().cumprod(s, d, o));
}

function softmaxDType(name: string, x: NDArray, dtype?: DType): DType {
  const dt = dtype ?? x.dtype;
  if (!isFloatingPoint(dt)) {
    throw new DTypeError(`"${name}_lastdim_kernel_impl" not implemented for '${TORCH_NAME[dt]}'`);
  }
  return dt;
}

/**
 * `exp(x) / sum(exp(x))` along `dim`, with the max subtracted first; floating inputs only
 * (`dtype` casts first).
 * @example softmax(fromArray([0, 0]), 0).toArray() // [0.5, 0.5]
 */
export function softmax(x: NDArray, dim: number, dtype?: DType): NDArray {
  return alongDim(x, dim, softmaxDType("softmax", x, dtype), (s, d, o) =>
    kernels().softmax(s, d, o),
  );
}

/**
 * `x - logsumexp(x)` along `dim`, computed stably.
 * @example logSoftmax(fromArray([0, 0]), 0).toArray() // [-0.6931…, -0.6931…]
 */
export function logSoftmax(x: NDArray, dim: number, dtype?: DType): NDArray {
  return alongDim(x, dim, softmaxDType("log_softmax", x, dtype), (s, d, o) =>
    kernels().logSoftmax(s, d, o),
  );
}

type BackwardKernel = (gradOutput: NDArray, output: NDArray, dim: number, out: NDArray) => void;

/** Checks and promotes `gradOutput` and `output` (one shape), runs `kernel` along `dim`. */
function softmaxBackwardOp(
  name: string,
  gradOutput: NDArray,
  output: NDArray,
  dim: number,
  kernel: BackwardKernel,
): NDArray {
  if (!sameShape(gradOutput.shape, output.shape)) {
    throw new ShapeError(
      `Expected tensor for argument #1 'grad' to have same size as tensor for argument #2 'output'; but ${shapeStr(gradOutput.shape)} does not equal ${shapeStr(output.shape)} (while checking arguments for ${name})`,
    );
  }
  const dtype = promote(gradOutput, output);
  if (!isFloatingPoint(dtype)) {
    throw new DTypeError(
      `"${name}_lastdim_kernel_impl" not implemented for '${TORCH_NAME[dtype]}'`,
    );
  }
  const d = normalizeDim(dim, output.ndim);
  const g = asDType(gradOutput, dtype);
  const y = asDType(output, dtype);
  const out = NDArray.uninit(output.shape, dtype);
  if (output.ndim === 0) {
    const [g1, y1, o1] = [g.reshape([1]), y.reshape([1]), out.reshape([1])];
    kernel(g1, y1, 0, o1);
    for (const a of [g1, y1, o1]) a.dispose();
  } else kernel(g, y, d, out);
  release(g, gradOutput);
  release(y, output);
  return out;
}

/**
 * Softmax's backward from its output (`torch._softmax_backward_data`):
 * `output·(gradOutput - Σ gradOutput·output)` along `dim`.
 * @example softmaxBackward(fromArray([1, 0]), fromArray([0.5, 0.5]), 0).toArray() // [0.25, -0.25]
 */
export function softmaxBackward(gradOutput: NDArray, output: NDArray, dim: number): NDArray {
  return softmaxBackwardOp("softmax_backward", gradOutput, output, dim, (g, y, d, o) =>
    kernels().softmaxBackward(g, y, d, o),
  );
}

/**
 * Log-softmax's backward from its output (`torch._log_softmax_backward_data`):
 * `gradOutput - exp(output)·Σ gradOutput` along `dim`.
 * @example logSoftmaxBackward(fromArray([1, 0]), fromArray([Math.log(0.5), Math.log(0.5)]), 0).toArray() // [0.5, -0.5]
 */
export function logSoftmaxBackward(gradOutput: NDArray, output: NDArray, dim: number): NDArray {
  return softmaxBackwardOp("log_softmax_backward", gradOutput, output, dim, (g, y, d, o) =>
    kernels().logSoftmaxBackward(g, y, d, o),
  );
}
