/**
 * Data types, their typed-array storage, and PyTorch's type promotion (`torch.result_type`).
 *
 * `int64` values are held in a `Float64Array`: they are exact up to 2^53, which covers every
 * index and count a tensor of this library can have, and keeps kernels free of `BigInt`.
 */
import { DTypeError } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8";
export type FloatDType = "float32" | "float64";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "bool", "uint8"];

const ITEM_SIZE: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
};

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

export function isFloatingPoint(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** Integer dtypes; `bool` counts only when `includeBool`. */
export function isIntegral(dtype: DType, includeBool = false): boolean {
  return dtype === "int32" || dtype === "int64" || dtype === "uint8" || (includeBool && dtype === "bool");
}

/** Throws a `DTypeError` unless `d` names a dtype. */
export function checkDType(d: unknown): DType {
  if (typeof d === "string" && d in ITEM_SIZE) return d as DType;
  throw new DTypeError(`unknown dtype ${String(d)}; expected one of ${DTYPES.join(", ")}`);
}

/** A typed array of the right kind over `length` elements of `buffer` from `byteOffset`. */
export function typedArrayOf(
  dtype: DType,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, byteOffset, length);
    case "float64":
    case "int64":
      return new Float64Array(buffer, byteOffset, length);
    case "int32":
      return new Int32Array(buffer, byteOffset, length);
    case "bool":
    case "uint8":
      return new Uint8Array(buffer, byteOffset, length);
  }
}

/** Converts a JS number to what a dtype holds (truncation for ints, 0/1 for bool). */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    case "int32":
      return v | 0;
    case "int64":
      return Math.trunc(v);
    case "uint8":
      return Math.trunc(v) & 255;
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}

let defaultDType: FloatDType = "float32";

/** The dtype of new floating tensors and of non-integer JS numbers in promotion (`float32`). */
export function getDefaultDType(): FloatDType {
  return defaultDType;
}

/** As `torch.set_default_dtype`: only `float32` or `float64`. */
export function setDefaultDType(dtype: DType): void {
  if (!isFloatingPoint(dtype)) {
    throw new DTypeError("only floating-point types are supported as the default type");
  }
  defaultDType = dtype;
}

// bool < uint8 < int32 < int64 < float32 < float64: for these six dtypes PyTorch's promotion
// lattice is this total order.
const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, int64: 3, float32: 4, float64: 5 };
const BY_RANK: readonly DType[] = ["bool", "uint8", "int32", "int64", "float32", "float64"];

/** `torch.promote_types`: the smallest dtype both can be converted to. */
export function promoteTypes(a: DType, b: DType): DType {
  return BY_RANK[Math.max(RANK[a], RANK[b])]!;
}

/** 0 bool, 1 integer, 2 floating point. */
function category(d: DType): number {
  return d === "bool" ? 0 : isFloatingPoint(d) ? 2 : 1;
}

// PyTorch's combine_categories: a lower-priority operand only matters when its category is higher.
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloatingPoint(higher)) return higher;
  if (higher === "bool" || category(lower) > category(higher)) return promoteTypes(higher, lower);
  return higher;
}

/** Minimal view of an operand for promotion: a tensor's dtype and rank, or a JS scalar. */
export type PromotionOperand = { readonly dtype: DType; readonly shape: readonly number[] } | number | boolean;

/** The dtype of a JS scalar: `bool`, `int64` for integral numbers, else the default float. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int64" : defaultDType;
}

/**
 * `torch.result_type` over tensors and scalars. Tensors with dimensions decide first; 0-d
 * tensors, then JS scalars, only raise the result when their category (bool < integer < float)
 * is higher. So `int32 tensor + 2` is `int32`, `int32 tensor + 2.5` is `float32`,
 * `float32 tensor + float64 0-d tensor` is `float32`.
 */
export function resultType(...operands: PromotionOperand[]): DType {
  let dim: DType | undefined;
  let zero: DType | undefined;
  let wrapped: DType | undefined;
  for (const o of operands) {
    if (typeof o === "number" || typeof o === "boolean") {
      const d = scalarDType(o);
      wrapped = wrapped === undefined ? d : promoteTypes(wrapped, d);
    } else if (o.shape.length === 0) {
      zero = zero === undefined ? o.dtype : promoteTypes(zero, o.dtype);
    } else {
      dim = dim === undefined ? o.dtype : promoteTypes(dim, o.dtype);
    }
  }
  return combine(dim, combine(zero, wrapped)) ?? defaultDType;
}
