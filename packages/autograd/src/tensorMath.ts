/**
 * `Tensor` methods for pointwise math: unary functions, arithmetic with tensors or JS numbers
 * (broadcasting), comparisons, and their in-place forms. Each delegates to the op function of
 * the same name.
 */

import * as B from "./ops/binary.js";
import * as I from "./ops/inplace.js";
import { clampBounds } from "./ops/operands.js";
import * as P from "./ops/pointwise.js";
import type { Tensor } from "./tensor.js";
import { type Operand, TensorBase } from "./tensorBase.js";

type Bound = number | null | undefined;

export class TensorMath extends TensorBase {
  neg(this: Tensor): Tensor {
    return P.neg(this);
  }
  abs(this: Tensor): Tensor {
    return P.abs(this);
  }
  sign(this: Tensor): Tensor {
    return P.sign(this);
  }
  exp(this: Tensor): Tensor {
    return P.exp(this);
  }
  exp2(this: Tensor): Tensor {
    return P.exp2(this);
  }
  expm1(this: Tensor): Tensor {
    return P.expm1(this);
  }
  log(this: Tensor): Tensor {
    return P.log(this);
  }
  log2(this: Tensor): Tensor {
    return P.log2(this);
  }
  log10(this: Tensor): Tensor {
    return P.log10(this);
  }
  log1p(this: Tensor): Tensor {
    return P.log1p(this);
  }
  sqrt(this: Tensor): Tensor {
    return P.sqrt(this);
  }
  rsqrt(this: Tensor): Tensor {
    return P.rsqrt(this);
  }
  square(this: Tensor): Tensor {
    return P.square(this);
  }
  reciprocal(this: Tensor): Tensor {
    return P.reciprocal(this);
  }
  sin(this: Tensor): Tensor {
    return P.sin(this);
  }
  cos(this: Tensor): Tensor {
    return P.cos(this);
  }
  tan(this: Tensor): Tensor {
    return P.tan(this);
  }
  asin(this: Tensor): Tensor {
    return P.asin(this);
  }
  acos(this: Tensor): Tensor {
    return P.acos(this);
  }
  atan(this: Tensor): Tensor {
    return P.atan(this);
  }
  sinh(this: Tensor): Tensor {
    return P.sinh(this);
  }
  cosh(this: Tensor): Tensor {
    return P.cosh(this);
  }
  tanh(this: Tensor): Tensor {
    return P.tanh(this);
  }
  asinh(this: Tensor): Tensor {
    return P.asinh(this);
  }
  acosh(this: Tensor): Tensor {
    return P.acosh(this);
  }
  atanh(this: Tensor): Tensor {
    return P.atanh(this);
  }
  sigmoid(this: Tensor): Tensor {
    return P.sigmoid(this);
  }
  relu(this: Tensor): Tensor {
    return P.relu(this);
  }
  erf(this: Tensor): Tensor {
    return P.erf(this);
  }
  erfc(this: Tensor): Tensor {
    return P.erfc(this);
  }
  erfinv(this: Tensor): Tensor {
    return P.erfinv(this);
  }
  ceil(this: Tensor): Tensor {
    return P.ceil(this);
  }
  floor(this: Tensor): Tensor {
    return P.floor(this);
  }
  round(this: Tensor, opts?: { decimals?: number }): Tensor {
    return P.round(this, opts);
  }
  trunc(this: Tensor): Tensor {
    return P.trunc(this);
  }
  frac(this: Tensor): Tensor {
    return P.frac(this);
  }
  clamp(this: Tensor, min?: Bound | { min?: Bound; max?: Bound }, max?: Bound): Tensor {
    return P.clamp(this, min, max);
  }
  clip(this: Tensor, min?: Bound | { min?: Bound; max?: Bound }, max?: Bound): Tensor {
    return P.clamp(this, min, max);
  }
  clampMin(this: Tensor, min: number): Tensor {
    return P.clampMin(this, min);
  }
  clampMax(this: Tensor, max: number): Tensor {
    return P.clampMax(this, max);
  }

  add(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return B.add(this, other, opts);
  }
  sub(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return B.sub(this, other, opts);
  }
  mul(this: Tensor, other: Operand): Tensor {
    return B.mul(this, other);
  }
  div(this: Tensor, other: Operand, opts?: { roundingMode?: "trunc" | "floor" | null }): Tensor {
    return B.div(this, other, opts);
  }
  floorDivide(this: Tensor, other: Operand): Tensor {
    return B.floorDivide(this, other);
  }
  trueDivide(this: Tensor, other: Operand): Tensor {
    return B.trueDivide(this, other);
  }
  pow(this: Tensor, exponent: Operand): Tensor {
    return B.pow(this, exponent);
  }
  atan2(this: Tensor, other: Operand): Tensor {
    return B.atan2(this, other);
  }
  maximum(this: Tensor, other: Operand): Tensor {
    return B.maximum(this, other);
  }
  minimum(this: Tensor, other: Operand): Tensor {
    return B.minimum(this, other);
  }
  fmax(this: Tensor, other: Operand): Tensor {
    return B.fmax(this, other);
  }
  fmin(this: Tensor, other: Operand): Tensor {
    return B.fmin(this, other);
  }
  remainder(this: Tensor, other: Operand): Tensor {
    return B.remainder(this, other);
  }
  fmod(this: Tensor, other: Operand): Tensor {
    return B.fmod(this, other);
  }
  copysign(this: Tensor, other: Operand): Tensor {
    return B.copysign(this, other);
  }
  hypot(this: Tensor, other: Operand): Tensor {
    return B.hypot(this, other);
  }
  logaddexp(this: Tensor, other: Operand): Tensor {
    return B.logaddexp(this, other);
  }
  xlogy(this: Tensor, other: Operand): Tensor {
    return B.xlogy(this, other);
  }
  lerp(this: Tensor, end: Tensor, weight: Operand): Tensor {
    return B.lerp(this, end, weight);
  }
  addcmul(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return B.addcmul(this, tensor1, tensor2, opts);
  }
  addcdiv(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return B.addcdiv(this, tensor1, tensor2, opts);
  }
  /** `where(condition, this, other)` (PyTorch's `Tensor.where`). */
  where(this: Tensor, condition: Tensor, other: Operand): Tensor {
    return B.where(condition, this, other);
  }
  eq(this: Tensor, other: Operand): Tensor {
    return B.eq(this, other);
  }
  ne(this: Tensor, other: Operand): Tensor {
    return B.ne(this, other);
  }
  lt(this: Tensor, other: Operand): Tensor {
    return B.lt(this, other);
  }
  le(this: Tensor, other: Operand): Tensor {
    return B.le(this, other);
  }
  gt(this: Tensor, other: Operand): Tensor {
    return B.gt(this, other);
  }
  ge(this: Tensor, other: Operand): Tensor {
    return B.ge(this, other);
  }
  logicalAnd(this: Tensor, other: Operand): Tensor {
    return B.logicalAnd(this, other);
  }
  logicalOr(this: Tensor, other: Operand): Tensor {
    return B.logicalOr(this, other);
  }
  logicalXor(this: Tensor, other: Operand): Tensor {
    return B.logicalXor(this, other);
  }
  logicalNot(this: Tensor): Tensor {
    return B.logicalNot(this);
  }
  bitwiseAnd(this: Tensor, other: Operand): Tensor {
    return B.bitwiseAnd(this, other);
  }
  bitwiseOr(this: Tensor, other: Operand): Tensor {
    return B.bitwiseOr(this, other);
  }
  bitwiseXor(this: Tensor, other: Operand): Tensor {
    return B.bitwiseXor(this, other);
  }
  bitwiseNot(this: Tensor): Tensor {
    return B.bitwiseNot(this);
  }
  isnan(this: Tensor): Tensor {
    return B.isnan(this);
  }
  isinf(this: Tensor): Tensor {
    return B.isinf(this);
  }
  isfinite(this: Tensor): Tensor {
    return B.isfinite(this);
  }
  signbit(this: Tensor): Tensor {
    return B.signbit(this);
  }

  add_(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return I.add_(this, other, opts);
  }
  sub_(this: Tensor, other: Operand, opts?: { alpha?: number }): Tensor {
    return I.sub_(this, other, opts);
  }
  mul_(this: Tensor, other: Operand): Tensor {
    return I.binaryInplace("mul", "mul", this, other, { self: this, other });
  }
  div_(this: Tensor, other: Operand): Tensor {
    return I.binaryInplace("div", "div", this, other, { self: this, other });
  }
  pow_(this: Tensor, exponent: number): Tensor {
    return I.binaryInplace("powTensorScalar", "pow", this, exponent, { self: this, exponent });
  }
  clamp_(this: Tensor, min?: Bound | { min?: Bound; max?: Bound }, max?: Bound): Tensor {
    const [a, b] = clampBounds(min, max);
    return I.paramInplace("clamp", "clamp", this, { self: this, min: a, max: b }, a, b);
  }
  clampMin_(this: Tensor, min: number): Tensor {
    return this.clamp_(min, null);
  }
  clampMax_(this: Tensor, max: number): Tensor {
    return this.clamp_(null, max);
  }
  neg_(this: Tensor): Tensor {
    return I.unaryInplace("neg", this);
  }
  abs_(this: Tensor): Tensor {
    return I.unaryInplace("abs", this);
  }
  exp_(this: Tensor): Tensor {
    return I.unaryInplace("exp", this);
  }
  log_(this: Tensor): Tensor {
    return I.unaryInplace("log", this);
  }
  sqrt_(this: Tensor): Tensor {
    return I.unaryInplace("sqrt", this);
  }
  square_(this: Tensor): Tensor {
    return I.unaryInplace("square", this);
  }
  reciprocal_(this: Tensor): Tensor {
    return I.unaryInplace("reciprocal", this);
  }
  sin_(this: Tensor): Tensor {
    return I.unaryInplace("sin", this);
  }
  cos_(this: Tensor): Tensor {
    return I.unaryInplace("cos", this);
  }
  sigmoid_(this: Tensor): Tensor {
    return I.unaryInplace("sigmoid", this);
  }
  tanh_(this: Tensor): Tensor {
    return I.unaryInplace("tanh", this);
  }
  relu_(this: Tensor): Tensor {
    return I.unaryInplace("relu", this);
  }
  sign_(this: Tensor): Tensor {
    return I.unaryInplace("sign", this);
  }
  floor_(this: Tensor): Tensor {
    return I.unaryInplace("floor", this);
  }
  ceil_(this: Tensor): Tensor {
    return I.unaryInplace("ceil", this);
  }
  round_(this: Tensor): Tensor {
    return I.unaryInplace("round", this);
  }
  trunc_(this: Tensor): Tensor {
    return I.unaryInplace("trunc", this);
  }
  lerp_(this: Tensor, end: Tensor, weight: Operand): Tensor {
    return I.lerp_(this, end, weight);
  }
  addcmul_(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return I.addcmul_(this, tensor1, tensor2, opts);
  }
  addcdiv_(this: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor {
    return I.addcdiv_(this, tensor1, tensor2, opts);
  }
  fill_(this: Tensor, value: number | boolean): Tensor {
    return I.fill_(this, value);
  }
  zero_(this: Tensor): Tensor {
    return I.zero_(this);
  }
  copy_(this: Tensor, src: Tensor | number): Tensor {
    return I.copy_(this, src);
  }
}
