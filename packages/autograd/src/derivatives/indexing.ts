/**
 * Derivatives of the index ops. Index tensors and masks are not differentiable; the gradient
 * of a gather-like op scatters `g` back (adding where an index repeats), and vice versa.
 */
import { zeros } from "../ops/creation.js";
import type { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { where } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface IndexingOps {
  indexSelect: { self: Tensor; dim: number; index: Tensor; inputShape: Shape };
  indexAdd: { self: Tensor; dim: number; index: Tensor; source: Tensor; alpha: number };
  gather: { self: Tensor; dim: number; index: Tensor; inputShape: Shape };
  scatter: { self: Tensor; dim: number; index: Tensor; src: Operand };
  scatterAdd: { self: Tensor; dim: number; index: Tensor; src: Tensor };
  maskedFill: { self: Tensor; mask: Tensor; value: Operand };
}

export const indexingRules: RuleTable<IndexingOps> = {
  // selected rows' gradients added back at their indices
  indexSelect: {
    inputs: {
      self: {
        uses: ["index"],
        grad: ({ grad, dim, index, inputShape }) =>
          zeros(inputShape, { dtype: grad.dtype }).indexAdd(dim, index, grad),
      },
      index: "nondifferentiable",
    },
  },
  // d(x + α·scatter(src)) = (g, α·g[index])
  indexAdd: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      index: "nondifferentiable",
      source: {
        uses: ["index"],
        grad: ({ grad, dim, index, alpha }) => {
          const g = grad.ndim === 0 ? grad : grad.indexSelect(dim, index);
          return alpha === 1 ? g : g.mul(alpha);
        },
      },
    },
  },
  // gathered gradients added back at their sources
  gather: {
    inputs: {
      self: {
        uses: ["index"],
        grad: ({ grad, dim, index, inputShape }) =>
          zeros(inputShape, { dtype: grad.dtype }).scatterAdd(dim, index, grad),
      },
      index: "nondifferentiable",
    },
  },
  // overwritten cells get no gradient; the written values get theirs
  scatter: {
    name: ({ src }) => (typeof src === "object" ? "ScatterBackward0" : "ScatterBackward1"),
    inputs: {
      self: { uses: ["index"], grad: ({ grad, dim, index }) => grad.scatter(dim, index, 0) },
      index: "nondifferentiable",
      src: { uses: ["index"], grad: ({ grad, dim, index }) => grad.gather(dim, index) },
    },
  },
  // d(x + scatter_add(src)) = (g, g[index])
  scatterAdd: {
    inputs: {
      self: { uses: [], grad: ({ grad }) => grad },
      index: "nondifferentiable",
      src: { uses: ["index"], grad: ({ grad, dim, index }) => grad.gather(dim, index) },
    },
  },
  // filled cells get no gradient; a tensor value gets the sum of theirs
  maskedFill: {
    name: ({ value }) =>
      typeof value === "object" ? "MaskedFillBackward1" : "MaskedFillBackward0",
    inputs: {
      self: { uses: ["mask"], grad: ({ grad, mask }) => where(mask, 0, grad) },
      mask: "nondifferentiable",
      value: { uses: ["mask"], grad: ({ grad, mask }) => where(mask, grad, 0).sum() },
    },
  },
};
