/**
 * Matrix products: `matmul` (torch.matmul semantics: dot, matrix-vector, batched with
 * broadcast), `mm`, `bmm`, `dot`, `mv`, `outer`, and `einsum` (composed of these, so its
 * gradient needs no rule of its own).
 */
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/**
 * The matrix product with PyTorch's rules for 1-d operands and broadcast batch dims.
 * @example matmul(ones(2, 3), ones(3)) // tensor([3., 3.])
 */
export function matmul(self: Tensor, other: Tensor): Tensor {
  const od = other.data;
  const otherT = self.ndim === 2 && transposedMatrix(od);
  return record1(
    "matmul",
    { self, other, selfShape: self.shape, otherShape: other.shape, otherT },
    S.matmul(self.data, od),
  );
}

/**
 * Whether `d` is a transposed contiguous matrix (`weight.t()` in `F.linear`): the gradient of
 * a product's right operand is then computed transposed, so that it comes out contiguous in the
 * weight's own layout (as PyTorch does).
 */
function transposedMatrix(d: S.NDArray): boolean {
  return (
    d.shape.length === 2 && d.strides[0] === 1 && d.strides[1] === d.shape[0] && d.shape[1]! > 1
  );
}

// C++ names of the integer dtypes, in PyTorch's overflow message.
const C_TYPE: Partial<Record<S.DType, string>> = {
  int32: "int",
  int64: "int64_t",
  uint8: "uint8_t",
};

/**
 * A scalar factor converted to `dtype` as PyTorch converts it: unchanged for floating dtypes,
 * truncated for integer ones, where a value out of range (or NaN, ±∞) is an error. An integral
 * value may be negative for `uint8` (it wraps around).
 */
function factor(v: number, dtype: S.DType): number {
  if (S.isFloatingPoint(dtype)) return v;
  const [lo, hi] =
    dtype === "int32"
      ? [-(2 ** 31), 2 ** 31 - 1]
      : dtype === "int64"
        ? [-(2 ** 63), 2 ** 63]
        : [Number.isInteger(v) ? -255 : 0, 255];
  if (!(v >= lo && v <= hi)) {
    throw new S.ValueError(`value cannot be converted to type ${C_TYPE[dtype]} without overflow`);
  }
  return Math.trunc(v);
}

/** Options of `addmm`: the factors of the input (`beta`) and of the product (`alpha`). */
export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}

/**
 * `beta·input + alpha·(mat1 @ mat2)` for matrices `mat1` [M, K], `mat2` [K, N] and an `input`
 * that broadcasts to [M, N] (`torch.addmm`). With `beta` 0 the input is not read (its NaNs do
 * not propagate).
 * @example addmm(zeros(2), ones(3, 4), ones(4, 2)) // tensor([[4., 4.], [4., 4.], [4., 4.]])
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  const i = input.data;
  const a = mat1.data;
  const b = mat2.data;
  if (i.dtype !== b.dtype) throw new S.DTypeError("self and mat2 must have the same dtype");
  if (a.dtype !== b.dtype) throw new S.DTypeError("mat1 and mat2 must have the same dtype");
  if (a.ndim !== 2) throw new S.ShapeError(`mat1 must be a matrix, got ${a.ndim}-D tensor`);
  if (b.ndim !== 2) throw new S.ShapeError(`mat2 must be a matrix, got ${b.ndim}-D tensor`);
  const [M, K] = a.shape as [number, number];
  const [K2, N] = b.shape as [number, number];
  if (K !== K2) {
    throw new S.ShapeError(`mat1 and mat2 shapes cannot be multiplied (${M}x${K} and ${K2}x${N})`);
  }
  i.expand([M, N]).dispose(); // PyTorch's error when the input does not broadcast
  if (a.dtype === "bool") throw new S.DTypeError(`"addmm_impl_cpu_" not implemented for 'Bool'`);
  const beta = factor(Number(opts.beta ?? 1), a.dtype);
  const alpha = factor(Number(opts.alpha ?? 1), a.dtype);
  const product = S.mm(a, b);
  let out = product;
  if (alpha !== 1) {
    out = S.binary("mul", product, alpha);
    product.dispose();
  }
  if (beta !== 0) {
    const term = beta === 1 ? i : S.binary("mul", i, beta);
    const sum = S.binary("add", out, term);
    if (term !== i) term.dispose();
    out.dispose();
    out = sum;
  }
  return record1(
    "addmm",
    { self: input, mat1, mat2, beta, alpha, mat2T: transposedMatrix(b) },
    out,
  );
}

/** Product of two matrices. @example mm(ones(2, 3), ones(3, 4)).shape // [2, 4] */
export function mm(self: Tensor, mat2: Tensor): Tensor {
  return record1("mm", { self, mat2 }, S.mm(self.data, mat2.data));
}

/** Batched product of `[B, n, m]` and `[B, m, p]`. */
export function bmm(self: Tensor, mat2: Tensor): Tensor {
  return record1("bmm", { self, mat2 }, S.bmm(self.data, mat2.data));
}

/** Inner product of two vectors. @example dot(tensor([1, 2]), tensor([3, 4])) // tensor(11.) */
export function dot(self: Tensor, other: Tensor): Tensor {
  return record1("dot", { self, other }, S.dot(self.data, other.data));
}

/** Matrix times vector. @example mv(eye(2), tensor([1, 2])) // tensor([1., 2.]) */
export function mv(self: Tensor, vec: Tensor): Tensor {
  if (self.ndim !== 2 || vec.ndim !== 1) {
    throw new S.ShapeError(
      `vector + matrix @ vector expected, got ${vec.ndim}, ${self.ndim}, ${vec.ndim}`,
    );
  }
  return record1("mv", { self, vec }, S.matmul(self.data, vec.data));
}

/** Outer product `a ⊗ b` (composite: `a.reshape(-1, 1) * b`). */
export function outer(self: Tensor, vec2: Tensor): Tensor {
  if (self.ndim !== 1)
    throw new S.ShapeError(`outer: Expected 1-D argument self, but got ${self.ndim}-D`);
  if (vec2.ndim !== 1)
    throw new S.ShapeError(`outer: Expected 1-D argument vec2, but got ${vec2.ndim}-D`);
  return self.reshape([-1, 1]).mul(vec2);
}
