/**
 * The layers of `nn`: linear, convolution, pooling, normalization, embedding, recurrent,
 * attention, transformer, activation, dropout/reshape/resize/pad and loss modules.
 */
export * from "./activation.js";
export * from "./attention.js";
export * from "./conv.js";
export * from "./embedding.js";
export { Bilinear, Identity, Linear } from "./linear.js";
export * from "./loss.js";
export * from "./normalization.js";
export * from "./pooling.js";
export * from "./rnn.js";
export * from "./rnnCell.js";
export * from "./shape.js";
export * from "./transformer.js";
