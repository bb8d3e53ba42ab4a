/**
 * Derivatives of convolution, pooling and resampling. Each backward is itself an op of this
 * table, so second derivatives work: for the bilinear convolution C(x, w), the input gradient
 * Cₓᵀ(g, w) and the weight gradient C_wᵀ(x, g) are differentiated back into C, Cₓᵀ and C_wᵀ.
 */
import type {
  AvgPoolOptions,
  ConvOptions,
  ConvTransposeOptions,
  IntArg,
  InterpolateOptions,
  MaxPoolOptions,
} from "@x/storage";
import * as C from "../ops/conv.js";
import type { Tensor } from "../tensor.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];
type Nd = 1 | 2;

export interface ConvOps {
  conv: {
    input: Tensor;
    weight: Tensor;
    bias: Tensor | null;
    opts: ConvOptions;
    nd: Nd;
    inputShape: Shape;
    weightShape: Shape;
  };
  convBackwardInput: {
    gradOutput: Tensor;
    weight: Tensor;
    inputShape: Shape;
    weightShape: Shape;
    opts: ConvOptions;
  };
  convBackwardWeight: {
    input: Tensor;
    gradOutput: Tensor;
    inputShape: Shape;
    weightShape: Shape;
    opts: ConvOptions;
  };
  convTranspose2d: {
    input: Tensor;
    weight: Tensor;
    bias: Tensor | null;
    opts: ConvTransposeOptions;
    weightShape: Shape;
  };
  maxPool: { self: Tensor; kernelSize: IntArg; opts: MaxPoolOptions; nd: Nd; inputShape: Shape };
  maxPoolBackward: { gradOutput: Tensor; indices: Tensor; inputShape: Shape; nd: Nd };
  avgPool2d: { self: Tensor; kernelSize: IntArg; opts: AvgPoolOptions; inputShape: Shape };
  avgPool2dBackward: {
    gradOutput: Tensor;
    inputShape: Shape;
    kernelSize: IntArg;
    opts: AvgPoolOptions;
  };
  adaptiveAvgPool2d: {
    self: Tensor;
    outputSize: number | readonly (number | null)[];
    inputShape: Shape;
  };
  adaptiveAvgPool2dBackward: {
    gradOutput: Tensor;
    inputShape: Shape;
    outputSize: number | readonly (number | null)[];
  };
  interpolate: { self: Tensor; opts: InterpolateOptions; inputShape: Shape };
  interpolateBackward: { gradOutput: Tensor; inputShape: Shape; opts: InterpolateOptions };
}

/** Dims a bias gradient sums over: all but the channel dim. */
function biasDims(ndim: number, nd: Nd): number[] {
  const batched = ndim === nd + 2;
  const all = Array.from({ length: ndim }, (_, i) => i);
  return all.filter((d) => d !== (batched ? 1 : 0));
}

function convOptsOf(o: ConvTransposeOptions): ConvOptions {
  return {
    stride: o.stride ?? 1,
    padding: o.padding ?? 0,
    dilation: o.dilation ?? 1,
    groups: o.groups ?? 1,
  };
}

export const convRules: RuleTable<ConvOps> = {
  // C(x, w) + b: dx = Cₓᵀ(g, w), dw = C_wᵀ(x, g), db = Σ g over all but channels
  conv: {
    name: "ConvolutionBackward0",
    inputs: {
      input: {
        uses: ["weight"],
        grad: ({ grad, weight, inputShape, weightShape, opts }) =>
          C.convBackwardInput(grad, weight, inputShape, weightShape, opts),
      },
      weight: {
        uses: ["input"],
        grad: ({ grad, input, inputShape, weightShape, opts }) =>
          C.convBackwardWeight(input, grad, inputShape, weightShape, opts),
      },
      bias: { uses: [], grad: ({ grad, nd }) => grad.sum(biasDims(grad.ndim, nd)) },
    },
  },
  // Cₓᵀ(g, w) is bilinear: d/dg = C(h, w), d/dw = C_wᵀ(h, g)
  convBackwardInput: {
    name: "ConvolutionBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: ["weight"],
        grad: ({ grad, weight, opts }) => C.convRaw(grad, weight, opts),
      },
      weight: {
        uses: ["gradOutput"],
        grad: ({ grad, gradOutput, inputShape, weightShape, opts }) =>
          C.convBackwardWeight(grad, gradOutput, inputShape, weightShape, opts),
      },
    },
  },
  // C_wᵀ(x, g) is bilinear: d/dx = Cₓᵀ(g, k), d/dg = C(x, k)
  convBackwardWeight: {
    name: "ConvolutionBackwardBackward0",
    inputs: {
      input: {
        uses: ["gradOutput"],
        grad: ({ grad, gradOutput, inputShape, weightShape, opts }) =>
          C.convBackwardInput(gradOutput, grad, inputShape, weightShape, opts),
      },
      gradOutput: {
        uses: ["input"],
        grad: ({ grad, input, opts }) => C.convRaw(input, grad, opts),
      },
    },
  },
  // Cₓᵀ(x, w) + b: dx = C(g, w), dw = C_wᵀ(g, x), db = Σ g
  convTranspose2d: {
    name: "ConvolutionBackward0",
    inputs: {
      input: {
        uses: ["weight"],
        grad: ({ grad, weight, opts }) => C.convRaw(grad, weight, convOptsOf(opts)),
      },
      weight: {
        uses: ["input"],
        grad: ({ grad, input, weightShape, opts }) =>
          C.convBackwardWeight(grad, input, grad.shape, weightShape, convOptsOf(opts)),
      },
      bias: { uses: [], grad: ({ grad }) => grad.sum(biasDims(grad.ndim, 2)) },
    },
  },
  // g goes to where each maximum was
  maxPool: {
    name: ({ nd }) => `MaxPool${nd}DWithIndicesBackward0`,
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, inputShape, nd }) =>
          C.maxPoolBackward(grad, results[1]!, inputShape, nd),
      },
    },
  },
  // linear in g: its derivative gathers at the same indices
  maxPoolBackward: {
    name: ({ nd }) => `MaxPool${nd}DWithIndicesBackwardBackward0`,
    inputs: {
      gradOutput: {
        uses: ["indices"],
        grad: ({ grad, indices, nd }) => {
          const flat = grad.flatten(-nd);
          return flat.gather(-1, indices.flatten(-nd)).reshape(indices.shape);
        },
      },
      indices: "nondifferentiable",
    },
  },
  // each window's average spreads g evenly over the window
  avgPool2d: {
    name: "AvgPool2DBackward0",
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, inputShape, kernelSize, opts }) =>
          C.avgPool2dBackward(grad, inputShape, kernelSize, opts),
      },
    },
  },
  // linear in g: its derivative pools again
  avgPool2dBackward: {
    name: "AvgPool2DBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: [],
        grad: ({ grad, kernelSize, opts }) => C.avgPool2d(grad, kernelSize, opts),
      },
    },
  },
  adaptiveAvgPool2d: {
    name: "AdaptiveAvgPool2DBackward0",
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, inputShape, outputSize }) =>
          C.adaptiveAvgPool2dBackward(grad, inputShape, outputSize),
      },
    },
  },
  adaptiveAvgPool2dBackward: {
    name: "AdaptiveAvgPool2DBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: [],
        grad: ({ grad, outputSize }) => C.adaptiveAvgPool2d(grad, outputSize),
      },
    },
  },
  // the resampling weights, transposed
  interpolate: {
    name: ({ opts, inputShape }) => interpolateName(opts, inputShape.length),
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, inputShape, opts }) => C.interpolateBackward(grad, inputShape, opts),
      },
    },
  },
  interpolateBackward: {
    name: ({ opts, inputShape }) =>
      interpolateName(opts, inputShape.length).replace("Backward0", "BackwardBackward0"),
    inputs: { gradOutput: { uses: [], grad: ({ grad, opts }) => C.interpolate(grad, opts) } },
  },
};

function interpolateName(opts: InterpolateOptions, ndim: number): string {
  const mode = opts.mode ?? "nearest";
  const d = ndim - 2;
  if (mode === "bilinear") return "UpsampleBilinear2DBackward0";
  if (mode === "linear") return "UpsampleLinear1DBackward0";
  if (mode === "nearest-exact") return `UpsampleNearestExact${d}DBackward0`;
  return `UpsampleNearest${d}DBackward0`;
}
