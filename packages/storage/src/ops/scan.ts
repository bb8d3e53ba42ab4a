/**
 * Ops along one dim that keep the shape: the scans `cumsum`, `cumprod` and the numerically
 * stable `softmax`, `logSoftmax`.
 */
import { type DType, isFloatingPoint, isIntegral } from "../dtype.js";
import { DTypeError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { normalizeDim } from "../shape.js";
import { asDType, kernels, release, TORCH_NAME } from "./prepare.js";

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
