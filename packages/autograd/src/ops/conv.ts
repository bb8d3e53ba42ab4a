/**
 * Convolutions on tensors (`conv1d`, `conv2d`, `convTranspose1d`, `convTranspose2d`), with the
 * convolution's input and weight gradients as differentiable ops of their own (so second
 * derivatives work). An unbatched input runs as a batch of one, as PyTorch runs it: its graph
 * ends in a squeeze (`SqueezeBackward1`), a batched one in `ConvolutionBackward0`.
 */

import type { ConvOptions, ConvTransposeOptions, IntArg } from "@x/storage";
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

type Shape = readonly number[];

/** `f` of `input`, run on a batch of one when `input` has no batch dim (`nd + 1` dims). */
function batchify(input: Tensor, nd: 1 | 2, f: (batched: Tensor) => Tensor): Tensor {
  if (input.ndim !== nd + 1) return f(input);
  return f(input.unsqueeze(0)).squeeze(0);
}

function convNd(
  nd: 1 | 2,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  opts: ConvOptions,
  inBackward = false,
): Tensor {
  const f = nd === 1 ? S.conv1d : S.conv2d;
  return batchify(input, nd, (x) =>
    record1(
      "conv",
      { input: x, weight, bias, opts, inBackward, inputShape: x.shape, weightShape: weight.shape },
      f(x.data, weight.data, bias?.data ?? null, opts),
    ),
  );
}

/**
 * 2-d convolution (`F.conv2d`): `input` [N, C, H, W] (or [C, H, W]), `weight` [O, C/groups, kH, kW].
 * `padding` is a size, one per dim, `"valid"` or `"same"`.
 * @example conv2d(ones(1, 3, 8, 8), ones(4, 3, 3, 3), null, { padding: 1 }).shape // [1, 4, 8, 8]
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return convNd(2, input, weight, bias, opts);
}

/**
 * 1-d convolution (`F.conv1d`): `input` [N, C, L] (or [C, L]), `weight` [O, C/groups, k].
 * @example conv1d(ones(2, 3, 9), ones(4, 3, 3), null, { stride: 2 }).shape // [2, 4, 4]
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvOptions = {},
): Tensor {
  return convNd(1, input, weight, bias, opts);
}

/**
 * @internal The convolution of `input` by `weight` (1-d or 2-d by the weight's rank), no bias;
 * `inBackward`: it is the input gradient of a transposed convolution, which PyTorch's graph
 * names `ConvolutionBackwardBackward0`.
 */
export function convRaw(
  input: Tensor,
  weight: Tensor,
  opts: ConvOptions,
  inBackward = false,
): Tensor {
  return convNd(weight.ndim === 3 ? 1 : 2, input, weight, null, opts, inBackward);
}

/** The gradient of a convolution w.r.t. its input (differentiable). */
export function convBackwardInput(
  gradOutput: Tensor,
  weight: Tensor,
  inputShape: Shape,
  weightShape: Shape,
  opts: ConvOptions,
): Tensor {
  return record1(
    "convBackwardInput",
    { gradOutput, weight, inputShape, weightShape, opts },
    S.conv2dBackwardInput(gradOutput.data, weight.data, inputShape, opts),
  );
}

/** The gradient of a convolution w.r.t. its weight (differentiable). */
export function convBackwardWeight(
  input: Tensor,
  gradOutput: Tensor,
  inputShape: Shape,
  weightShape: Shape,
  opts: ConvOptions,
): Tensor {
  return record1(
    "convBackwardWeight",
    { input, gradOutput, inputShape, weightShape, opts },
    S.conv2dBackwardWeight(input.data, gradOutput.data, weightShape, opts),
  );
}

/**
 * The gradient of a convolution w.r.t. its bias (differentiable): the output gradient
 * [N, C, …] summed over all but the channel dim.
 */
export function convBackwardBias(gradOutput: Tensor): Tensor {
  const dims = gradOutput.shape.map((_, d) => d).filter((d) => d !== 1);
  return record1(
    "convBackwardBias",
    { gradOutput, outputShape: gradOutput.shape },
    S.sum(gradOutput.data, dims, false),
  );
}

/**
 * Transposed 2-d convolution (`F.conv_transpose2d`, the gradient of `conv2d` w.r.t. its input):
 * `input` [N, Cin, H, W] (or [Cin, H, W]), `weight` [Cin, Cout/groups, kH, kW].
 * @example convTranspose2d(ones(1, 2, 4, 4), ones(2, 3, 3, 3), null, { stride: 2 }).shape // [1, 3, 9, 9]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return batchify(input, 2, (x) =>
    record1(
      "convTranspose",
      { input: x, weight, bias, opts, weightShape: weight.shape },
      S.convTranspose2d(x.data, weight.data, bias?.data ?? null, opts),
    ),
  );
}

/**
 * Transposed 1-d convolution (`F.conv_transpose1d`): `input` [N, Cin, L] (or [Cin, L]),
 * `weight` [Cin, Cout/groups, k].
 * @example convTranspose1d(ones(1, 2, 4), ones(2, 3, 3), null, { stride: 2 }).shape // [1, 3, 9]
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  opts: ConvTransposeOptions = {},
): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new S.ShapeError(
      `Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ${S.shapeStr(input.shape)}`,
    );
  }
  return batchify(input, 1, (x) => {
    // The kernel runs it as a 2-d transposed convolution of unit height, as PyTorch's does.
    const opts2d = transpose1dAs2d(x.shape, weight.shape, bias, opts);
    const x4 = x.data.unsqueeze(2);
    const w4 = weight.data.unsqueeze(2);
    const out4 = S.convTranspose2d(x4, w4, bias?.data ?? null, opts2d);
    x4.dispose();
    w4.dispose();
    const out = out4.squeeze(2);
    out4.dispose();
    return record1(
      "convTranspose",
      { input: x, weight, bias, opts, weightShape: weight.shape },
      out,
    );
  });
}

/**
 * The options of a 1-d transposed convolution as 2-d ones of unit height, after PyTorch's
 * checks of the 1-d shapes (its messages name the 3-d sizes; the others come from the kernel).
 */
function transpose1dAs2d(
  x: Shape,
  w: Shape,
  bias: Tensor | null,
  opts: ConvTransposeOptions,
): ConvTransposeOptions {
  const k = w.length - 2;
  const one = (name: string, v: IntArg | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const list = typeof v === "number" ? [v] : v;
    if (list.length !== 1 && list.length !== k) {
      throw new S.ShapeError(
        `expected ${name} to be a single integer value or a list of ${k} values to match the convolution dimensions, but got ${name}=${S.shapeStr(list)}`,
      );
    }
    return list[0]!;
  };
  const stride = one("stride", opts.stride, 1);
  const padding = one("padding", opts.padding, 0);
  const dilation = one("dilation", opts.dilation, 1);
  const outputPadding = one("output_padding", opts.outputPadding, 0);
  const groups = opts.groups ?? 1;
  if (w.length !== x.length) {
    throw new S.ShapeError(
      `Expected ${w.length}-dimensional input for ${w.length}-dimensional weight ${S.shapeStr(w)}, but got ${x.length}-dimensional input of size ${S.shapeStr(x)} instead`,
    );
  }
  // Non-positive groups and the kernel geometry are checked by the kernel (no sizes in those).
  if (Number.isInteger(groups) && groups > 0) {
    const wStr = S.shapeStr(w);
    if (w[0]! < groups) {
      throw new S.ShapeError(
        `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${wStr} instead`,
      );
    }
    if (w[0]! % groups !== 0) {
      throw new S.ShapeError(
        `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${wStr}] instead`,
      );
    }
    const prefix = `Given transposed=1, weight of size ${wStr}`;
    if (x[1] !== w[0]) {
      throw new S.ShapeError(
        `${prefix}, expected input${S.shapeStr(x)} to have ${w[0]} channels, but got ${x[1]} channels instead`,
      );
    }
    const n = w[1]! * groups;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== n)) {
      throw new S.ShapeError(
        `${prefix}, expected bias to be 1-dimensional with ${n} elements, but got bias of size ${S.shapeStr(bias.shape)} instead`,
      );
    }
  }
  return {
    stride: [1, stride],
    padding: [0, padding],
    dilation: [1, dilation],
    outputPadding: [0, outputPadding],
    groups,
  };
}
