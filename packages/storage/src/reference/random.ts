/** Reference random kernels (being written). */
import type { RandomKernels } from "../kernels/random.js";

const todo = (): never => {
  throw new Error("random kernels: not implemented yet");
};

export const referenceRandom = new Proxy({}, { get: () => todo }) as unknown as RandomKernels;
