/**
 * Derivatives of reductions, scans and softmax. `ĝ` is the upstream gradient with the reduced
 * dims re-inserted (size 1), `ŷ` likewise for the result, `N` the number of reduced elements.
 */

import { eye, ones, zeros } from "../ops/creation.js";
import { cat } from "../ops/join.js";
import { logSoftmaxBackwardData, softmaxBackwardData } from "../ops/softmaxBackward.js";
import type { Tensor } from "../tensor.js";
import { dimsOrAll, maskGrad, unsqueezeDims, where, zerosLike } from "./helpers.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];
type Dims = readonly number[] | null;

export interface ReduceOps {
  sum: { self: Tensor; dim: Dims; keepdim: boolean; inputShape: Shape };
  nansum: { self: Tensor; dim: Dims; keepdim: boolean; inputShape: Shape };
  mean: { self: Tensor; dim: Dims; keepdim: boolean; inputShape: Shape };
  prod: { self: Tensor; dim: number | null; keepdim: boolean };
  amax: { self: Tensor; dim: Dims; keepdim: boolean };
  amin: { self: Tensor; dim: Dims; keepdim: boolean };
  maxAll: { self: Tensor };
  minAll: { self: Tensor };
  maxDim: { self: Tensor; dim: number; keepdim: boolean; inputShape: Shape };
  minDim: { self: Tensor; dim: number; keepdim: boolean; inputShape: Shape };
  variance: { self: Tensor; dim: Dims; correction: number; keepdim: boolean };
  std: { self: Tensor; dim: Dims; correction: number; keepdim: boolean };
  norm: { self: Tensor; p: number; dim: Dims; keepdim: boolean };
  logsumexp: { self: Tensor; dim: Dims; keepdim: boolean };
  cumsum: { self: Tensor; dim: number };
  cumprod: { self: Tensor; dim: number };
  softmax: { self: Tensor; dim: number };
  logSoftmax: { self: Tensor; dim: number };
  softmaxBackwardData: { gradOutput: Tensor; output: Tensor; dim: number };
  logSoftmaxBackwardData: { gradOutput: Tensor; output: Tensor; dim: number };
  sort: { self: Tensor; dim: number; descending: boolean; inputShape: Shape };
  topk: { self: Tensor; k: number; dim: number; largest: boolean; inputShape: Shape };
}

function count(shape: Shape, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

/** `ĝ` broadcast to the input's shape. */
function spread(grad: Tensor, dim: Dims, keepdim: boolean, inputShape: Shape): Tensor {
  return unsqueezeDims(grad, dimsOrAll(dim, inputShape.length), inputShape.length, keepdim).expand(
    inputShape,
  );
}

/** The gradient of selecting `indices` along `dim`: `ĝ` scattered into zeros. */
function selectBack(
  grad: Tensor,
  indices: Tensor,
  dim: number,
  inputShape: Shape,
  keepdim: boolean,
): Tensor {
  const g = keepdim || inputShape.length === 0 ? grad : grad.unsqueeze(dim);
  const i = keepdim || inputShape.length === 0 ? indices : indices.unsqueeze(dim);
  if (inputShape.length === 0) return g.reshape([]);
  return zeros(inputShape, { dtype: grad.dtype }).scatter(dim, i, g);
}

/** `g` shared evenly among the elements equal to the (re-expanded) result. */
function evenly(grad: Tensor, self: Tensor, result: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = dimsOrAll(dim, self.ndim);
  const y = unsqueezeDims(result, dims, self.ndim, keepdim);
  const g = unsqueezeDims(grad, dims, self.ndim, keepdim);
  const mask = self.eq(y);
  return maskGrad(g.div(mask.sum(dims, { keepdim: true })), mask);
}

/** ∏ of the other elements along `dim`, exact with zeros (exclusive cumulative products). */
function prodOthers(x: Tensor, dim: number): Tensor {
  const n = x.shape[dim]!;
  if (n === 1) return ones(x.shape, { dtype: x.dtype });
  const oneShape = x.shape.map((s, i) => (i === dim ? 1 : s));
  const one = ones(oneShape, { dtype: x.dtype });
  const before = cat([one, x.narrow(dim, 0, n - 1)], dim).cumprod(dim);
  const after = cat([one, x.narrow(dim, 1, n - 1).flip([dim])], dim)
    .cumprod(dim)
    .flip([dim]);
  return before.mul(after);
}

export const reduceRules: RuleTable<ReduceOps> = {
  // d Σx = ĝ
  sum: {
    name: ({ dim }) => (dim === null ? "SumBackward0" : "SumBackward1"),
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, dim, keepdim, inputShape }) => spread(grad, dim, keepdim, inputShape),
      },
    },
  },
  // d Σ(x, NaN as 0) = ĝ where x is not NaN
  nansum: {
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, dim, keepdim, inputShape }) =>
          maskGrad(spread(grad, dim, keepdim, inputShape), self.isnan().logicalNot()),
      },
    },
  },
  // d mean x = ĝ/N
  mean: {
    name: ({ dim }) => (dim === null ? "MeanBackward0" : "MeanBackward1"),
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, dim, keepdim, inputShape }) =>
          spread(grad, dim, keepdim, inputShape).div(
            count(inputShape, dimsOrAll(dim, inputShape.length)),
          ),
      },
    },
  },
  // d ∏x = ĝ·∏(others)
  prod: {
    name: ({ dim }) => (dim === null ? "ProdBackward0" : "ProdBackward1"),
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, dim, keepdim }) => {
          if (dim === null) {
            const flat = self.reshape([-1]);
            return grad.mul(prodOthers(flat, 0).reshape(self.shape));
          }
          const d = dim < 0 ? dim + self.ndim : dim;
          return unsqueezeDims(grad, [d], self.ndim, keepdim).mul(prodOthers(self, d));
        },
      },
    },
  },
  // d max = ĝ shared among the maxima
  amax: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, dim, keepdim }) => evenly(grad, self, result, dim, keepdim),
      },
    },
  },
  // d min = ĝ shared among the minima
  amin: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, dim, keepdim }) => evenly(grad, self, result, dim, keepdim),
      },
    },
  },
  // d max(x) = g shared among the maxima
  maxAll: {
    name: "MaxBackward1",
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result }) => evenly(grad, self, result, null, false),
      },
    },
  },
  // d min(x) = g shared among the minima
  minAll: {
    name: "MinBackward1",
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result }) => evenly(grad, self, result, null, false),
      },
    },
  },
  // d max(x, dim) = ĝ at the arg-max
  maxDim: {
    name: "MaxBackward0",
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, dim, keepdim, inputShape }) =>
          selectBack(grad, results[1]!, dim, inputShape, keepdim),
      },
    },
  },
  // d min(x, dim) = ĝ at the arg-min
  minDim: {
    name: "MinBackward0",
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, dim, keepdim, inputShape }) =>
          selectBack(grad, results[1]!, dim, inputShape, keepdim),
      },
    },
  },
  // d var = ĝ·2(x - x̄)/(N - c)
  variance: {
    name: "VarBackward0",
    inputs: {
      self: {
        uses: ["self"],
        grad: ({ grad, self, dim, correction, keepdim }) => {
          const dims = dimsOrAll(dim, self.ndim);
          const n = count(self.shape, dims);
          const centered = self.sub(self.mean(dims, { keepdim: true }));
          return unsqueezeDims(grad, dims, self.ndim, keepdim)
            .mul(centered)
            .mul(2 / Math.max(n - correction, 0));
        },
      },
    },
  },
  // d std = ĝ·(x - x̄)/((N - c)·ŷ) (0 where ŷ = 0)
  std: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, dim, correction, keepdim }) => {
          const dims = dimsOrAll(dim, self.ndim);
          const n = count(self.shape, dims);
          const y = unsqueezeDims(result, dims, self.ndim, keepdim);
          const g = unsqueezeDims(grad, dims, self.ndim, keepdim);
          const scale = maskGrad(g.div(y), y.ne(0)).div(Math.max(n - correction, 0));
          return scale.mul(self.sub(self.mean(dims, { keepdim: true })));
        },
      },
    },
  },
  // d ‖x‖ₚ = ĝ·x·|x|^(p-2)/ŷ^(p-1) (special cases p = 0, 1, 2, ∞)
  norm: {
    name: "NormBackward1",
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, p, dim, keepdim }) => {
          const dims = dimsOrAll(dim, self.ndim);
          const g = unsqueezeDims(grad, dims, self.ndim, keepdim);
          const y = unsqueezeDims(result, dims, self.ndim, keepdim);
          if (p === 0) return zerosLike(self);
          if (p === 1) return self.sign().mul(g);
          if (p === 2) return maskGrad(self.mul(g.div(y)), y.ne(0));
          if (!Number.isFinite(p)) {
            const mask = self.abs().eq(y);
            return self.sign().mul(maskGrad(g.div(mask.sum(dims, { keepdim: true })), mask));
          }
          const scaled =
            p < 1
              ? maskGrad(self.sign().mul(self.abs().pow(p - 1)), self.ne(0))
              : self.mul(self.abs().pow(p - 2));
          return scaled.mul(maskGrad(g.div(y.pow(p - 1)), y.ne(0)));
        },
      },
    },
  },
  // d log Σeˣ = ĝ·e^(x - ŷ)
  logsumexp: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, dim, keepdim }) => {
          const dims = dimsOrAll(dim, self.ndim);
          const y = unsqueezeDims(result, dims, self.ndim, keepdim);
          return unsqueezeDims(grad, dims, self.ndim, keepdim).mul(self.sub(y).exp());
        },
      },
    },
  },
  // d cumsum = reversed cumsum of g
  cumsum: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, dim }) =>
          grad.ndim === 0 ? grad : grad.flip([dim]).cumsum(dim).flip([dim]),
      },
    },
  },
  // d cumprod_i = Σ_{j≥i} g_j·y_j/x_i (inputs without zeros; zeros give NaN/inf as y/x)
  cumprod: {
    inputs: {
      self: {
        uses: ["self", "result"],
        grad: ({ grad, self, result, dim }) => {
          if (grad.ndim === 0) return grad;
          const rev = grad.mul(result).flip([dim]).cumsum(dim).flip([dim]);
          const zero = self.eq(0);
          if (zero.any().item() === 0) return rev.div(self);
          // The safe denominator keeps the unselected branch finite (no NaN in double backward).
          return where(zero, prodOthersCumprod(grad, self, dim), rev.div(where(zero, 1, self)));
        },
      },
    },
  },
  // d softmax = y·(g - Σ g·y), one fused op (_softmax_backward_data)
  softmax: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, result, dim }) => softmaxBackwardData(grad, result, dim),
      },
    },
  },
  // d log_softmax = g - eʸ·Σg, one fused op (_log_softmax_backward_data)
  logSoftmax: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, result, dim }) => logSoftmaxBackwardData(grad, result, dim),
      },
    },
  },
  // f(g, y) = y·(g - Σ g·y) with upstream G: linear in g (the same op on G); in y,
  // G·g - (Σ y·g)·G - g·(Σ y·G) (PyTorch's softmax_double_backward)
  softmaxBackwardData: {
    name: "SoftmaxBackwardDataBackward0",
    inputs: {
      gradOutput: {
        uses: ["output"],
        grad: ({ grad, output, dim }) => softmaxBackwardData(grad, output, dim),
      },
      output: {
        uses: ["gradOutput", "output"],
        grad: ({ grad, gradOutput, output, dim }) =>
          gradOutput
            .mul(grad)
            .sub(output.mul(gradOutput).sum([dim], { keepdim: true }).mul(grad))
            .sub(gradOutput.mul(output.mul(grad).sum([dim], { keepdim: true }))),
      },
    },
  },
  // f(g, y) = g - eʸ·Σg with upstream G: in g, G - Σ G·eʸ; in y, -(Σg)·eʸ·G
  logSoftmaxBackwardData: {
    name: "LogSoftmaxBackwardDataBackward0",
    inputs: {
      gradOutput: {
        uses: ["output"],
        grad: ({ grad, output, dim }) =>
          grad.sub(grad.mul(output.exp()).sum([dim], { keepdim: true })),
      },
      output: {
        uses: ["gradOutput", "output"],
        grad: ({ grad, gradOutput, output, dim }) =>
          gradOutput.sum([dim], { keepdim: true }).neg().mul(output.exp()).mul(grad),
      },
    },
  },
  // d sort = g scattered back to where each value came from
  sort: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, dim, inputShape }) =>
          selectBack(grad, results[1]!, dim, inputShape, true),
      },
    },
  },
  // d topk = g scattered back to the selected positions
  topk: {
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, dim, inputShape }) =>
          selectBack(grad, results[1]!, dim, inputShape, true),
      },
    },
  },
};

/**
 * Exact gradient of `cumprod` at zeros, by brute force over the lane: Σ_{j≥i} g_j·∏_{k≤j, k≠i} x_k.
 * Only evaluated where `x` has zeros (the `where` above selects it).
 */
function prodOthersCumprod(grad: Tensor, self: Tensor, dim: number): Tensor {
  const n = self.shape[dim]!;
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    // x with x_i replaced by 1, then cumprod: ∏_{k≤j, k≠i} x_k for j ≥ i
    const shape = self.shape.map((_, k) => (k === dim ? n : 1));
    const m = eye(n, { dtype: self.dtype }).select(0, i).reshape(shape);
    const replaced = self.mul(m.neg().add(1)).add(m);
    const cp = replaced.cumprod(dim);
    const tail = grad
      .mul(cp)
      .narrow(dim, i, n - i)
      .sum([dim], { keepdim: true });
    parts.push(tail);
  }
  return cat(parts, dim);
}
