/**
 * Gradient samples of the pointwise ops (math, activations, binary): see `samples.ts`.
 */
import * as T from "../index.js";
import { thresholdBackward } from "../ops/activationBackward.js";
import type { ActivationOps } from "./activation.js";
import type { BinaryOps } from "./binary.js";
import type { PointwiseOps } from "./pointwise.js";
import {
  b,
  distinct,
  distinctShifted,
  F64,
  type GradSample,
  offGrid,
  rn,
  ru,
  u,
} from "./sampleInputs.js";

export const POINTWISE_SAMPLES: {
  readonly [K in keyof (PointwiseOps & ActivationOps & BinaryOps)]: readonly GradSample[];
} = {
  neg: [u((x) => x.neg())],
  abs: [
    u(
      (x) => x.abs(),
      () => distinct(2, 3),
    ),
  ],
  sign: [u((x) => x.sign())],
  exp: [u((x) => x.exp())],
  exp2: [u((x) => x.exp2())],
  expm1: [u((x) => x.expm1())],
  log: [
    u(
      (x) => x.log(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  log2: [
    u(
      (x) => x.log2(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  log10: [
    u(
      (x) => x.log10(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  log1p: [
    u(
      (x) => x.log1p(),
      () => ru(0, 2, 2, 3),
    ),
  ],
  sqrt: [
    u(
      (x) => x.sqrt(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  rsqrt: [
    u(
      (x) => x.rsqrt(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  square: [u((x) => x.square())],
  reciprocal: [
    u(
      (x) => x.reciprocal(),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  sin: [u((x) => x.sin())],
  cos: [u((x) => x.cos())],
  tan: [
    u(
      (x) => x.tan(),
      () => ru(-1, 1, 2, 3),
    ),
  ],
  asin: [
    u(
      (x) => x.asin(),
      () => ru(-0.8, 0.8, 2, 3),
    ),
  ],
  acos: [
    u(
      (x) => x.acos(),
      () => ru(-0.8, 0.8, 2, 3),
    ),
  ],
  atan: [u((x) => x.atan())],
  sinh: [u((x) => x.sinh())],
  cosh: [u((x) => x.cosh())],
  tanh: [u((x) => x.tanh())],
  asinh: [u((x) => x.asinh())],
  acosh: [
    u(
      (x) => x.acosh(),
      () => ru(1.5, 3, 2, 3),
    ),
  ],
  atanh: [
    u(
      (x) => x.atanh(),
      () => ru(-0.8, 0.8, 2, 3),
    ),
  ],
  sigmoid: [u((x) => x.sigmoid())],
  logSigmoid: [u((x) => T.logSigmoid(x))],
  relu: [
    u(
      (x) => x.relu(),
      () => distinct(2, 3),
    ),
  ],
  thresholdBackward: [
    // self fixed (non-differentiable), with NaN, ±0 and a value equal to the threshold
    u((g) =>
      thresholdBackward(
        g,
        T.tensor(
          [
            [-1, 0.5, Number.NaN],
            [0.1, -0, 0.3],
          ],
          { dtype: "float64" },
        ),
        0.1,
      ),
    ),
  ],
  erf: [u((x) => x.erf())],
  erfc: [u((x) => x.erfc())],
  erfinv: [
    u(
      (x) => x.erfinv(),
      () => ru(-0.8, 0.8, 2, 3),
    ),
  ],
  ceil: [
    u(
      (x) => x.ceil(),
      () => offGrid(2, 3),
    ),
  ],
  floor: [
    u(
      (x) => x.floor(),
      () => offGrid(2, 3),
    ),
  ],
  round: [
    u(
      (x) => x.round(),
      () => offGrid(2, 3),
    ),
  ],
  trunc: [
    u(
      (x) => x.trunc(),
      () => offGrid(2, 3),
    ),
  ],
  frac: [
    u(
      (x) => x.frac(),
      () => offGrid(2, 3),
    ),
  ],
  gelu: [u((x) => T.gelu(x))],
  geluTanh: [u((x) => T.gelu(x, { approximate: "tanh" }))],
  silu: [u((x) => T.silu(x))],
  mish: [u((x) => T.mish(x))],
  selu: [
    u(
      (x) => T.selu(x),
      () => distinct(2, 3),
    ),
  ],
  softsign: [
    u(
      (x) => T.softsign(x),
      () => distinct(2, 3),
    ),
  ],
  hardsigmoid: [
    u(
      (x) => T.hardsigmoid(x),
      () => ru(-2.5, 2.5, 2, 3),
    ),
  ],
  hardswish: [
    u(
      (x) => T.hardswish(x),
      () => ru(-2.5, 2.5, 2, 3),
    ),
  ],
  tanhshrink: [u((x) => T.tanhshrink(x))],
  clamp: [
    u(
      (x) => x.clamp(-0.5, 0.5),
      () => distinct(2, 3),
    ),
    u(
      (x) => x.clamp({ min: 0.1 }),
      () => distinct(2, 3),
    ),
  ],
  hardtanh: [
    u(
      (x) => T.hardtanh(x, { minVal: -0.5, maxVal: 0.5 }),
      () => distinct(2, 3),
    ),
  ],
  leakyRelu: [
    u(
      (x) => T.leakyRelu(x, 0.1),
      () => distinct(2, 3),
    ),
  ],
  elu: [
    u(
      (x) => T.elu(x, 1.5),
      () => distinct(2, 3),
    ),
    u(
      (x) => T.celu(x, 0.7),
      () => distinct(2, 3),
    ),
  ],
  softplus: [
    u(
      (x) => T.softplus(x, { beta: 2, threshold: 3 }),
      () => ru(-1, 1, 2, 3),
    ),
  ],
  hardshrink: [
    u(
      (x) => T.hardshrink(x, 0.3),
      () => distinct(2, 3),
    ),
  ],
  softshrink: [
    u(
      (x) => T.softshrink(x, 0.3),
      () => distinct(2, 3),
    ),
  ],
  threshold: [
    u(
      (x) => T.threshold(x, 0.1, -2),
      () => distinct(2, 3),
    ),
  ],
  roundDecimals: [
    u(
      (x) => x.round({ decimals: 1 }),
      () => offGrid(2, 3).div(10),
    ),
  ],

  add: [
    b(
      (x, y) => x.add(y, { alpha: 2 }),
      () => rn(2, 3),
      () => rn(3),
    ),
    u((x) => x.add(1.5)),
  ],
  sub: [
    b(
      (x, y) => x.sub(y, { alpha: 0.5 }),
      () => rn(2, 1),
      () => rn(3),
    ),
  ],
  rsub: [
    b(
      (x, y) => T.rsub(x, y),
      () => rn(2, 3),
      () => rn(3),
    ),
    u((x) => T.rsub(x, 2)),
  ],
  mul: [
    b(
      (x, y) => x.mul(y),
      () => rn(2, 3),
      () => rn(2, 1),
    ),
    u((x) => x.mul(-2)),
  ],
  div: [
    b(
      (x, y) => x.div(y),
      () => rn(2, 3),
      () => ru(0.5, 2, 3),
    ),
    u((x) => x.div(4)),
  ],
  divMode: [
    b(
      (x, y) => x.div(y, { roundingMode: "floor" }),
      () => offGrid(2, 3),
      () => T.ones(3, F64),
    ),
  ],
  powTensorScalar: [
    u(
      (x) => x.pow(2.5),
      () => ru(0.5, 2, 2, 3),
    ),
    u((x) => x.pow(3)),
  ],
  powTensorTensor: [
    b(
      (x, y) => x.pow(y),
      () => ru(0.5, 2, 2, 3),
      () => rn(2, 3),
    ),
  ],
  powScalarTensor: [u((y) => T.pow(2, y))],
  atan2: [
    b(
      (x, y) => x.atan2(y),
      () => rn(2, 3),
      () => rn(2, 3),
    ),
  ],
  maximum: [
    b(
      (x, y) => x.maximum(y),
      () => distinct(2, 3),
      () => distinctShifted(2, 3),
    ),
  ],
  minimum: [
    b(
      (x, y) => x.minimum(y),
      () => distinct(2, 3),
      () => distinctShifted(2, 3),
    ),
  ],
  fmax: [
    b(
      (x, y) => x.fmax(y),
      () => distinct(2, 3),
      () => distinctShifted(2, 3),
    ),
  ],
  fmin: [
    b(
      (x, y) => x.fmin(y),
      () => distinct(2, 3),
      () => distinctShifted(2, 3),
    ),
  ],
  remainder: [
    b(
      (x, y) => x.remainder(y),
      () => offGrid(2, 3),
      () => ru(1.1, 1.9, 2, 3),
    ),
  ],
  fmod: [
    b(
      (x, y) => x.fmod(y),
      () => offGrid(2, 3),
      () => ru(1.1, 1.9, 2, 3),
    ),
  ],
  copysign: [
    b(
      (x, y) => x.copysign(y),
      () => distinct(2, 3),
      () => distinctShifted(2, 3),
    ),
  ],
  hypot: [
    b(
      (x, y) => x.hypot(y),
      () => rn(2, 3),
      () => ru(0.5, 1, 2, 3),
    ),
  ],
  logaddexp: [
    b(
      (x, y) => x.logaddexp(y),
      () => rn(2, 3),
      () => rn(2, 3),
    ),
  ],
  xlogy: [
    b(
      (x, y) => x.xlogy(y),
      () => rn(2, 3),
      () => ru(0.5, 2, 2, 3),
    ),
  ],
  where: [
    b(
      (x, y) => T.where(T.tensor([true, false, true]), x, y),
      () => rn(2, 3),
      () => rn(3),
    ),
  ],
  lerp: [
    { fn: (x, y, w) => x!.lerp(y!, w!), inputs: () => [rn(3), rn(3), rn(3)] },
    b(
      (x, y) => x.lerp(y, 0.3),
      () => rn(3),
      () => rn(3),
    ),
  ],
  addcmul: [
    { fn: (x, y, z) => x!.addcmul(y!, z!, { value: 0.5 }), inputs: () => [rn(3), rn(3), rn(3)] },
  ],
  addcdiv: [
    {
      fn: (x, y, z) => x!.addcdiv(y!, z!, { value: 0.5 }),
      inputs: () => [rn(3), rn(3), ru(0.5, 2, 3)],
    },
  ],
};
