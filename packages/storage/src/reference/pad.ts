/** Reference pad kernels (being written). */
import type { PadKernels } from "../kernels/pad.js";

const todo = (): never => {
  throw new Error("pad kernels: not implemented yet");
};

export const referencePad = new Proxy({}, { get: () => todo }) as unknown as PadKernels;
