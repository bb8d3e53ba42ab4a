/**
 * The reference backend: every kernel in plain TypeScript over JS-heap buffers. It is the
 * default backend and the oracle faster backends are tested against.
 */
import type { Allocation, Backend } from "../backend.js";
import type { Kernels } from "../kernels/index.js";
import { referenceBinary, referenceCompare } from "./binary.js";
import { referenceConv } from "./conv.js";
import { referenceCopy } from "./copy.js";
import { referenceIndex } from "./indexing.js";
import { referenceLoss } from "./loss.js";
import { referenceMatmul } from "./matmul.js";
import { referenceOptim } from "./optim.js";
import { referencePad } from "./pad.js";
import { referenceRandom } from "./random.js";
import { referenceReduce } from "./reduce.js";
import { referenceSort } from "./sort.js";
import { referenceUnary } from "./unary.js";

export const referenceKernels: Kernels = {
  ...referenceUnary,
  ...referenceBinary,
  ...referenceCompare,
  ...referenceCopy,
  ...referenceReduce,
  ...referenceMatmul,
  ...referenceConv,
  ...referenceIndex,
  ...referenceSort,
  ...referencePad,
  ...referenceRandom,
  ...referenceOptim,
  ...referenceLoss,
};

export const referenceBackend: Backend = {
  name: "reference",
  kernels: referenceKernels,
  // a new ArrayBuffer is always zeroed, so `zeroed: false` costs nothing to honour
  alloc(byteLength: number): Allocation {
    return { ptr: 0, buffer: new ArrayBuffer(byteLength) };
  },
  free() {},
};
