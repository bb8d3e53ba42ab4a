/**
 * Derivatives of the view ops (`view`, `permute`, `expand`, `slice`, `select`…), of the ops
 * that return several views (`split`, `unbind`), and of copies (`clone`, `to`). A view's
 * gradient puts `g` back where the view came from; `viewScatter` does it for slicing views,
 * and is itself differentiable (its derivative is the view again).
 */

import type { DType } from "@x/storage";
import { cat, stack } from "../ops/join.js";
import { applyView, type ViewSpec, viewScatter } from "../ops/viewScatter.js";
import type { Tensor } from "../tensor.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface ShapeOps {
  view: { self: Tensor; size: Shape; inputShape: Shape; unsafe: boolean };
  permute: { self: Tensor; dims: Shape };
  transpose: { self: Tensor; dim0: number; dim1: number };
  t: { self: Tensor };
  squeeze: { self: Tensor; dim: number | Shape | null; inputShape: Shape };
  unsqueeze: { self: Tensor; dim: number };
  expand: { self: Tensor; size: Shape; inputShape: Shape };
  slice: { self: Tensor; dim: number; start: number; end: number; step: number; inputShape: Shape };
  select: { self: Tensor; dim: number; index: number; inputShape: Shape };
  diagonal: { self: Tensor; offset: number; dim1: number; dim2: number; inputShape: Shape };
  viewScatter: { gradOutput: Tensor; inputShape: Shape; view: ViewSpec };
  split: { self: Tensor; splitSizes: Shape; dim: number };
  unbind: { self: Tensor; dim: number };
  clone: { self: Tensor };
  toCopy: { self: Tensor; dtype: DType };
}

function inverse(dims: Shape): number[] {
  const n = dims.length;
  const inv = new Array<number>(n);
  dims.forEach((d, i) => {
    inv[d < 0 ? d + n : d] = i;
  });
  return inv;
}

function pascal(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

export const shapeRules: RuleTable<ShapeOps> = {
  // a reshape moves no value: g reshaped back
  view: {
    name: ({ unsafe }) => (unsafe ? "UnsafeViewBackward0" : "ViewBackward0"),
    inputs: { self: { uses: [], grad: ({ grad, inputShape }) => grad.reshape(inputShape) } },
  },
  // g permuted by the inverse permutation
  permute: {
    inputs: { self: { uses: [], grad: ({ grad, dims }) => grad.permute(inverse(dims)) } },
  },
  // g transposed back
  transpose: {
    inputs: { self: { uses: [], grad: ({ grad, dim0, dim1 }) => grad.transpose(dim0, dim1) } },
  },
  // gᵀ
  t: { name: "TBackward0", inputs: { self: { uses: [], grad: ({ grad }) => grad.t() } } },
  // g with the squeezed dims put back
  squeeze: {
    name: ({ dim }) =>
      dim === null
        ? "SqueezeBackward0"
        : typeof dim === "number"
          ? "SqueezeBackward1"
          : "SqueezeBackward2",
    inputs: { self: { uses: [], grad: ({ grad, inputShape }) => grad.reshape(inputShape) } },
  },
  // g with the new dim removed
  unsqueeze: { inputs: { self: { uses: [], grad: ({ grad, dim }) => grad.squeeze(dim) } } },
  // broadcast copies add up: g summed to the input's shape
  expand: {
    inputs: { self: { uses: [], grad: ({ grad, inputShape }) => grad.sumToSize(inputShape) } },
  },
  // g placed in the sliced region of zeros
  slice: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, dim, start, end, step, inputShape }) =>
          viewScatter(grad, inputShape, { kind: "slice", dim, start, end, step }),
      },
    },
  },
  // g placed in the selected row of zeros
  select: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, dim, index, inputShape }) =>
          viewScatter(grad, inputShape, { kind: "select", dim, index }),
      },
    },
  },
  // g placed on the diagonal of zeros
  diagonal: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, offset, dim1, dim2, inputShape }) =>
          viewScatter(grad, inputShape, { kind: "diagonal", offset, dim1, dim2 }),
      },
    },
  },
  // linear in g: its derivative takes the same view of the upstream gradient
  viewScatter: {
    name: ({ view }) => `${pascal(view.kind)}BackwardBackward0`,
    inputs: { gradOutput: { uses: [], grad: ({ grad, view }) => applyView(grad, view) } },
  },
  // the pieces' gradients concatenated
  split: {
    inputs: { self: { uses: [], grad: ({ grads, dim }) => cat(grads as Tensor[], dim) } },
  },
  // the slices' gradients stacked
  unbind: {
    inputs: { self: { uses: [], grad: ({ grads, dim }) => stack(grads as Tensor[], dim) } },
  },
  // d copy = g
  clone: { inputs: { self: { uses: [], grad: ({ grad }) => grad } } },
  // d cast = g (cast back to the input's dtype by the engine)
  toCopy: { inputs: { self: { uses: [], grad: ({ grad }) => grad } } },
};
