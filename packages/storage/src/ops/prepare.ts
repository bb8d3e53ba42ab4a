/**
 * The short path from an op call to its kernel, shared by every op: scalars to 0-d arrays,
 * dtype casts, broadcasting views, output allocation, and moving operands that live on another
 * backend. Promotion and broadcast errors are raised here and nowhere else.
 */
import { getBackend } from "../backend.js";
import { castScalar, type DType, resultType } from "../dtype.js";
import { DTypeError } from "../errors.js";
import type { Kernels } from "../kernels/index.js";
import { NDArray } from "../ndArray.js";
import { broadcastShapes, sameShape } from "../shape.js";

/** A tensor operand or a JS scalar (promoted as PyTorch wraps Python numbers). */
export type Operand = NDArray | number | boolean;

/** PyTorch's short dtype names for messages (`Float`, `Long`…). */
export const TORCH_NAME: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  bool: "Bool",
  uint8: "Byte",
};

/** The current backend's kernels. */
export function kernels(): Kernels {
  return getBackend().kernels;
}

/** A 0-d array holding `v` as `dtype`. */
export function scalarArray(v: number | boolean, dtype: DType): NDArray {
  const a = NDArray.empty([], dtype);
  a.typed()[0] = castScalar(Number(v), dtype);
  return a;
}

/** `x` as an array of `dtype` on the current backend: itself (a new reference) or a copy. */
export function asDType(x: Operand, dtype: DType): NDArray {
  if (!(x instanceof NDArray)) return scalarArray(x, dtype);
  if (x.dtype === dtype && x.storage.backend === getBackend()) return x;
  const out = NDArray.uninit(x.shape, dtype);
  if (x.storage.backend === getBackend()) kernels().copy(x, out);
  else {
    const vals = x.toArray();
    const od = out.typed();
    for (let i = 0; i < vals.length; i++) od[i] = castScalar(vals[i]!, dtype);
  }
  return out;
}

/** `x` (an array of the right dtype) viewed with `shape` by broadcasting. */
export function broadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  return sameShape(x.shape, shape) ? x : x.expand(shape);
}

// The shape of a scalar operand (shared: shapes are never modified).
const SCALAR_SHAPE: readonly number[] = [];

function shapeOf(x: Operand): readonly number[] {
  return x instanceof NDArray ? x.shape : SCALAR_SHAPE;
}

/** `broadcastShapes(a, b)`, or one of them when it is the result (the usual case). */
function broadcast2(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0 || sameShape(a, b)) return a;
  if (a.length === 0) return b;
  return broadcastShapes(a, b);
}

/**
 * Broadcast shape of operands (scalars count as 0-d). It may be an operand's own shape array
 * (never to be modified).
 */
export function broadcastOperands(a: Operand, b: Operand, c?: Operand): readonly number[] {
  const s = broadcast2(shapeOf(a), shapeOf(b));
  return c === undefined ? s : broadcast2(s, shapeOf(c));
}

/** Promotion of two or three operands (`torch.result_type`). */
export function promote(a: Operand, b: Operand, c?: Operand): DType {
  // arrays of one dtype promote to it, whatever their dims
  if (c === undefined && a instanceof NDArray && b instanceof NDArray && a.dtype === b.dtype) {
    return a.dtype;
  }
  return c === undefined ? resultType(a, b) : resultType(a, b, c);
}

/** PyTorch's check that an in-place result can be stored in the destination's dtype. */
export function checkCastable(result: DType, dst: DType): void {
  const cat = (d: DType) => (d === "bool" ? 0 : d === "float32" || d === "float64" ? 2 : 1);
  if (cat(result) > cat(dst)) {
    throw new DTypeError(
      `result type ${TORCH_NAME[result]} can't be cast to the desired output type ${TORCH_NAME[dst]}`,
    );
  }
}

/** Frees `tmp` if it is a temporary made by `asDType`/`broadcastTo` from `orig`. */
export function release(tmp: NDArray, orig: Operand): void {
  if (tmp !== orig) tmp.dispose();
}
