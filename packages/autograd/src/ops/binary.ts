/**
 * Binary and ternary pointwise ops with broadcasting and PyTorch's type promotion (the storage
 * layer does both), comparisons and logical ops (not differentiable), `where`, `lerp`,
 * `addcmul`, `addcdiv`. Every op accepts tensors and JS numbers alike.
 */
import {
  type BinaryOp,
  binary,
  type CompareOp,
  compare,
  type NDArray,
  type Operand as RawOperand,
  where as rawWhere,
  unary,
} from "@x/storage";
import { record1 } from "../opNode.js";
import { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { addcRaw, plain, raw } from "./operands.js";

function scaled(v: Operand, alpha: number): RawOperand {
  if (alpha === 1) return raw(v);
  if (v instanceof Tensor) return binary("mul", v.data, alpha);
  return Number(v) * alpha;
}

/**
 * `self + alpha·other` (`torch.add`).
 * @example add(tensor([1, 2]), 1) // tensor([2., 3.])
 */
export function add(self: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  const o = scaled(other, alpha);
  const out = binary("add", self.data, o);
  if (o !== raw(other)) (o as NDArray).dispose?.();
  return record1("add", { self, other, alpha }, out);
}

/**
 * `self - alpha·other` (`torch.sub`).
 * @example sub(tensor([3]), 1) // tensor([2.])
 */
export function sub(self: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  const o = scaled(other, alpha);
  const out = binary("sub", self.data, o);
  if (o !== raw(other)) (o as NDArray).dispose?.();
  return record1("sub", { self, other, alpha }, out);
}

/**
 * `other - alpha·self` (`torch.rsub`).
 * @example rsub(tensor([1]), 3) // tensor([2.])
 */
export function rsub(self: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  const s = scaled(self, alpha);
  const out = binary("sub", raw(other), s);
  if (s !== self.data) (s as NDArray).dispose();
  return record1("rsub", { self, other, alpha }, out);
}

/** `self · other` @example mul(tensor([1, 2]), 2) // tensor([2., 4.]) */
export function mul(self: Tensor, other: Operand): Tensor {
  return record1("mul", { self, other }, binary("mul", self.data, raw(other)));
}

/**
 * `self / other`; with `roundingMode` `"trunc"` or `"floor"` the quotient is rounded.
 * @example div(tensor([3]), 2) // tensor([1.5000])
 */
export function div(
  self: Tensor,
  other: Operand,
  opts: { roundingMode?: "trunc" | "floor" | null } = {},
): Tensor {
  const mode = opts.roundingMode ?? null;
  if (mode === null) return record1("div", { self, other }, binary("div", self.data, raw(other)));
  const op: BinaryOp = mode === "trunc" ? "divTrunc" : "divFloor";
  return record1("divMode", { self, other, roundingMode: mode }, binary(op, self.data, raw(other)));
}

/** `div(self, other, { roundingMode: "floor" })` @example floorDivide(tensor([7]), 2) // tensor([3.]) */
export const floorDivide = (self: Tensor, other: Operand): Tensor =>
  div(self, other, { roundingMode: "floor" });
/** Same as `div`. */
export const trueDivide = (self: Tensor, other: Operand): Tensor => div(self, other);

/**
 * `self ** exponent`; `self` may be a number (`pow(2, t)`).
 * @example pow(tensor([2]), 3) // tensor([8.])
 */
export function pow(self: Tensor | number, exponent: Operand): Tensor {
  if (!(self instanceof Tensor)) {
    const e = exponent as Tensor;
    return record1("powScalarTensor", { self, exponent: e }, binary("pow", self, e.data));
  }
  if (exponent instanceof Tensor) {
    return record1("powTensorTensor", { self, exponent }, binary("pow", self.data, exponent.data));
  }
  const e = Number(exponent);
  return record1("powTensorScalar", { self, exponent: e }, binary("pow", self.data, e));
}

function bin(
  op: BinaryOp &
    (
      | "atan2"
      | "maximum"
      | "minimum"
      | "fmax"
      | "fmin"
      | "remainder"
      | "fmod"
      | "copysign"
      | "hypot"
      | "logaddexp"
      | "xlogy"
    ),
) {
  return (self: Tensor, other: Operand): Tensor =>
    record1(op, { self, other }, binary(op, self.data, raw(other)));
}

/** `atan(self/other)` with the quadrant. @example atan2(tensor([1]), tensor([1])) // tensor([0.7854]) */
export const atan2 = bin("atan2");
/** Elementwise max (NaN propagates). @example maximum(tensor([1, 5]), tensor([3, 2])) // tensor([3., 5.]) */
export const maximum = bin("maximum");
/** Elementwise min (NaN propagates). @example minimum(tensor([1, 5]), tensor([3, 2])) // tensor([1., 2.]) */
export const minimum = bin("minimum");
/** Elementwise max ignoring NaN. @example fmax(tensor([NaN]), tensor([1])) // tensor([1.]) */
export const fmax = bin("fmax");
/** Elementwise min ignoring NaN. @example fmin(tensor([NaN]), tensor([1])) // tensor([1.]) */
export const fmin = bin("fmin");
/** Python's `%` (sign of the divisor). @example remainder(tensor([-1]), 3) // tensor([2.]) */
export const remainder = bin("remainder");
/** C's `fmod` (sign of the dividend). @example fmod(tensor([-1]), 3) // tensor([-1.]) */
export const fmod = bin("fmod");
/** `|self|` with the sign of `other`. @example copysign(tensor([2]), -1) // tensor([-2.]) */
export const copysign = bin("copysign");
/** `√(a² + b²)` @example hypot(tensor([3]), tensor([4])) // tensor([5.]) */
export const hypot = bin("hypot");
/** `ln(eᵃ + eᵇ)` @example logaddexp(tensor([0]), tensor([0])) // tensor([0.6931]) */
export const logaddexp = bin("logaddexp");
/** `a·ln b` (0 where a = 0). @example xlogy(tensor([0]), tensor([0])) // tensor([0.]) */
export const xlogy = bin("xlogy");

/**
 * Elementwise `condition ? self : other` with broadcasting (`torch.where`).
 * @example where(tensor([true, false]), tensor([1, 2]), 0) // tensor([1., 0.])
 */
export function where(condition: Tensor, self: Operand, other: Operand): Tensor {
  return record1(
    "where",
    { condition, self, other },
    rawWhere(condition.data, raw(self), raw(other)),
  );
}

/**
 * `self + weight·(end - self)` (`torch.lerp`).
 * @example lerp(tensor([0]), tensor([10]), 0.3) // tensor([3.])
 */
export function lerp(self: Tensor, end: Tensor, weight: Operand): Tensor {
  const diff = binary("sub", end.data, self.data);
  const step = binary("mul", diff, raw(weight));
  const out = binary("add", self.data, step);
  diff.dispose();
  step.dispose();
  return record1("lerp", { self, end, weight }, out);
}

/**
 * `self + value·tensor1·tensor2` (`torch.addcmul`).
 * @example addcmul(tensor([1]), tensor([2]), tensor([3]), { value: 0.5 }) // tensor([4.])
 */
export function addcmul(
  self: Tensor,
  tensor1: Tensor,
  tensor2: Tensor,
  opts: { value?: number } = {},
): Tensor {
  const value = opts.value ?? 1;
  const out = addcRaw("mul", self.data, tensor1.data, tensor2.data, value);
  return record1("addcmul", { self, tensor1, tensor2, value }, out);
}

/**
 * `self + value·tensor1/tensor2` (`torch.addcdiv`).
 * @example addcdiv(tensor([1]), tensor([2]), tensor([4]), { value: 2 }) // tensor([2.])
 */
export function addcdiv(
  self: Tensor,
  tensor1: Tensor,
  tensor2: Tensor,
  opts: { value?: number } = {},
): Tensor {
  const value = opts.value ?? 1;
  const out = addcRaw("div", self.data, tensor1.data, tensor2.data, value);
  return record1("addcdiv", { self, tensor1, tensor2, value }, out);
}

function cmp(op: CompareOp) {
  return (self: Tensor, other: Operand): Tensor => plain(compare(op, self.data, raw(other)));
}

/** `self == other` (bool). @example eq(tensor([1, 2]), 2) // tensor([False,  True]) */
export const eq = cmp("eq");
/** `self != other` (bool). */
export const ne = cmp("ne");
/** `self < other` (bool). */
export const lt = cmp("lt");
/** `self <= other` (bool). */
export const le = cmp("le");
/** `self > other` (bool). */
export const gt = cmp("gt");
/** `self >= other` (bool). */
export const ge = cmp("ge");

function logical(op: BinaryOp) {
  return (self: Tensor, other: Operand): Tensor => plain(binary(op, self.data, raw(other)));
}

/** Elementwise logical and (bool). @example logicalAnd(tensor([true]), tensor([false])) // tensor([False]) */
export const logicalAnd = logical("logicalAnd");
/** Elementwise logical or (bool). */
export const logicalOr = logical("logicalOr");
/** Elementwise logical xor (bool). */
export const logicalXor = logical("logicalXor");
/** Elementwise bitwise and (integers and bool). */
export const bitwiseAnd = logical("bitwiseAnd");
/** Elementwise bitwise or. */
export const bitwiseOr = logical("bitwiseOr");
/** Elementwise bitwise xor. */
export const bitwiseXor = logical("bitwiseXor");

/** Elementwise logical not (bool). @example logicalNot(tensor([true])) // tensor([False]) */
export const logicalNot = (x: Tensor): Tensor => plain(unary("logicalNot", x.data));
/** Elementwise bitwise not. */
export const bitwiseNot = (x: Tensor): Tensor => plain(unary("bitwiseNot", x.data));
/** Where `x` is NaN (bool). @example isnan(tensor([NaN, 1])) // tensor([ True, False]) */
export const isnan = (x: Tensor): Tensor => plain(unary("isnan", x.data));
/** Where `x` is ±∞ (bool). */
export const isinf = (x: Tensor): Tensor => plain(unary("isinf", x.data));
/** Where `x` is finite (bool). */
export const isfinite = (x: Tensor): Tensor => plain(unary("isfinite", x.data));
/** Where the sign bit is set (bool). */
export const signbit = (x: Tensor): Tensor => plain(unary("signbit", x.data));
