/**
 * @x/storage: raw n-d arrays with no gradients — dtypes, refcounted storages with a version
 * counter, `NDArray` views, the kernels interface and its reference backend, PyTorch's random
 * generator and printing.
 */
export * from "./backend.js";
export * from "./dtype.js";
export * from "./errors.js";
export * from "./format.js";
export * from "./kernels/index.js";
export * from "./ndArray.js";
export * from "./ops/adaptivePool.js";
export * from "./ops/conv.js";
export * from "./ops/creation.js";
export { einsum } from "./ops/einsum.js";
export * from "./ops/elementwise.js";
export * from "./ops/indexing.js";
export * from "./ops/join.js";
export { bmm, dot, linear, matmul, mm, outer } from "./ops/linalg.js";
export * from "./ops/loss.js";
export * from "./ops/pool.js";
export {
  asDType,
  broadcastTo,
  kernels,
  type Operand,
  scalarArray,
  TORCH_NAME,
} from "./ops/prepare.js";
export * from "./ops/random.js";
export * from "./ops/reduce.js";
export * from "./ops/resample.js";
export * from "./ops/scan.js";
export * from "./ops/sort.js";
export { DEFAULT_SEED, defaultGenerator, Generator, manualSeed } from "./random/generator.js";
export { referenceBackend, referenceKernels } from "./reference/index.js";
export * from "./shape.js";
export { onStorageCollected, Storage, storageStats } from "./storage.js";
