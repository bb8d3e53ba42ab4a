/**
 * The negative log likelihood loss at class indices with PyTorch's checks and messages:
 * `nllLoss` (`nll_loss` for [C] / [N, C] inputs, `nll_loss2d` for [N, C, H, W]; other ranks
 * [N, C, d1, …] as the 2-d loss over the flattened spatial dims) and `nllLossBackward`, its
 * gradient w.r.t. the input. Both run the `nllLoss` kernels on [N, C, S] / [N, S] views.
 */
import { type DType, isFloatingPoint } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import type { LossReduction } from "../kernels/loss.js";
import { NDArray } from "../ndArray.js";
import { numel, type Shape, sameShape, shapeStr } from "../shape.js";
import { asDType, kernels, release, TORCH_NAME } from "./prepare.js";

/** `nllLoss`'s output and the total weight of the non-ignored targets (the mean's divisor). */
export interface NllLossResult {
  readonly output: NDArray;
  readonly totalWeight: number;
}

// The shape checks of nll_loss_forward (1-d / 2-d inputs) and nll_loss2d_forward (4-d), in
// their order; other ranks follow the 2-d loss with nll_loss_nd's message.
function checkShapes(inShape: Shape, tShape: Shape, weight: NDArray | null): void {
  const nd = inShape.length;
  if (nd === 1 || nd === 2) {
    if (tShape.length > 1) {
      throw new ShapeError("0D or 1D target tensor expected, multi-target not supported");
    }
    const noBatchDim = nd === 1 && tShape.length === 0;
    if (!noBatchDim && inShape[0] !== tShape[0]) {
      throw new ShapeError(
        `size mismatch (got input: ${shapeStr(inShape)}, target: ${shapeStr(tShape)})`,
      );
    }
    const c = inShape[nd - 1]!;
    if (weight !== null && (weight.ndim !== 1 || weight.numel() !== c)) {
      throw new ShapeError(
        `weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${shapeStr(weight.shape)}`,
      );
    }
    return;
  }
  if (nd === 0) throw new ShapeError("input tensor should be 1D or 2D");
  if (nd === 4 && tShape.length !== 3) {
    throw new ShapeError(
      `only batches of spatial targets supported (3D tensors) but got targets of dimension: ${tShape.length}`,
    );
  }
  const expected = [inShape[0]!, ...inShape.slice(2)];
  const fits = sameShape(expected, tShape);
  if (nd !== 4 && !fits) {
    throw new ShapeError(`Expected target size ${shapeStr(expected)}, got ${shapeStr(tShape)}`);
  }
  if (weight !== null && weight.numel() !== inShape[1]) {
    throw new ShapeError("weight tensor should be defined either for all or no classes");
  }
  if (!fits) {
    throw new ShapeError(
      `size mismatch (got input: ${shapeStr(inShape)} , target: ${shapeStr(tShape)}`,
    );
  }
}

// The dtype checks, in PyTorch's order: the input's kernel, the weight's dtype, the target's.
function checkDTypes(dtype: DType, target: NDArray, weight: NDArray | null, nd: number): void {
  if (!isFloatingPoint(dtype)) {
    const kernel = nd >= 3 ? "nll_loss2d_forward_out_frame" : "nll_loss_out_frame";
    throw new DTypeError(`"${kernel}" not implemented for '${TORCH_NAME[dtype]}'`);
  }
  if (weight !== null && weight.dtype !== dtype) {
    throw new DTypeError(
      `expected scalar type ${TORCH_NAME[dtype]} but found ${TORCH_NAME[weight.dtype]}`,
    );
  }
  if (target.dtype !== "int64") {
    throw new DTypeError(`expected scalar type Long but found ${TORCH_NAME[target.dtype]}`);
  }
}

/** PyTorch's check of every target of the [N, S] view `t`: in `[0, nClasses)` or ignored. */
function checkTargets(t: NDArray, nClasses: number, ignoreIndex: number): void {
  const d = t.typed();
  const [n, s] = t.shape as [number, number];
  const [s0, s1] = t.strides as [number, number];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < s; k++) {
      const c = d[t.offset + i * s0 + k * s1]!;
      if (c !== ignoreIndex && !(c >= 0 && c < nClasses)) {
        throw new IndexError(`Target ${c} is out of bounds.`);
      }
    }
  }
}

/** `x` (the input or its gradient, of `inShape`) viewed as [N, C, S]. */
function inputView(x: NDArray): NDArray {
  const nd = x.ndim;
  if (nd === 1) return x.asStrided([1, x.shape[0]!, 1], [0, x.strides[0]!, 0]);
  if (nd === 2) {
    return x.asStrided([x.shape[0]!, x.shape[1]!, 1], [x.strides[0]!, x.strides[1]!, 0]);
  }
  return x.reshape([x.shape[0]!, x.shape[1]!, numel(x.shape.slice(2))]);
}

/**
 * The targets (or the per-target values of reduction `"none"`) viewed as [N, S] for an input
 * of rank `nd`. A 1-d input reads one target: a 0-d one or, as PyTorch, the first of a 1-d one.
 */
function targetView(t: NDArray, nd: number): NDArray {
  if (nd === 1) return t.asStrided([1, 1], [0, 0]);
  if (nd === 2) return t.asStrided([t.shape[0]!, 1], [t.strides[0]!, 0]);
  return t.reshape([t.shape[0]!, numel(t.shape.slice(1))]);
}

/** The shape of reduction `"none"`'s output: the targets' (a 1-d input gives a 0-d loss). */
function noneShape(inShape: Shape, tShape: Shape): number[] {
  return inShape.length === 1 ? [] : tShape.slice();
}

function checkReduction(reduction: string): asserts reduction is LossReduction {
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    throw new ValueError(`${reduction} is not a valid value for reduction`);
  }
}

/**
 * Negative log likelihood of log-probabilities `input` ([C], [N, C] or [N, C, d1, …]) at the
 * `int64` class indices `target` ([], [N] or [N, d1, …]): `-weight[t]·input[t]`, 0 where the
 * target is `ignoreIndex`; reduced by `"sum"`, by `"mean"` (the sum over the total weight of
 * the non-ignored targets: NaN when there is none, as PyTorch) or not at all (`"none"`).
 *
 * @example
 * nllLoss(fromArray([[-1, -2], [-3, -4]]), fromArray([1, 0], "int64"), null, "sum", -100).output
 * // 5
 */
export function nllLoss(
  input: NDArray,
  target: NDArray,
  weight: NDArray | null,
  reduction: LossReduction,
  ignoreIndex: number,
): NllLossResult {
  checkReduction(reduction);
  const nd = input.ndim;
  checkShapes(input.shape, target.shape, weight);
  checkDTypes(input.dtype, target, weight, nd);
  const x = asDType(input, input.dtype);
  const t = asDType(target, "int64");
  const w = weight === null ? null : asDType(weight, weight.dtype);
  const xv = inputView(x);
  const tv = nd === 1 && t.numel() === 0 ? null : targetView(t, nd);
  try {
    if (tv !== null) checkTargets(tv, xv.shape[1]!, ignoreIndex);
    const none = reduction === "none";
    const shape = none ? noneShape(input.shape, target.shape) : [];
    // a 1-d input without a target has nothing to read: its loss stays 0
    const output =
      tv === null ? NDArray.empty(shape, input.dtype) : NDArray.uninit(shape, input.dtype);
    if (tv === null) return { output, totalWeight: 0 };
    const ov = none ? targetView(output, nd) : output;
    const totalWeight = kernels().nllLoss(xv, tv, w, ignoreIndex, reduction, ov);
    if (ov !== output) ov.dispose();
    return { output, totalWeight };
  } finally {
    xv.dispose();
    tv?.dispose();
    release(x, input);
    release(t, target);
    if (w !== null) release(w, weight!);
  }
}

/**
 * The gradient of `nllLoss` w.r.t. its input (of `inputShape`), from the gradient of its output
 * `gradOutput` (0-d, or the targets' shape for `"none"`): `-weight[t]·g` at each non-ignored
 * target (`g` divided by `totalWeight` for `"mean"`), 0 elsewhere. Linear in `gradOutput`.
 *
 * @example
 * nllLossBackward(scalar(1), [2, 2], fromArray([1, 0], "int64"), null, "sum", -100, 2)
 * // [[0, -1], [-1, 0]]
 */
export function nllLossBackward(
  gradOutput: NDArray,
  inputShape: Shape,
  target: NDArray,
  weight: NDArray | null,
  reduction: LossReduction,
  ignoreIndex: number,
  totalWeight: number,
): NDArray {
  checkReduction(reduction);
  const nd = inputShape.length;
  checkShapes(inputShape, target.shape, weight);
  const dtype = gradOutput.dtype;
  checkDTypes(dtype, target, weight, nd);
  const none = reduction === "none";
  const want = none ? noneShape(inputShape, target.shape) : [];
  if (!sameShape(gradOutput.shape, want)) {
    throw new ShapeError(
      `Expected a gradient of shape ${shapeStr(want)} but got ${shapeStr(gradOutput.shape)}`,
    );
  }
  const go = asDType(gradOutput, dtype);
  const t = asDType(target, "int64");
  const w = weight === null ? null : asDType(weight, weight.dtype);
  const gradIn = NDArray.uninit(inputShape.slice(), dtype);
  const gv = inputView(gradIn);
  const tv = nd === 1 && t.numel() === 0 ? null : targetView(t, nd);
  try {
    if (tv === null) {
      gradIn.typed().fill(0, gradIn.offset, gradIn.offset + gradIn.numel());
      return gradIn;
    }
    checkTargets(tv, gv.shape[1]!, ignoreIndex);
    const gov = none ? targetView(go, nd) : go;
    kernels().nllLossBackward(gov, tv, w, ignoreIndex, reduction, totalWeight, gv);
    if (gov !== go) gov.dispose();
    return gradIn;
  } catch (e) {
    gradIn.dispose();
    throw e;
  } finally {
    gv.dispose();
    tv?.dispose();
    release(go, gradOutput);
    release(t, target);
    if (w !== null) release(w, weight!);
  }
}
