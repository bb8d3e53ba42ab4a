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
  // a transposed contiguous matrix (`weight.t()` in `F.linear`): its gradient is computed
  // transposed, so that it comes out contiguous in the weight's own layout (as PyTorch does)
  const otherT =
    self.ndim === 2 &&
    od.shape.length === 2 &&
    od.strides[0] === 1 &&
    od.strides[1] === od.shape[0] &&
    od.shape[1]! > 1;
  return record1(
    "matmul",
    { self, other, selfShape: self.shape, otherShape: other.shape, otherT },
    S.matmul(self.data, od),
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
