/**
 * Derivatives of convolution, pooling and resampling. Each backward is itself an op of this
 * table, so second derivatives work: for the bilinear convolution C(x, w), the input gradient
 * Cₓᵀ(g, w) and the weight gradient C_wᵀ(x, g) are differentiated back into C, Cₓᵀ and C_wᵀ.
 * Node names are PyTorch 1.13's.
 */
import type {
  AvgPoolOptions,
  ConvOptions,
  ConvTransposeOptions,
  IntArg,
  InterpolateOptions,
} from "@x/storage";
import * as C from "../ops/conv.js";
import * as P from "../ops/pool.js";
import * as R from "../ops/resample.js";
import type { Tensor } from "../tensor.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface ConvOps {
  conv: {
    input: Tensor;
    weight: Tensor;
    bias: Tensor | null;
    opts: ConvOptions;
    /** The input gradient of a transposed convolution (named as a convolution's backward). */
    inBackward: boolean;
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
  convTranspose: {
    input: Tensor;
    weight: Tensor;
    bias: Tensor | null;
    opts: ConvTransposeOptions;
    weightShape: Shape;
  };
  convBackwardBias: { gradOutput: Tensor; outputShape: Shape };
  /** 2-d max pooling (1-d runs as 2-d of unit height); the rule needs only the indices. */
  maxPool: { self: Tensor; inputShape: Shape };
  maxPoolBackward: { gradOutput: Tensor; indices: Tensor; inputShape: Shape };
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
    name: ({ inBackward }) =>
      inBackward ? "ConvolutionBackwardBackward0" : "ConvolutionBackward0",
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
      bias: { uses: [], grad: ({ grad }) => C.convBackwardBias(grad) },
    },
  },
  // Σ g over all but channels is linear: its derivative broadcasts back over those dims
  convBackwardBias: {
    name: "ConvolutionBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: [],
        grad: ({ grad, outputShape }) =>
          grad.view(outputShape.map((s, d) => (d === 1 ? s : 1))).expand(outputShape),
      },
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
  convTranspose: {
    name: "ConvolutionBackward0",
    inputs: {
      input: {
        uses: ["weight"],
        grad: ({ grad, weight, opts }) => C.convRaw(grad, weight, convOptsOf(opts), true),
      },
      weight: {
        uses: ["input"],
        grad: ({ grad, input, weightShape, opts }) =>
          C.convBackwardWeight(grad, input, grad.shape, weightShape, convOptsOf(opts)),
      },
      bias: { uses: [], grad: ({ grad }) => C.convBackwardBias(grad) },
    },
  },
  // g goes to where each maximum was
  maxPool: {
    name: "MaxPool2DWithIndicesBackward0",
    inputs: {
      self: {
        uses: ["result"],
        grad: ({ grad, results, inputShape }) => P.maxPoolBackward(grad, results[1]!, inputShape),
      },
    },
  },
  // linear in g: its derivative gathers at the same indices
  maxPoolBackward: {
    name: "MaxPool2DWithIndicesBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: ["indices"],
        grad: ({ grad, indices }) =>
          grad.flatten(-2).gather(-1, indices.flatten(-2)).reshape(indices.shape),
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
          P.avgPool2dBackward(grad, inputShape, kernelSize, opts),
      },
    },
  },
  // linear in g: its derivative pools again
  avgPool2dBackward: {
    name: "AvgPool2DBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: [],
        grad: ({ grad, kernelSize, opts }) => P.avgPool2d(grad, kernelSize, opts),
      },
    },
  },
  adaptiveAvgPool2d: {
    name: "AdaptiveAvgPool2DBackward0",
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, inputShape, outputSize }) =>
          P.adaptiveAvgPool2dBackward(grad, inputShape, outputSize),
      },
    },
  },
  adaptiveAvgPool2dBackward: {
    name: "AdaptiveAvgPool2DBackwardBackward0",
    inputs: {
      gradOutput: {
        uses: [],
        grad: ({ grad, outputSize }) => P.adaptiveAvgPool2d(grad, outputSize),
      },
    },
  },
  // the resampling weights, transposed
  interpolate: {
    name: ({ opts, inputShape }) => interpolateName(opts, inputShape.length),
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, inputShape, opts }) => R.interpolateBackward(grad, inputShape, opts),
      },
    },
  },
  interpolateBackward: {
    name: ({ opts, inputShape }) =>
      interpolateName(opts, inputShape.length).replace("Backward1", "BackwardBackward1"),
    inputs: { gradOutput: { uses: [], grad: ({ grad, opts }) => R.interpolate(grad, opts) } },
  },
};

// F.interpolate calls the `.vec` overloads (optional size, list of scales): `…Backward1`.
function interpolateName(opts: InterpolateOptions, ndim: number): string {
  const mode = opts.mode ?? "nearest";
  const d = ndim - 2;
  if (mode === "bilinear") return "UpsampleBilinear2DBackward1";
  if (mode === "linear") return "UpsampleLinear1DBackward1";
  if (mode === "nearest-exact") return `UpsampleNearestExact${d}DBackward1`;
  return `UpsampleNearest${d}DBackward1`;
}
