/**
 * Derivatives of the binary and ternary pointwise ops. Inputs may be broadcast: formulas give
 * gradients of the output's shape and the engine sums them back to each input's shape.
 */

import type { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { maskGrad, where, zerosLike } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type B = { self: Tensor; other: Operand };
type T = Tensor | number;

export interface BinaryOps {
  add: { self: Tensor; other: Operand; alpha: number };
  sub: { self: Tensor; other: Operand; alpha: number };
  rsub: { self: Tensor; other: Operand; alpha: number };
  mul: B;
  div: B;
  divMode: { self: Tensor; other: Operand; roundingMode: "trunc" | "floor" };
  powTensorScalar: { self: Tensor; exponent: number };
  powTensorTensor: { self: Tensor; exponent: Operand };
  powScalarTensor: { self: number; exponent: Tensor };
  atan2: B;
  maximum: B;
  minimum: B;
  fmax: B;
  fmin: B;
  remainder: B;
  fmod: B;
  copysign: B;
  hypot: B;
  logaddexp: B;
  xlogy: B;
  where: { condition: Tensor; self: Operand; other: Operand };
  lerp: { self: Tensor; end: Tensor; weight: Operand };
  addcmul: { self: Tensor; tensor1: Tensor; tensor2: Tensor; value: number };
  addcdiv: { self: Tensor; tensor1: Tensor; tensor2: Tensor; value: number };
}

const num = (v: Operand): T => (typeof v === "boolean" ? Number(v) : v);
const asT = (v: Operand, like: Tensor): Tensor =>
  typeof v === "object" ? v : zerosLike(like).add(num(v));

export const binaryRules: RuleTable<BinaryOps> = {
  // d(a + αb) = (g, αg)
  add: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      other: { uses: [], grad: ({ grad, alpha }) => (alpha === 1 ? grad : grad.mul(alpha)) },
    },
  },
  // d(a - αb) = (g, -αg)
  sub: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      other: { uses: [], grad: ({ grad, alpha }) => grad.mul(-alpha) },
    },
  },
  // d(b - αa) = (-αg, g)
  rsub: {
    name: ({ other }) => (typeof other === "object" ? "RsubBackward0" : "RsubBackward1"),
    inputs: {
      self: { uses: [], grad: ({ grad, alpha }) => grad.mul(-alpha) },
      other: { uses: [], grad: ({ grad }) => grad },
    },
  },
  // d(a·b) = (g·b, g·a)
  mul: {
    inputs: {
      self: { uses: ["other"], grad: ({ grad, other }) => grad.mul(num(other)) },
      other: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self) },
    },
  },
  // d(a/b) = (g/b, -g·a/b²)
  div: {
    inputs: {
      self: { uses: ["other"], grad: ({ grad, other }) => grad.div(num(other)) },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) => grad.neg().mul(self).div(asT(other, grad).square()),
      },
    },
  },
  // rounded division is piecewise constant: zero gradients
  divMode: {
    name: "DivBackward2",
    inputs: {
      self: { uses: [], grad: ({ grad }) => zerosLike(grad) },
      other: { uses: [], grad: ({ grad }) => zerosLike(grad) },
    },
  },
  // d xⁿ = g·n·xⁿ⁻¹ (0 when n = 0)
  powTensorScalar: {
    name: "PowBackward0",
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, exponent }) =>
          exponent === 0 ? zerosLike(grad) : grad.mul(self.pow(exponent - 1).mul(exponent)),
      },
    },
  },
  // d aᵇ = (g·b·aᵇ⁻¹, g·aᵇ·ln a), zero where b = 0 resp. a = 0 ≤ b
  powTensorTensor: {
    name: "PowBackward1",
    inputs: {
      self: {
        uses: ["self", "exponent"],
        grad: ({ grad, self, exponent }) => {
          const e = asT(exponent, self);
          return maskGrad(grad.mul(e.mul(self.pow(e.sub(1)))), e.ne(0));
        },
      },
      exponent: {
        uses: ["self", "exponent", "result"],
        grad: ({ grad, self, exponent, result }) => {
          const e = asT(exponent, self);
          const zero = self.eq(0).logicalAnd(e.ge(0));
          return grad.mul(where(zero, 0, result.mul(self.log())));
        },
      },
    },
  },
  // d cˣ = g·cˣ·ln c (0 where c = 0 ≤ x)
  powScalarTensor: {
    name: "PowBackward1",
    inputs: {
      exponent: {
        uses: ["self", "exponent", "result"],
        grad: ({ grad, self, exponent, result }) =>
          self === 0
            ? grad.mul(where(exponent.ge(0), 0, result.mul(-Infinity)))
            : grad.mul(result.mul(Math.log(self))),
      },
    },
  },
  // d atan2(a, b) = (g·b, -g·a)/(a² + b²)
  atan2: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          grad.mul(num(other)).div(self.square().add(asT(other, self).square())),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          grad.mul(self.neg()).div(self.square().add(asT(other, self).square())),
      },
    },
  },
  // d max(a, b): g to the larger, split evenly on ties
  maximum: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          where(self.lt(other), 0, where(self.eq(other), grad.div(2), grad)),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          where(self.gt(other), 0, where(self.eq(other), grad.div(2), grad)),
      },
    },
  },
  // d min(a, b): g to the smaller, split evenly on ties
  minimum: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          where(self.gt(other), 0, where(self.eq(other), grad.div(2), grad)),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          where(self.lt(other), 0, where(self.eq(other), grad.div(2), grad)),
      },
    },
  },
  // d fmax(a, b): g to a where a ≥ b or b is NaN, else to b
  fmax: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          maskGrad(grad, self.ge(other).logicalOr(asT(other, self).isnan())),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          maskGrad(grad, self.ge(other).logicalOr(asT(other, self).isnan()).logicalNot()),
      },
    },
  },
  // d fmin(a, b): g to a where a ≤ b or b is NaN, else to b
  fmin: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          maskGrad(grad, self.le(other).logicalOr(asT(other, self).isnan())),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          maskGrad(grad, self.le(other).logicalOr(asT(other, self).isnan()).logicalNot()),
      },
    },
  },
  // d(a - b·⌊a/b⌋) = (g, -g·⌊a/b⌋)
  remainder: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          grad.neg().mul(self.div(num(other), { roundingMode: "floor" })),
      },
    },
  },
  // d(a - b·trunc(a/b)) = (g, -g·trunc(a/b))
  fmod: {
    name: ({ other }) => (typeof other === "object" ? "FmodBackward1" : "FmodBackward0"),
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          grad.neg().mul(self.div(num(other), { roundingMode: "trunc" })),
      },
    },
  },
  // d copysign(a, b) = (g·y/a (0 where a = 0), 0)
  copysign: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result }) => maskGrad(grad.mul(result.div(self)), self.ne(0)),
      },
      other: { uses: [], grad: ({ grad }) => zerosLike(grad) },
    },
  },
  // d √(a² + b²) = (g·a/y, g·b/y)
  hypot: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result }) => grad.mul(self).div(result),
      },
      other: {
        uses: ["other", "result"],
        grad: ({ grad, other, result }) => grad.mul(num(other)).div(result),
      },
    },
  },
  // d ln(eᵃ + eᵇ) = (g/(1 + e^(b-a)), g/(1 + e^(a-b)))
  logaddexp: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) => grad.div(asT(other, self).sub(self).exp().add(1)),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) => grad.div(self.sub(num(other)).exp().add(1)),
      },
    },
  },
  // d a·ln b = (g·ln b (0 where a = 0, b ≤ 0), g·a/b)
  xlogy: {
    inputs: {
      self: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) =>
          where(self.eq(0).logicalAnd(asT(other, self).le(0)), 0, grad.xlogy(num(other))),
      },
      other: {
        uses: ["self", "other"],
        grad: ({ grad, self, other }) => grad.mul(self).div(num(other)),
      },
    },
  },
  // d where(c, a, b) = (g·c, g·¬c)
  where: {
    inputs: {
      condition: "nondifferentiable",
      self: { uses: ["condition"], grad: ({ grad, condition }) => where(condition, grad, 0) },
      other: { uses: ["condition"], grad: ({ grad, condition }) => where(condition, 0, grad) },
    },
  },
  // d(a + w·(b - a)) = (g·(1-w), g·w, g·(b - a))
  lerp: {
    name: ({ weight }) => (typeof weight === "object" ? "LerpBackward1" : "LerpBackward0"),
    inputs: {
      self: {
        uses: ["weight"],
        grad: ({ grad, weight }) =>
          typeof weight === "object" ? grad.mul(weight.neg().add(1)) : grad.mul(1 - Number(weight)),
      },
      end: { uses: ["weight"], grad: ({ grad, weight }) => grad.mul(num(weight)) },
      weight: { uses: ["self", "end"], grad: ({ grad, self, end }) => grad.mul(end.sub(self)) },
    },
  },
  // d(a + v·b·c) = (g, g·v·c, g·v·b)
  addcmul: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      tensor1: {
        uses: ["tensor2"],
        grad: ({ grad, tensor2, value }) => grad.mul(tensor2).mul(value),
      },
      tensor2: {
        uses: ["tensor1"],
        grad: ({ grad, tensor1, value }) => grad.mul(tensor1).mul(value),
      },
    },
  },
  // d(a + v·b/c) = (g, g·v/c, -g·v·b/c²)
  addcdiv: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      tensor1: {
        uses: ["tensor2"],
        grad: ({ grad, tensor2, value }) => grad.mul(value).div(tensor2),
      },
      tensor2: {
        uses: ["tensor1", "tensor2"],
        grad: ({ grad, tensor1, tensor2, value }) =>
          grad.mul(-value).mul(tensor1).div(tensor2.square()),
      },
    },
  },
};
