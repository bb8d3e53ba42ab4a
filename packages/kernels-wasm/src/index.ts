// @x/kernels-wasm: WASM SIMD128 kernels generated at runtime by a small typed assembler, an
// allocator over WebAssembly memory, worker threads over shared memory, and runtime feature
// detection.

export * from "./asm/index";
export {
  createWasmBackend,
  type WasmBackend,
  type WasmBackendOptions,
  wasmAccelerated,
} from "./backend/wasmBackend";
export type { WinogradChoice } from "./backend/winograd";
export { simdCeilingGflops } from "./ceiling";
export { detectFeatures, type WasmFeatures } from "./features";
export { type DTypeInfo, dtypes, type FloatDType } from "./kernels/dtype";
export {
  type BinaryLayout,
  type BinaryOp,
  binaryLayouts,
  binaryOps,
  type MulAddLayout,
  mulAddLayouts,
  type UnaryOp,
  unaryOps,
} from "./kernels/elementwise";
export { type GemmConfig, gemmConfigs, gemmWorkspaceBytes } from "./kernels/gemm";
export {
  buildKernelModule,
  type KernelExports,
  type KernelModuleOptions,
} from "./kernels/kernelModule";
export { type ReduceOp, reduceOps } from "./kernels/reduce";
export { type SoftmaxOp, softmaxOps } from "./kernels/softmax";
export {
  ALIGN,
  type HeapOptions,
  type HeapStats,
  type HeapViews,
  MAX_PAGES,
  PAGE_BYTES,
  sizeClass,
  WasmHeap,
  WasmOutOfMemoryError,
} from "./memory";
export { Dispatcher, MIN_PARALLEL_MICROS } from "./threads/dispatch";
export { SPIN_MICROS, ThreadPool, WorkerJobError } from "./threads/pool";
export { getNumThreads, setNumThreads, threadsUnavailable } from "./threads/threads";
export { getWasmApi, type WasmApi, type WasmMemory, wasmApi } from "./wasmApi";
export { type MatmulLayout, WasmKernels, type WasmKernelsOptions } from "./wasmKernels";
