/**
 * The `Kernels` interface: every family a backend implements. A backend object that lacks a
 * kernel does not compile. Families live one per file beside this one.
 */
import type { BinaryKernels } from "./binary.js";
import type { CompareKernels } from "./compare.js";
import type { ConvKernels } from "./conv.js";
import type { CopyKernels } from "./copy.js";
import type { IndexKernels } from "./indexing.js";
import type { LossKernels } from "./loss.js";
import type { MatmulKernels } from "./matmul.js";
import type { OptimKernels } from "./optim.js";
import type { PadKernels } from "./pad.js";
import type { RandomKernels } from "./random.js";
import type { ReduceKernels } from "./reduce.js";
import type { SortKernels } from "./sort.js";
import type { UnaryKernels } from "./unary.js";

export * from "./binary.js";
export * from "./compare.js";
export * from "./conv.js";
export * from "./copy.js";
export * from "./indexing.js";
export * from "./loss.js";
export * from "./matmul.js";
export * from "./optim.js";
export * from "./pad.js";
export * from "./random.js";
export * from "./reduce.js";
export * from "./sort.js";
export * from "./unary.js";

export interface Kernels
  extends UnaryKernels,
    BinaryKernels,
    CompareKernels,
    CopyKernels,
    ReduceKernels,
    MatmulKernels,
    ConvKernels,
    IndexKernels,
    SortKernels,
    PadKernels,
    RandomKernels,
    OptimKernels,
    LossKernels {}
