/**
 * Adaptive average pooling on NDArrays (`adaptiveAvgPool2d`) with PyTorch's windows, checks and
 * messages, and its backward helper. Every result is a new array.
 */
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { type Shape, shapeStr } from "../shape.js";
import { kernels, TORCH_NAME } from "./prepare.js";

/** A 4-d view of a 3-d (unbatched) or 4-d array. */
function view4d(a: NDArray): NDArray {
  return a.ndim === 4 ? a.asStrided(a.shape, a.strides) : a.unsqueeze(0);
}

/** Output sizes of adaptive pooling: a number, or a pair whose null entries keep the size. */
function adaptiveSize(x: Shape, outputSize: number | readonly (number | null)[]): [number, number] {
  if (typeof outputSize === "number") return [outputSize, outputSize];
  if (x.length <= outputSize.length) {
    throw new ValueError(`Input dimension should be at least ${outputSize.length + 1}`);
  }
  const tail = x.slice(-outputSize.length);
  const sizes = outputSize.map((v, i) => v ?? tail[i]!);
  if (sizes.length !== 2) throw new ValueError("adaptive_avg_pool2d: output_size must be 2");
  return [sizes[0]!, sizes[1]!];
}

function checkAdaptive(x: Shape, out: [number, number]): void {
  if (out[0] < 0 || out[1] < 0) {
    throw new ValueError(
      `adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${out[0]}, ${out[1]}}`,
    );
  }
  if (x.length !== 3 && x.length !== 4) {
    throw new ShapeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${shapeStr(x)}`);
  }
  for (let d = 1; d < x.length; d++) {
    if (x[d] === 0) {
      throw new ShapeError(
        `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeStr(x)} with dimension ${d} being empty`,
      );
    }
  }
}

/**
 * Adaptive average pooling (`F.adaptive_avg_pool2d`) to `outputSize` (a size, or a pair with
 * `null` for "keep"); output cell `o` averages input `floor(o*I/O)` … `ceil((o+1)*I/O) - 1`.
 * @example adaptiveAvgPool2d(ones([2, 3, 7, 5]), [3, null]).shape // [2, 3, 3, 5]
 */
export function adaptiveAvgPool2d(
  x: NDArray,
  outputSize: number | readonly (number | null)[],
): NDArray {
  const out = adaptiveSize(x.shape, outputSize);
  checkAdaptive(x.shape, out);
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new DTypeError(`"adaptive_avg_pool2d" not implemented for '${TORCH_NAME[x.dtype]}'`);
  }
  const result = NDArray.empty([...x.shape.slice(0, -2), ...out], x.dtype);
  const [x4, r4] = [view4d(x), view4d(result)];
  kernels().adaptiveAvgPool2d(x4, r4);
  x4.dispose();
  r4.dispose();
  return result;
}

/**
 * Gradient of `adaptiveAvgPool2d` with respect to its input (of shape `inputShape`).
 * @example adaptiveAvgPool2dBackward(ones([2, 3, 3, 2]), [2, 3, 7, 5]).shape // [2, 3, 7, 5]
 */
export function adaptiveAvgPool2dBackward(gradOut: NDArray, inputShape: Shape): NDArray {
  if (
    gradOut.ndim !== inputShape.length ||
    gradOut.shape.slice(0, -2).some((s, i) => s !== inputShape[i])
  ) {
    throw new ShapeError(
      `expected grad_output of rank ${inputShape.length} with leading sizes ${shapeStr(inputShape.slice(0, -2))}, but got ${shapeStr(gradOut.shape)}`,
    );
  }
  checkAdaptive(inputShape, gradOut.shape.slice(-2) as [number, number]);
  const gradIn = NDArray.empty(inputShape, gradOut.dtype);
  const [g4, i4] = [view4d(gradOut), view4d(gradIn)];
  kernels().adaptiveAvgPool2dBackward(g4, i4);
  g4.dispose();
  i4.dispose();
  return gradIn;
}
