/** Reference indexing kernels (being written). */
import type { IndexKernels } from "../kernels/indexing.js";

const todo = (): never => {
  throw new Error("indexing kernels: not implemented yet");
};

export const referenceIndex = new Proxy({}, { get: () => todo }) as unknown as IndexKernels;
