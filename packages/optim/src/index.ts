/**
 * @x/optim: optimizers and learning-rate schedulers over leaf tensors with `.grad`.
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export * from "./adam.js";
export * from "./adamVariants.js";
export * as lrScheduler from "./lrScheduler/index.js";
export * from "./optimizer.js";
export * from "./rmsprop.js";
export * from "./sgd.js";
