/**
 * `nn.functional` (also exported as `F`): PyTorch's `torch.nn.functional` in camelCase, with
 * keyword arguments in an options object (`F.crossEntropy(x, y, { labelSmoothing: 0.1 })`).
 */
export * from "./activation.js";
export * from "./attention.js";
export * from "./conv.js";
export * from "./distance.js";
export * from "./linear.js";
export * from "./loss.js";
export * from "./lossRegression.js";
export * from "./normalization.js";
export * from "./pooling.js";
export * from "./resample.js";
export type { Reduction } from "./utils.js";
