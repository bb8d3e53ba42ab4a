// The WASM `Backend` of @x/storage: storages live in one WebAssembly memory managed by
// `WasmHeap`, and the kernels with a WASM version take it when dtypes allow (float32 / float64
// operands, any strides). Every other kernel — and every other case of an accelerated one — is
// the reference kernel, delegated explicitly: `wasmAccelerated` lists what is WASM, and the
// kernel table is the reference table with those entries replaced.

import {
  type Allocation,
  type Backend,
  type BinaryOp,
  type CompareOp,
  type Kernels,
  type NDArray,
  type ReduceOp,
  referenceKernels,
  type UnaryOp,
} from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmHeap } from "../memory";
import { WasmKernels, type WasmKernelsOptions } from "../wasmKernels";
import { convKernels, wasmConvKernels } from "./convKernels";
import { elementwiseKernels } from "./elementwiseKernels";
import { kernelDType, ptrOf } from "./layout";
import { optimKernels, wasmOptimKernels } from "./optimKernels";
import { poolKernels, wasmPoolKernels } from "./poolKernels";
import { reduceKernels } from "./reduceKernels";
import type { WinogradChoice } from "./winograd";

/** The kernels with a WASM path, by family. Everything else runs the reference kernel. */
export const wasmAccelerated = {
  binary: ["add", "sub", "mul", "div", "maximum", "minimum"],
  unary: ["neg", "abs", "sqrt", "relu", "exp"],
  reduce: ["sum", "mean", "amax", "amin"],
  compare: ["eq", "ne", "lt", "le", "gt", "ge"],
  other: [
    "matmul",
    "softmax",
    "logSoftmax",
    "softmaxBackward",
    "logSoftmaxBackward",
    "where",
    "thresholdBackward",
    "copy",
    ...wasmConvKernels,
    ...wasmPoolKernels,
    ...wasmOptimKernels,
  ],
} as const satisfies {
  binary: readonly BinaryOp[];
  unary: readonly UnaryOp[];
  reduce: readonly ReduceOp[];
  compare: readonly CompareOp[];
  other: readonly (keyof Kernels)[];
};

/** Options of `createWasmBackend`: a heap's, or an existing set of kernels (and its heap). */
export interface WasmBackendOptions extends WasmKernelsOptions {
  /** Kernels to run on (their heap holds the storages); by default new ones. */
  readonly kernels?: WasmKernels;
  /**
   * Winograd convolution for float32 3×3 stride-1 convolutions of enough channels (forward,
   * input and weight gradients): "F2" (default) F(2×2, 3×3), whose rounding measured like a
   * direct convolution's (and PyTorch's own); "F4" F(4×4, 3×3) where faster, fewer products
   * but about 10 times the rounding error (~1e-6 of Σ|x·w|), like allowing TF32 in PyTorch;
   * "off" the direct and GEMM paths only.
   */
  readonly winograd?: WinogradChoice;
}

/** A backend whose storages live in WASM memory. */
export interface WasmBackend extends Backend {
  readonly wasm: WasmKernels;
  readonly heap: WasmHeap;
}

class WasmAllocation implements Allocation {
  readonly ptr: number;
  readonly bytes: number;
  readonly #heap: WasmHeap;
  constructor(heap: WasmHeap, bytes: number, zeroed: boolean) {
    this.#heap = heap;
    this.bytes = bytes;
    this.ptr = heap.allocBlock(bytes, zeroed);
  }
  get buffer(): ArrayBufferLike {
    return this.#heap.views.buffer;
  }
}

const BYTES: Record<FloatDType, number> = { f32: 4, f64: 8 };

/**
 * Creates a WASM backend (its own heap unless `options.heap` is given).
 *
 * @example
 * import { setBackend } from "@x/storage";
 * setBackend(createWasmBackend()); // new arrays live in WASM memory
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const wasm = options.kernels ?? WasmKernels.create(options);
  const heap = wasm.heap;
  let self: WasmBackend | undefined;
  const owns = (x: NDArray) => x.storage.backend === self;
  const ew = elementwiseKernels(wasm, owns);
  const red = reduceKernels(wasm, owns);

  const kernels: Kernels = {
    ...referenceKernels,
    binary: { ...referenceKernels.binary, ...mapOps(wasmAccelerated.binary, ew.binary) },
    unary: { ...referenceKernels.unary, ...mapOps(wasmAccelerated.unary, ew.unary) },
    compare: { ...referenceKernels.compare, ...mapOps(wasmAccelerated.compare, ew.compare) },
    reduce: { ...referenceKernels.reduce, ...mapOps(wasmAccelerated.reduce, red.reduce) },
    where: ew.where,
    thresholdBackward: ew.thresholdBackward,
    copy: ew.copy,
    matmul(a, b, out) {
      const d = kernelDType(out.dtype);
      if (
        !d ||
        a.dtype !== out.dtype ||
        b.dtype !== out.dtype ||
        !owns(a) ||
        !owns(b) ||
        !owns(out) ||
        !out.isContiguous()
      ) {
        return referenceKernels.matmul(a, b, out);
      }
      const [B, M, K] = a.shape as [number, number, number];
      const N = b.shape[2]!;
      const E = BYTES[d];
      const [sab, sam, sak] = a.strides as [number, number, number];
      const [sbb, sbk, sbn] = b.strides as [number, number, number];
      const [pa, pb, po] = [ptrOf(a, E), ptrOf(b, E), ptrOf(out, E)];
      const layout = { rsa: sam, csa: sak, rsb: sbk, csb: sbn, rsc: N };
      for (let i = 0; i < B; i++) {
        wasm.matmul(d, M, N, K, pa + i * sab * E, pb + i * sbb * E, po + i * M * N * E, layout);
      }
    },
    softmax: red.softmax,
    logSoftmax: red.logSoftmax,
    softmaxBackward: red.softmaxBackward,
    logSoftmaxBackward: red.logSoftmaxBackward,
    ...convKernels(wasm, owns, options.winograd ?? "F2"),
    ...poolKernels(wasm, owns),
    ...optimKernels(wasm, owns),
  };

  self = {
    name: "wasm",
    kernels,
    wasm,
    heap,
    alloc: (byteLength, zeroed = true) => new WasmAllocation(heap, byteLength, zeroed),
    free: (allocation) => heap.freeBlock(allocation.ptr, (allocation as WasmAllocation).bytes),
  };
  return self;
}

function mapOps<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>;
}
