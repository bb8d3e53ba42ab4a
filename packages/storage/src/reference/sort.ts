/** Reference sort kernels (being written). */
import type { SortKernels } from "../kernels/sort.js";

const todo = (): never => {
  throw new Error("sort kernels: not implemented yet");
};

export const referenceSort = new Proxy({}, { get: () => todo }) as unknown as SortKernels;
