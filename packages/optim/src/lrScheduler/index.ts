/** Learning-rate schedulers (`x.optim.lrScheduler`). */
export * from "./composite.js";
export { LRScheduler } from "./lrScheduler.js";
export * from "./schedulers.js";
