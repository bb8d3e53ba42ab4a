/** Reference conv kernels (being written). */
import type { ConvKernels } from "../kernels/conv.js";

const todo = (): never => {
  throw new Error("conv kernels: not implemented yet");
};

export const referenceConv = new Proxy({}, { get: () => todo }) as unknown as ConvKernels;
