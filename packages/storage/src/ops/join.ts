/**
 * Joining and rearranging ops: `cat`, `stack`, `split` and `chunk` (views), `flip`, `repeat`,
 * `tril`, `triu`, `pad` (`F.pad`) and its gradient, with PyTorch's checks and messages.
 */
import { castScalar, resultType } from "../dtype.js";
import { IndexError, ShapeError, ValueError } from "../errors.js";
import type { PadMode } from "../kernels/pad.js";
import { NDArray } from "../ndArray.js";
import { contiguousStrides, normalizeDim, normalizeDims, shapeStr } from "../shape.js";
import { asDType, kernels, release } from "./prepare.js";

/**
 * Concatenates along `dim`; dtypes are promoted. 1-d empty arrays (shape `[0]`) are skipped,
 * as PyTorch's legacy rule allows.
 * @example cat([ones([2, 1]), zeros([2, 2])], 1).shape // [2, 3]
 */
export function cat(arrays: readonly NDArray[], dim = 0): NDArray {
  if (arrays.length === 0)
    throw new ValueError("torch.cat(): expected a non-empty list of Tensors");
  arrays.forEach((a, i) => {
    if (a.ndim === 0) {
      throw new ShapeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    }
  });
  const dtype = resultType(...arrays);
  const skip = (a: NDArray) => a.ndim === 1 && a.shape[0] === 0;
  const ref = arrays.find((a) => !skip(a));
  if (ref === undefined) {
    normalizeDim(dim, 1);
    return NDArray.empty([0], dtype);
  }
  const d = normalizeDim(dim, ref.ndim);
  let total = 0;
  arrays.forEach((a, i) => {
    if (skip(a)) return;
    if (a.ndim !== ref.ndim) {
      throw new ShapeError(
        `Tensors must have same number of dimensions: got ${ref.ndim} and ${a.ndim}`,
      );
    }
    for (let k = 0; k < a.ndim; k++) {
      if (k !== d && a.shape[k] !== ref.shape[k]) {
        throw new ShapeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${a.shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
    total += a.shape[d]!;
  });
  const shape = ref.shape.slice();
  shape[d] = total;
  const out = NDArray.empty(shape, dtype);
  let at = 0;
  for (const a of arrays) {
    if (skip(a)) continue;
    const n = a.shape[d]!;
    const part = out.narrow(d, at, n);
    const src = asDType(a, a.dtype);
    kernels().copy(src, part);
    release(src, a);
    part.dispose();
    at += n;
  }
  return out;
}

/**
 * Joins equally shaped arrays along a new dim `dim`.
 * @example stack([ones([2]), zeros([2])]).shape // [2, 2]
 */
export function stack(arrays: readonly NDArray[], dim = 0): NDArray {
  if (arrays.length === 0) throw new ValueError("stack expects a non-empty TensorList");
  const first = arrays[0]!;
  arrays.forEach((a, i) => {
    if (a.ndim !== first.ndim || a.shape.some((s, k) => s !== first.shape[k])) {
      throw new ShapeError(
        `stack expects each tensor to be equal size, but got ${shapeStr(first.shape)} at entry 0 and ${shapeStr(a.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim(dim, first.ndim + 1);
  const views = arrays.map((a) => a.unsqueeze(d));
  const out = cat(views, d);
  for (const v of views) v.dispose();
  return out;
}

function splitSizes(x: NDArray, d: number, splitSize: number): number[] {
  const size = x.shape[d]!;
  if (!Number.isInteger(splitSize) || splitSize < 0) {
    throw new ValueError(
      `split expects split_size be non-negative, but got split_size=${splitSize}`,
    );
  }
  if (splitSize === 0 && size !== 0) {
    throw new ValueError(
      `split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`,
    );
  }
  const n = splitSize === 0 ? 1 : Math.max(Math.ceil(size / splitSize), 1);
  return Array.from({ length: n }, (_, i) => Math.min(splitSize, size - i * splitSize));
}

function viewsBySizes(x: NDArray, d: number, sizes: readonly number[]): NDArray[] {
  let at = 0;
  return sizes.map((s) => {
    const v = x.narrow(d, at, s);
    at += s;
    return v;
  });
}

/**
 * Splits into views along `dim`: pieces of `splitSizeOrSections` elements (the last may be
 * smaller), or pieces of the listed sizes, which must sum to the dim's size.
 * @example split(arange(5), 2).map((v) => v.toArray()) // [[0, 1], [2, 3], [4]]
 */
export function split(
  x: NDArray,
  splitSizeOrSections: number | readonly number[],
  dim = 0,
): NDArray[] {
  if (x.ndim === 0) throw new ShapeError("split expects at least a 1-dimensional tensor");
  const d = normalizeDim(dim, x.ndim);
  if (typeof splitSizeOrSections === "number") {
    return viewsBySizes(x, d, splitSizes(x, d, splitSizeOrSections));
  }
  const sizes = splitSizeOrSections;
  const list = `[${sizes.join(", ")}]`;
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(
      `split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${list}`,
    );
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== x.shape[d]) {
    throw new ValueError(
      `split_with_sizes expects split_sizes to sum exactly to ${x.shape[d]} (input tensor's size at dimension ${d}), but got split_sizes=${list}`,
    );
  }
  return viewsBySizes(x, d, sizes);
}

/**
 * Splits into at most `chunks` views of equal size along `dim` (the last may be smaller).
 * @example chunk(arange(6), 3).length // 3
 */
export function chunk(x: NDArray, chunks: number, dim = 0): NDArray[] {
  if (x.ndim === 0) throw new ShapeError("chunk expects at least a 1-dimensional tensor");
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new ValueError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  }
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const each = Math.ceil(size / chunks);
  if (each === 0) return viewsBySizes(x, d, new Array<number>(chunks).fill(0));
  return viewsBySizes(x, d, splitSizes(x, d, each));
}

/**
 * A copy of `x` reversed along each of `dims`.
 * @example flip(arange(3), [0]).toArray() // [2, 1, 0]
 */
export function flip(x: NDArray, dims: number | readonly number[]): NDArray {
  const list = typeof dims === "number" ? [dims] : dims;
  const norm = normalizeDims(list, x.ndim).filter((d) => d < x.ndim);
  const out = NDArray.empty(x.shape, x.dtype);
  const src = asDType(x, x.dtype);
  kernels().flip(src, norm, out);
  release(src, x);
  return out;
}

/**
 * `x` tiled `sizes[i]` times along each dim (`Tensor.repeat`); extra leading sizes add dims.
 * @example repeat(fromArray([1, 2]), [2, 2]).tolist() // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: NDArray, sizes: readonly number[]): NDArray {
  if (sizes.length < x.ndim) {
    throw new ShapeError(
      "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    );
  }
  for (const r of sizes) {
    if (!Number.isInteger(r)) throw new ValueError(`repeat(): sizes must be integers, got ${r}`);
  }
  const lead = sizes.length - x.ndim;
  const inShape = [...new Array<number>(lead).fill(1), ...x.shape];
  const inStrides = [...new Array<number>(lead).fill(0), ...x.strides];
  const out = NDArray.empty(
    sizes.map((r, i) => r * inShape[i]!),
    x.dtype,
  );
  if (out.numel() === 0) return out;
  // View both as [r0, s0, r1, s1, …]: the source repeats with stride 0 on the r_i dims.
  const shape = sizes.flatMap((r, i) => [r, inShape[i]!]);
  const src = asDType(x, x.dtype);
  const tiled = src.asStrided(
    shape,
    sizes.flatMap((_, i) => [0, inStrides[i]!]),
  );
  const dst = out.asStrided(shape, contiguousStrides(shape), 0);
  kernels().copy(tiled, dst);
  for (const v of [tiled, dst]) v.dispose();
  release(src, x);
  return out;
}

function triangle(x: NDArray, diagonal: number, upper: boolean): NDArray {
  normalizeDim(-2, x.ndim);
  if (!Number.isInteger(diagonal))
    throw new IndexError(`diagonal must be an integer, got ${diagonal}`);
  const out = NDArray.empty(x.shape, x.dtype);
  const src = asDType(x, x.dtype);
  kernels().triangle(src, diagonal, upper, out);
  release(src, x);
  return out;
}

/**
 * The lower triangle of the last two dims (elements with `col - row <= diagonal`), others 0.
 * @example tril(ones([2, 2])).tolist() // [[1, 0], [1, 1]]
 */
export function tril(x: NDArray, diagonal = 0): NDArray {
  return triangle(x, diagonal, false);
}

/**
 * The upper triangle of the last two dims (elements with `col - row >= diagonal`), others 0.
 * @example triu(ones([2, 2]), 1).tolist() // [[0, 1], [0, 0]]
 */
export function triu(x: NDArray, diagonal = 0): NDArray {
  return triangle(x, diagonal, true);
}

const PAD_MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/** PyTorch's checks of `F.pad`; returns the padded shape. */
function padShape(shape: readonly number[], pads: readonly number[], mode: PadMode): number[] {
  if (pads.length % 2 !== 0) throw new ValueError("Padding length must be divisible by 2");
  const k = pads.length / 2;
  if (k > shape.length) throw new ValueError("Padding length too large");
  if (!PAD_MODES.includes(mode)) throw new ValueError(`Unrecognised padding mode ${mode}`);
  if (pads.some((p) => !Number.isInteger(p)))
    throw new ValueError("pad(): padding must be integers");
  const nd = shape.length;
  if (mode !== "constant") {
    if (k < 1 || k > 3 || (nd !== k + 1 && nd !== k + 2)) {
      throw new ShapeError(
        "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now",
      );
    }
    for (let p = 0; p < k; p++) {
      const d = nd - 1 - p;
      const size = shape[d]!;
      const [l, r] = [pads[2 * p]!, pads[2 * p + 1]!];
      if (mode === "reflect" && (l >= size || r >= size)) {
        throw new ShapeError(
          `Argument #${4 + 2 * p}: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${shapeStr(shape)}`,
        );
      }
      if (mode === "circular" && (l > size || r > size)) {
        throw new ShapeError("Padding value causes wrapping around more than once.");
      }
      if (mode === "replicate" && size === 0) {
        throw new ShapeError(
          `Expected tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${shapeStr(shape)}`,
        );
      }
    }
  }
  const out = shape.slice();
  for (let p = 0; p < k; p++) {
    const d = nd - 1 - p;
    const n = shape[d]! + pads[2 * p]! + pads[2 * p + 1]!;
    if (n < 0) {
      throw new ShapeError(
        `The input size ${shape[d]}, plus negative padding ${pads[2 * p]} and ${pads[2 * p + 1]} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
      );
    }
    out[d] = n;
  }
  return out;
}

/**
 * Pads the last dims (`F.pad`): `pads` lists (left, right) for the last dim, then the one
 * before, …; negative pads crop. `value` fills in `constant` mode only.
 * @example pad(fromArray([[1, 2]]), [1, 1]).tolist() // [[0, 1, 2, 0]]
 */
export function pad(
  x: NDArray,
  pads: readonly number[],
  mode: PadMode = "constant",
  value?: number,
): NDArray {
  const shape = padShape(x.shape, pads, mode);
  if (mode !== "constant" && value !== undefined && value !== 0) {
    throw new ValueError(`Padding mode "${mode}" doesn't take in value argument`);
  }
  const out = NDArray.empty(shape, x.dtype);
  const src = asDType(x, x.dtype);
  kernels().pad(src, pads, mode, castScalar(value ?? 0, x.dtype), out);
  release(src, x);
  return out;
}

/**
 * The gradient of `pad` with respect to its input of shape `inputShape`: cells copied from one
 * input cell (reflected, replicated, wrapped) add up there; the constant's cells are dropped.
 * @example padBackward(ones([1, 4]), [1, 1], "constant", [1, 2]).tolist() // [[1, 1]]
 */
export function padBackward(
  gradOut: NDArray,
  pads: readonly number[],
  mode: PadMode,
  inputShape: readonly number[],
): NDArray {
  const shape = padShape(inputShape, pads, mode);
  if (shape.some((s, i) => s !== gradOut.shape[i]) || shape.length !== gradOut.ndim) {
    throw new ShapeError(
      `pad backward: expected grad_output of shape ${shapeStr(shape)}, but got ${shapeStr(gradOut.shape)}`,
    );
  }
  const gradIn = NDArray.empty(inputShape, gradOut.dtype);
  const g = asDType(gradOut, gradOut.dtype);
  kernels().padBackward(g, pads, mode, gradIn);
  release(g, gradOut);
  return gradIn;
}
