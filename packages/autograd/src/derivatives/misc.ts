/**
 * Derivatives of the ops that overwrite values (`fill_`, `copy_`) and of `as_strided` views
 * (the history of a view whose base was modified in place).
 */
import { embedGrad } from "../ops/copySlices.js";
import type { Tensor } from "../tensor.js";
import { zerosLike } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface MiscOps {
  /** `fill_`, `zero_` and the random fills (`kind` gives PyTorch's node name). */
  fill: { self: Tensor; value: number; kind: "fill" | "zero" | "uniform" | "normal" | "bernoulli" };
  copy: { self: Tensor; src: Tensor | number };
  asStrided: {
    self: Tensor;
    size: Shape;
    stride: Shape;
    storageOffset: number;
    inputShape: Shape;
    inputStrides: Shape;
    inputOffset: number;
  };
}

const FILL_NAMES = {
  fill: "FillBackward2",
  zero: "ZeroBackward0",
  uniform: "UniformBackward0",
  normal: "NormalBackward0",
  bernoulli: "BernoulliBackward1",
} as const;

export const miscRules: RuleTable<MiscOps> = {
  // overwritten values do not depend on the old ones: 0
  fill: {
    name: ({ kind }) => FILL_NAMES[kind],
    inputs: { self: { uses: [], grad: ({ grad }) => zerosLike(grad) } },
  },
  // d copy_(dst, src) = (0, g)
  copy: {
    name: "CopyBackwards",
    inputs: {
      self: { uses: [], grad: ({ grad }) => zerosLike(grad) },
      src: { uses: [], grad: ({ grad }) => grad },
    },
  },
  // g placed back at the viewed elements of the input's layout
  asStrided: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, size, stride, storageOffset, inputShape, inputStrides, inputOffset }) =>
          embedGrad(
            grad,
            { shape: size, strides: stride, offset: storageOffset },
            { shape: inputShape, strides: inputStrides, offset: inputOffset },
          ),
      },
    },
  },
};
