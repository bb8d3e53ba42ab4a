/**
 * Derivatives of the activation functions that have kernels of their own (`relu`, `gelu`,
 * `silu`, `elu`, `softplus`, …). `g` is the upstream gradient, `y` the forward result.
 */
import { thresholdBackward } from "../ops/activationBackward.js";
import { softplus } from "../ops/pointwise.js";
import type { Tensor } from "../tensor.js";
import { maskGrad, where } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type U = { self: Tensor };

export interface ActivationOps {
  logSigmoid: U;
  relu: U;
  thresholdBackward: { gradOutput: Tensor; self: Tensor; threshold: number };
  gelu: U;
  geluTanh: U;
  silu: U;
  mish: U;
  selu: U;
  softsign: U;
  hardsigmoid: U;
  hardswish: U;
  tanhshrink: U;
  hardtanh: { self: Tensor; minVal: number; maxVal: number };
  leakyRelu: { self: Tensor; negativeSlope: number };
  elu: { self: Tensor; alpha: number; scale: number; inputScale: number };
  softplus: { self: Tensor; beta: number; threshold: number };
  hardshrink: { self: Tensor; lambd: number };
  softshrink: { self: Tensor; lambd: number };
  threshold: { self: Tensor; threshold: number; value: number };
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export const activationRules: RuleTable<ActivationOps> = {
  // d log σ(x) = g·σ(-x)
  logSigmoid: {
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.neg().sigmoid()) } },
  },
  // d relu(x) = y <= 0 ? 0 : g (fused threshold_backward: a NaN input passes g through)
  relu: {
    inputs: {
      self: { uses: ["result"], grad: ({ grad, result }) => thresholdBackward(grad, result, 0) },
    },
  },
  // linear in grad_output: d/dgradOutput = the same mask applied to g; the mask is piecewise
  // constant in self, which gets no gradient
  thresholdBackward: {
    name: "ThresholdBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: ["self"],
        grad: ({ grad, self, threshold }) => thresholdBackward(grad, self, threshold),
      },
      self: "nondifferentiable",
    },
  },
  // d x·Φ(x) = g·(Φ(x) + x·φ(x))
  gelu: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => {
          const cdf = self.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
          const pdf = self
            .square()
            .mul(-0.5)
            .exp()
            .mul(1 / Math.sqrt(2 * Math.PI));
          return grad.mul(cdf.add(self.mul(pdf)));
        },
      },
    },
  },
  // d x/2·(1+tanh u), u = k(x+0.044715x³): g·(½(1+t) + ½x(1-t²)·k(1+3·0.044715x²))
  geluTanh: {
    name: "GeluBackward0",
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => {
          const k = Math.sqrt(2 / Math.PI);
          const x2 = self.square();
          const t = self.add(x2.mul(self).mul(0.044715)).mul(k).tanh();
          const du = x2
            .mul(3 * 0.044715)
            .add(1)
            .mul(k);
          const left = t.add(1).mul(0.5);
          const right = self.mul(0.5).mul(t.square().neg().add(1)).mul(du);
          return grad.mul(left.add(right));
        },
      },
    },
  },
  // d x·σ(x) = g·σ(x)·(1 + x·(1-σ(x)))
  silu: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => {
          const s = self.sigmoid();
          return grad.mul(s.mul(self.mul(s.neg().add(1)).add(1)));
        },
      },
    },
  },
  // d x·tanh(softplus x) = g·(t + x·σ(x)·(1-t²)), t = tanh(softplus x)
  mish: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => {
          const t = softplus(self).tanh();
          return grad.mul(t.add(self.mul(self.sigmoid()).mul(t.square().neg().add(1))));
        },
      },
    },
  },
  // d selu x = g·λ·(x > 0 ? 1 : α·eˣ)
  selu: {
    name: "EluBackward0",
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) =>
          grad.mul(where(self.gt(0), SELU_SCALE, self.exp().mul(SELU_SCALE * SELU_ALPHA))),
      },
    },
  },
  // d x/(1+|x|) = g/(1+|x|)²
  softsign: {
    inputs: {
      self: { uses: ["self"], grad: ({ grad, self }) => grad.div(self.abs().add(1).square()) },
    },
  },
  // d relu6(x+3)/6 = g/6 on (-3, 3)
  hardsigmoid: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) => maskGrad(grad.div(6), self.gt(-3).logicalAnd(self.lt(3))),
      },
    },
  },
  // d x·relu6(x+3)/6 = g·(x < -3 ? 0 : x <= 3 ? x/3 + ½ : 1)
  hardswish: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self }) =>
          maskGrad(grad, self.ge(-3)).mul(where(self.le(3), self.div(3).add(0.5), 1)),
      },
    },
  },
  // d(x - tanh x) = g·tanh²x
  tanhshrink: {
    inputs: { self: { uses: ["self"], grad: ({ grad, self }) => grad.mul(self.tanh().square()) } },
  },
  // d hardtanh(x) = g·[lo < x < hi]
  hardtanh: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, minVal, maxVal }) =>
          maskGrad(grad, self.gt(minVal).logicalAnd(self.lt(maxVal))),
      },
    },
  },
  // d leaky_relu(x) = g·(x > 0 ? 1 : slope)
  leakyRelu: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, negativeSlope }) => grad.mul(where(self.gt(0), 1, negativeSlope)),
      },
    },
  },
  // d elu(x) = g·(x > 0 ? scale : scale·α·s·e^(s·x))
  elu: {
    name: ({ inputScale }) => (inputScale === 1 ? "EluBackward0" : "CeluBackward0"),
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, alpha, scale, inputScale }) =>
          grad.mul(
            where(
              self.gt(0),
              scale,
              self
                .mul(inputScale)
                .exp()
                .mul(scale * alpha * inputScale),
            ),
          ),
      },
    },
  },
  // d softplus(x) = g·σ(βx) below the threshold, g above
  softplus: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, beta, threshold }) => {
          const bx = self.mul(beta);
          return grad.mul(where(bx.gt(threshold), 1, bx.sigmoid()));
        },
      },
    },
  },
  // d hardshrink(x) = g·[|x| > λ]
  hardshrink: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, lambd }) => maskGrad(grad, self.abs().gt(lambd)),
      },
    },
  },
  // d softshrink(x) = g·[|x| > λ]
  softshrink: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, lambd }) => maskGrad(grad, self.abs().gt(lambd)),
      },
    },
  },
  // d threshold(x) = g·[x > t]
  threshold: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, threshold }) => maskGrad(grad, self.gt(threshold)),
      },
    },
  },
};
