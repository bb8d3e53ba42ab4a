/** Reference reduce kernels (being written). */
import type { ReduceKernels } from "../kernels/reduce.js";

const todo = (): never => {
  throw new Error("reduce kernels: not implemented yet");
};

export const referenceReduce = new Proxy({}, { get: () => todo }) as unknown as ReduceKernels;
