/**
 * Elementwise ops on NDArrays: unary, binary with broadcasting and PyTorch's type promotion,
 * comparisons, `where`, relu's fused backward mask, and their in-place forms (which bump the version counter).
 */
import { type DType, getDefaultDType, isFloatingPoint } from "../dtype.js";
import { DTypeError } from "../errors.js";
import type { BinaryOp } from "../kernels/binary.js";
import type { CompareOp } from "../kernels/compare.js";
import type { UnaryOp, UnaryParamOp } from "../kernels/unary.js";
import { NDArray } from "../ndArray.js";
import { sameShape, shapeStr } from "../shape.js";
import {
  asDType,
  broadcastOperands,
  broadcastTo,
  checkCastable,
  kernels,
  type Operand,
  promote,
  release,
  TORCH_NAME,
} from "./prepare.js";

// Unary ops whose result keeps an integer or bool input's dtype; the others compute in floats.
const KEEPS_INT = new Set<UnaryOp>([
  "neg",
  "abs",
  "sign",
  "square",
  "ceil",
  "floor",
  "round",
  "trunc",
  "relu",
  "bitwiseNot",
]);
const PREDICATES = new Set<UnaryOp>(["isnan", "isinf", "isfinite", "logicalNot", "signbit"]);

function unaryResultDType(op: UnaryOp, dtype: DType): DType {
  if (PREDICATES.has(op)) return "bool";
  if (isFloatingPoint(dtype)) return dtype;
  if (op === "bitwiseNot") return dtype;
  if (KEEPS_INT.has(op)) {
    if (dtype === "bool" && op !== "abs") {
      throw new DTypeError(
        op === "neg"
          ? "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
          : `"${op}" not implemented for 'Bool'`,
      );
    }
    return dtype;
  }
  return getDefaultDType();
}

/** Applies a unary op (`out` given: in place into it). */
export function unary(op: UnaryOp, x: NDArray, out?: NDArray): NDArray {
  const dtype = unaryResultDType(op, x.dtype);
  const computeIn = PREDICATES.has(op) ? x.dtype : dtype;
  const src = asDType(x, computeIn);
  const dst = out ?? NDArray.uninit(x.shape, dtype);
  if (out) checkCastable(dtype, out.dtype);
  if (out && out.dtype !== dtype) {
    const tmp = NDArray.uninit(x.shape, dtype);
    kernels().unary[op](src, tmp);
    kernels().copy(tmp, out);
    tmp.dispose();
  } else kernels().unary[op](src, dst);
  release(src, x);
  if (out) out.storage.bumpVersion();
  return dst;
}

/** Applies a unary op with scalar parameters (`clamp`, `leakyRelu`…). */
export function unaryParam(
  op: UnaryParamOp,
  x: NDArray,
  a: number,
  b: number,
  out?: NDArray,
): NDArray {
  const keepsInt = op === "clamp" || op === "threshold" || op === "powScalar";
  let dtype: DType = isFloatingPoint(x.dtype) || keepsInt ? x.dtype : getDefaultDType();
  if (op === "powScalar" && !isFloatingPoint(x.dtype) && !Number.isInteger(a))
    dtype = getDefaultDType();
  if (
    op === "clamp" &&
    !isFloatingPoint(x.dtype) &&
    ((!Number.isInteger(a) && !Number.isNaN(a)) || (!Number.isInteger(b) && !Number.isNaN(b)))
  )
    dtype = getDefaultDType();
  const src = asDType(x, dtype);
  const dst = out ?? NDArray.uninit(x.shape, dtype);
  if (out) checkCastable(dtype, out.dtype);
  kernels().unaryParam[op](src, dst, a, b);
  release(src, x);
  if (out) out.storage.bumpVersion();
  return dst;
}

const TRUE_DIV = new Set<BinaryOp>(["div", "atan2", "hypot", "logaddexp", "xlogy"]);
const LOGICAL = new Set<BinaryOp>(["logicalAnd", "logicalOr", "logicalXor"]);

/** The dtype a binary op computes in for these operands. */
export function binaryResultDType(op: BinaryOp, a: Operand, b: Operand): DType {
  if (LOGICAL.has(op)) return "bool";
  const t = promote(a, b);
  if (TRUE_DIV.has(op) && !isFloatingPoint(t)) return getDefaultDType();
  if ((op === "sub" || op === "add") && t === "bool" && op === "sub") {
    throw new DTypeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
    );
  }
  return t;
}

/**
 * Applies a binary op with broadcasting. With `out`, writes into it (in place; `out` must
 * already have the broadcast shape).
 */
export function binary(op: BinaryOp, a: Operand, b: Operand, out?: NDArray): NDArray {
  const dtype = binaryResultDType(op, a, b);
  const computeIn = LOGICAL.has(op) ? promote(a, b) : dtype;
  const shape = broadcastOperands(a, b);
  if (out) {
    checkCastable(dtype, out.dtype);
    if (!sameShape(shape, out.shape)) {
      throw new DTypeError(
        `output with shape ${shapeStr(out.shape)} doesn't match the broadcast shape ${shapeStr(shape)}`,
      );
    }
  }
  const ca = asDType(a, computeIn);
  const cb = asDType(b, computeIn);
  const ba = broadcastTo(ca, shape);
  const bb = broadcastTo(cb, shape);
  let dst = out && out.dtype === dtype ? out : NDArray.uninit(shape, dtype);
  kernels().binary[op](ba, bb, dst);
  if (out && dst !== out) {
    kernels().copy(dst, out);
    dst.dispose();
    dst = out;
  }
  release(ba, ca);
  release(bb, cb);
  release(ca, a);
  release(cb, b);
  if (out) out.storage.bumpVersion();
  return dst;
}

/** Comparison with broadcasting; the result is `bool`. */
export function compare(op: CompareOp, a: Operand, b: Operand, out?: NDArray): NDArray {
  const computeIn = promote(a, b);
  const shape = broadcastOperands(a, b);
  const ca = asDType(a, computeIn);
  const cb = asDType(b, computeIn);
  const ba = broadcastTo(ca, shape);
  const bb = broadcastTo(cb, shape);
  const dst = out ?? NDArray.uninit(shape, "bool");
  kernels().compare[op](ba, bb, dst);
  release(ba, ca);
  release(bb, cb);
  release(ca, a);
  release(cb, b);
  if (out) out.storage.bumpVersion();
  return dst;
}

/** `cond ? a : b` elementwise with broadcasting (`torch.where`). */
export function where(cond: NDArray, a: Operand, b: Operand): NDArray {
  if (cond.dtype !== "bool" && cond.dtype !== "uint8") {
    throw new DTypeError(
      `where expected condition to be a boolean tensor, but got a tensor with dtype ${TORCH_NAME[cond.dtype]}`,
    );
  }
  const dtype = promote(a, b);
  const shape = broadcastOperands(cond, a, b);
  const ca = asDType(a, dtype);
  const cb = asDType(b, dtype);
  const bc = broadcastTo(cond, shape);
  const ba = broadcastTo(ca, shape);
  const bb = broadcastTo(cb, shape);
  const out = NDArray.uninit(shape, dtype);
  kernels().where(bc, ba, bb, out);
  release(bc, cond);
  release(ba, ca);
  release(bb, cb);
  release(ca, a);
  release(cb, b);
  return out;
}

/**
 * Relu's backward mask, fused (`torch.ops.aten.threshold_backward`): `grad` where
 * `self > threshold` (or `self` is NaN), else 0; `grad` and `self` broadcast and promoted.
 *
 * @example
 * thresholdBackward(fromArray([1, 1, 1]), fromArray([-1, 0, 2]), 0); // [0, 0, 1]
 */
export function thresholdBackward(grad: NDArray, self: NDArray, threshold: number): NDArray {
  const dtype = promote(grad, self);
  if (dtype === "bool") throw new DTypeError(`"threshold_backward" not implemented for 'Bool'`);
  const shape = broadcastOperands(grad, self);
  const cg = asDType(grad, dtype);
  const cs = asDType(self, dtype);
  const bg = broadcastTo(cg, shape);
  const bs = broadcastTo(cs, shape);
  const out = NDArray.uninit(shape, dtype);
  kernels().thresholdBackward(bg, bs, threshold, out);
  release(bg, cg);
  release(bs, cs);
  release(cg, grad);
  release(cs, self);
  return out;
}

/** A copy of `x` converted to `dtype` (`x.to(dtype)`; a new array even when equal). */
export function cast(x: NDArray, dtype: DType): NDArray {
  const out = NDArray.uninit(x.shape, dtype);
  kernels().copy(x, out);
  return out;
}

/** A contiguous copy of `x` (`clone`). */
export function clone(x: NDArray): NDArray {
  return cast(x, x.dtype);
}

/** In place: `dst` = `src` broadcast and converted to `dst`'s dtype (`copy_`). */
export function copyInto(dst: NDArray, src: Operand): NDArray {
  if (src instanceof NDArray) {
    const view = broadcastTo(src, dst.shape);
    kernels().copy(view, dst);
    release(view, src);
  } else kernels().fill(dst, castFill(src, dst.dtype));
  dst.storage.bumpVersion();
  return dst;
}

function castFill(v: number | boolean, dtype: DType): number {
  const n = Number(v);
  if (dtype === "bool") return n !== 0 ? 1 : 0;
  if (dtype === "float32" || dtype === "float64") return n;
  return Math.trunc(n);
}
