/**
 * @x/autograd: `Tensor` with PyTorch's autograd semantics — `requiresGrad`, `grad`, `gradFn`,
 * `backward`, `autograd.grad`, grad modes, hooks, custom `Function`s, `gradcheck` — over the raw
 * arrays of `@x/storage`.
 */
import { backward, grad } from "./autograd.js";
import { AutogradFunction, FunctionCtx } from "./function.js";
import { gradcheck, gradgradcheck } from "./gradcheck.js";
import { detectAnomaly, isAnomalyEnabled, setDetectAnomaly } from "./gradMode.js";

export type { DType, FloatDType, NDArray } from "@x/storage";
export { Generator, manualSeed } from "@x/storage";
export { DERIVATIVES, type DiffOp, type OpArgs, type Rule } from "./derivatives/index.js";
export {
  enableGrad,
  inferenceMode,
  isGradEnabled,
  isInferenceModeEnabled,
  type ModeScope,
  noGrad,
  setGradEnabled,
} from "./gradMode.js";
export {
  AccumulateGrad,
  type Edge,
  Node,
  type NodeHook,
  type RemovableHandle,
  type TensorHook,
} from "./graph.js";
export { keep, type MemoryInfo, memory, tidy } from "./memory.js";
export * from "./ops/binary.js";
export { conv1d, conv2d, convTranspose1d, convTranspose2d } from "./ops/conv.js";
export * from "./ops/creation.js";
export { einsum } from "./ops/einsum.js";
export * from "./ops/indexing.js";
export { add_, copy_, fill_, sub_, zero_ } from "./ops/inplace.js";
export * from "./ops/join.js";
export * from "./ops/linalg.js";
export { type NllLossOpOptions, nllLoss } from "./ops/loss.js";
export * from "./ops/pointwise.js";
export {
  adaptiveAvgPool2d,
  avgPool2d,
  type MaxPoolWithIndicesOptions,
  maxPool1d,
  maxPool2d,
} from "./ops/pool.js";
export { bernoulli, bernoulli_, normal_, uniform_ } from "./ops/random.js";
export * from "./ops/reduce.js";
export { interpolate } from "./ops/resample.js";
export * from "./ops/shape.js";
export { setTensorName, tensorName } from "./saved.js";
export { type BackwardOptions, Tensor } from "./tensor.js";
export type { Operand, TensorOptions } from "./tensorBase.js";
export { FunctionCtx };

/** `torch.autograd`: `grad`, `backward`, `Function`, `gradcheck`, anomaly detection. */
export const autograd = {
  grad,
  backward,
  Function: AutogradFunction,
  FunctionCtx,
  gradcheck,
  gradgradcheck,
  setDetectAnomaly,
  detectAnomaly,
  isAnomalyEnabled,
} as const;
