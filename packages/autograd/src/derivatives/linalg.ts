/**
 * Derivatives of matrix products. For `C = A·B`: dA = G·Bᵀ, dB = Aᵀ·G, with 1-d operands
 * promoted to matrices and broadcast batch dims summed back.
 */
import { sameShape } from "@x/storage";
import type { Tensor } from "../tensor.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface LinalgOps {
  matmul: {
    self: Tensor;
    other: Tensor;
    selfShape: Shape;
    otherShape: Shape;
    /** Both are matrices and `other` is a transposed contiguous one (`weight.t()`). */
    otherT?: boolean;
  };
  addmm: {
    self: Tensor;
    mat1: Tensor;
    mat2: Tensor;
    beta: number;
    alpha: number;
    /** `mat2` is a transposed contiguous matrix (`weight.t()` in `F.linear`). */
    mat2T: boolean;
  };
  mm: { self: Tensor; mat2: Tensor };
  bmm: { self: Tensor; mat2: Tensor };
  dot: { self: Tensor; other: Tensor };
  mv: { self: Tensor; vec: Tensor };
}

/** `g` with the dims that 1-d operands dropped put back, so `g = A₂·B₂` shape-wise. */
function promoteGrad(grad: Tensor, a1: boolean, b1: boolean): Tensor {
  if (a1 && b1) return grad.reshape([1, 1]);
  if (a1) return grad.unsqueeze(-2);
  if (b1) return grad.unsqueeze(-1);
  return grad;
}

/** `g·s` (`g` itself when `s` is 1, as PyTorch's `maybe_multiply`). */
function scaled(g: Tensor, s: number): Tensor {
  return s === 1 ? g : g.mul(s);
}

/** `g` reshaped to `shape` (itself when it has that shape). */
function shapedAs(g: Tensor, shape: Shape): Tensor {
  return sameShape(g.shape, shape) ? g : g.reshape(shape);
}

function matmulName({ selfShape, otherShape }: { selfShape: Shape; otherShape: Shape }): string {
  const a = selfShape.length;
  const b = otherShape.length;
  if (a === 1 && b === 1) return "DotBackward0";
  if (a === 2 && b === 1) return "MvBackward0";
  if (a <= 2 && b <= 2) return "MmBackward0";
  return "BmmBackward0";
}

export const linalgRules: RuleTable<LinalgOps> = {
  // dA = G·Bᵀ, dB = Aᵀ·G (batch dims summed to each operand's shape)
  matmul: {
    name: matmulName,
    inputs: {
      self: {
        uses: ["other"],
        grad: ({ grad, other, selfShape, otherShape }) => {
          const a1 = selfShape.length === 1;
          const b1 = otherShape.length === 1;
          const b2 = b1 ? other.unsqueeze(-1) : other;
          const ga = promoteGrad(grad, a1, b1).matmul(b2.transpose(-1, -2));
          const a2Shape = a1 ? [1, selfShape[0]!] : selfShape;
          return shapedAs(ga.sumToSize(a2Shape), selfShape);
        },
      },
      other: {
        uses: ["self"],
        grad: ({ grad, self, selfShape, otherShape, otherT }) => {
          // (Gᵀ·A)ᵀ: the same sums, laid out as `other` is (contiguous once transposed back)
          if (otherT) return grad.t().matmul(self).t();
          const a1 = selfShape.length === 1;
          const b1 = otherShape.length === 1;
          const a2 = a1 ? self.unsqueeze(0) : self;
          const gb = a2.transpose(-1, -2).matmul(promoteGrad(grad, a1, b1));
          const b2Shape = b1 ? [otherShape[0]!, 1] : otherShape;
          return shapedAs(gb.sumToSize(b2Shape), otherShape);
        },
      },
    },
  },
  // d(β·I + α·A·B) = (β·G summed to I's shape, α·G·Bᵀ, α·Aᵀ·G)
  addmm: {
    inputs: {
      self: { uses: [], grad: ({ grad, beta }) => scaled(grad, beta) },
      mat1: { uses: ["mat2"], grad: ({ grad, mat2, alpha }) => scaled(grad.mm(mat2.t()), alpha) },
      mat2: {
        uses: ["mat1"],
        grad: ({ grad, mat1, alpha, mat2T }) =>
          // (Gᵀ·A)ᵀ for a transposed mat2: the gradient comes out laid out as mat2 is
          scaled(mat2T ? grad.t().mm(mat1).t() : mat1.t().mm(grad), alpha),
      },
    },
  },
  // dA = G·Bᵀ, dB = Aᵀ·G
  mm: {
    inputs: {
      self: { uses: ["mat2"], grad: ({ grad, mat2 }) => grad.mm(mat2.t()) },
      mat2: { uses: ["self"], grad: ({ grad, self }) => self.t().mm(grad) },
    },
  },
  // per batch: dA = G·Bᵀ, dB = Aᵀ·G
  bmm: {
    inputs: {
      self: { uses: ["mat2"], grad: ({ grad, mat2 }) => grad.bmm(mat2.transpose(1, 2)) },
      mat2: { uses: ["self"], grad: ({ grad, self }) => self.transpose(1, 2).bmm(grad) },
    },
  },
  // d(a·b) = (g·b, g·a)
  dot: {
    inputs: {
      self: { uses: ["other"], grad: ({ grad, other }) => other.mul(grad) },
      other: { uses: ["self"], grad: ({ grad, self }) => self.mul(grad) },
    },
  },
  // d(A·v) = (g⊗v, Aᵀ·g)
  mv: {
    inputs: {
      self: { uses: ["vec"], grad: ({ grad, vec }) => grad.unsqueeze(1).mul(vec) },
      vec: { uses: ["self"], grad: ({ grad, self }) => self.t().mv(grad) },
    },
  },
};
