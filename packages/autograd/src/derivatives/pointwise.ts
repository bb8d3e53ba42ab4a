/**
 * Derivatives of the unary math functions (`exp`, `log`, `sin`, …, `clamp`, rounding).
 * `g` is the upstream gradient, `y` the forward result, `x` the input.
 */
import type { Tensor } from "../tensor.js";
import { maskGrad, zerosLike } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type U = { self: Tensor };
type Pass = (c: { grad: Tensor }) => Tensor;

export interface PointwiseOps {
  neg: U;
  abs: U;
  sign: U;
  exp: U;
  exp2: U;
  expm1: U;
  log: U;
  log2: U;
  log10: U;
  log1p: U;
  sqrt: U;
  rsqrt: U;
  square: U;
  reciprocal: U;
  sin: U;
  cos: U;
  tan: U;
  asin: U;
  acos: U;
  atan: U;
  sinh: U;
  cosh: U;
  tanh: U;
  asinh: U;
  acosh: U;
  atanh: U;
  sigmoid: U;
  erf: U;
  erfc: U;
  erfinv: U;
  ceil: U;
  floor: U;
  round: U;
  trunc: U;
  frac: U;
  /** `min`/`max` NaN: no bound. */
  clamp: { self: Tensor; min: number; max: number };
  roundDecimals: { self: Tensor; decimals: number };
}

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const SQRT_PI = Math.sqrt(Math.PI);

// d/dx of a piecewise-constant function: zero everywhere it is differentiable.
const zeroGrad = { uses: [], grad: ({ grad }: { grad: Tensor }) => zerosLike(grad) } as const;
const identity: Pass = ({ grad }) => grad;

export const pointwiseRules: RuleTable<PointwiseOps> = {
  // d(-x) = -g
  neg: { inputs: { self: { uses: [], grad: ({ grad }) => grad.neg() } } },
  // d|x| = g·sgn(x)
  abs: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.sign()) } } },
  // d sgn(x) = 0
  sign: { inputs: { self: zeroGrad } },
  // d eˣ = g·y
  exp: { inputs: { self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result) } } },
  // d 2ˣ = g·y·ln 2
  exp2: {
    inputs: { self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result).mul(LN2) } },
  },
  // d(eˣ-1) = g·(y+1)
  expm1: {
    inputs: { self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result.add(1)) } },
  },
  // d ln x = g/x
  log: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self) } } },
  // d log₂ x = g/(x·ln 2)
  log2: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.mul(LN2)) } } },
  // d log₁₀ x = g/(x·ln 10)
  log10: {
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.mul(LN10)) } },
  },
  // d ln(1+x) = g/(1+x)
  log1p: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.add(1)) } } },
  // d √x = g/(2y)
  sqrt: {
    inputs: { self: { uses: ["result"], grad: ({ grad, result }) => grad.div(result.mul(2)) } },
  },
  // d x^(-1/2) = -g·y³/2
  rsqrt: {
    inputs: {
      self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result.pow(3)).mul(-0.5) },
    },
  },
  // d x² = 2g·x
  square: {
    name: "PowBackward0",
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.mul(2)) } },
  },
  // d(1/x) = -g·y²
  reciprocal: {
    inputs: {
      self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result.square().neg()) },
    },
  },
  // d sin x = g·cos x
  sin: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.cos()) } } },
  // d cos x = -g·sin x
  cos: {
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.sin().neg()) } },
  },
  // d tan x = g·(1+y²)
  tan: {
    inputs: {
      self: { uses: ["result"], grad: ({ grad, result }) => grad.mul(result.square().add(1)) },
    },
  },
  // d asin x = g/√(1-x²)
  asin: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => grad.mul(self.square().neg().add(1).rsqrt()),
      },
    },
  },
  // d acos x = -g/√(1-x²)
  acos: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => grad.mul(self.square().neg().add(1).rsqrt()).neg(),
      },
    },
  },
  // d atan x = g/(1+x²)
  atan: {
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.square().add(1)) } },
  },
  // d sinh x = g·cosh x
  sinh: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.cosh()) } } },
  // d cosh x = g·sinh x
  cosh: { inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.sinh()) } } },
  // d tanh x = g·(1-y²)
  tanh: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, result }) => grad.mul(result.square().neg().add(1)),
      },
    },
  },
  // d asinh x = g/√(x²+1)
  asinh: {
    inputs: {
      self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.square().add(1).rsqrt()) },
    },
  },
  // d acosh x = g/√(x²-1)
  acosh: {
    inputs: {
      self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.square().sub(1).rsqrt()) },
    },
  },
  // d atanh x = g/(1-x²)
  atanh: {
    inputs: {
      self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.square().neg().add(1)) },
    },
  },
  // d σ(x) = g·y·(1-y)
  sigmoid: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, result }) => grad.mul(result.mul(result.neg().add(1))),
      },
    },
  },
  // d erf x = g·2/√π·e^(-x²)
  erf: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) =>
          grad.mul(
            self
              .square()
              .neg()
              .exp()
              .mul(2 / SQRT_PI),
          ),
      },
    },
  },
  // d erfc x = -g·2/√π·e^(-x²)
  erfc: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) =>
          grad.mul(
            self
              .square()
              .neg()
              .exp()
              .mul(-2 / SQRT_PI),
          ),
      },
    },
  },
  // d erf⁻¹ x = g·√π/2·e^(y²)
  erfinv: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, result }) =>
          grad.mul(
            result
              .square()
              .exp()
              .mul(SQRT_PI / 2),
          ),
      },
    },
  },
  ceil: { inputs: { self: zeroGrad } },
  floor: { inputs: { self: zeroGrad } },
  round: { inputs: { self: zeroGrad } },
  trunc: { inputs: { self: zeroGrad } },
  // d(x - trunc x) = g
  frac: { inputs: { self: { uses: [], grad: identity } } },
  // d clamp(x, lo, hi) = g·[lo ≤ x ≤ hi]
  clamp: {
    name: "ClampBackward1",
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, min, max }) => {
          let m: Tensor | null = null;
          if (!Number.isNaN(min)) m = self.ge(min);
          if (!Number.isNaN(max)) m = m ? m.logicalAnd(self.le(max)) : self.le(max);
          return m ? maskGrad(grad, m) : grad;
        },
      },
    },
  },
  roundDecimals: { name: "RoundBackward1", inputs: { self: zeroGrad } },
};
