// The WASM `Backend` of @x/storage: storages live in one WebAssembly memory managed by
// `WasmHeap`, and the kernels with a WASM version take it when dtype and layout allow (float32 /
// float64, contiguous or scalar/row-broadcast operands). Every other kernel — and every other
// case of an accelerated one — is the reference kernel, delegated explicitly: `wasmAccelerated`
// lists what is WASM, and the kernel table is the reference table with those entries replaced.

import {
  type Allocation,
  type Backend,
  type BinaryKernel,
  type BinaryOp,
  type Kernels,
  type NDArray,
  type ReduceOp,
  referenceKernels,
  type UnaryKernel,
  type UnaryOp,
} from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmHeap } from "../memory";
import { WasmKernels, type WasmKernelsOptions } from "../wasmKernels";
import {
  isBroadcastScalar,
  kernelDType,
  lastDimRows,
  ptrOf,
  reducePlan,
  rowBroadcastLength,
} from "./layout";

/** The kernels with a WASM path, by family. Everything else runs the reference kernel. */
export const wasmAccelerated = {
  binary: ["add", "sub", "mul", "div", "maximum", "minimum"],
  unary: ["neg", "abs", "sqrt", "relu", "exp"],
  reduce: ["sum", "mean", "amax", "amin"],
  other: ["matmul", "softmax", "logSoftmax"],
} as const satisfies {
  binary: readonly BinaryOp[];
  unary: readonly UnaryOp[];
  reduce: readonly ReduceOp[];
  other: readonly (keyof Kernels)[];
};

/** A backend whose storages live in WASM memory. */
export interface WasmBackend extends Backend {
  readonly wasm: WasmKernels;
  readonly heap: WasmHeap;
}

class WasmAllocation implements Allocation {
  readonly ptr: number;
  readonly #heap: WasmHeap;
  constructor(heap: WasmHeap, ptr: number) {
    this.#heap = heap;
    this.ptr = ptr;
  }
  get buffer(): ArrayBufferLike {
    return this.#heap.views.buffer;
  }
}

const BYTES: Record<FloatDType, number> = { f32: 4, f64: 8 };
const REDUCE_KERNEL = { sum: "sum", mean: "sum", amax: "max", amin: "min" } as const;

/**
 * Creates a WASM backend (its own heap unless `options.heap` is given).
 *
 * @example
 * import { setBackend } from "@x/storage";
 * setBackend(createWasmBackend()); // new arrays live in WASM memory
 */
export function createWasmBackend(options: WasmKernelsOptions = {}): WasmBackend {
  const wasm = WasmKernels.create(options);
  const heap = wasm.heap;
  let self: WasmBackend | undefined;
  const here = (...xs: NDArray[]) => xs.every((x) => x.storage.backend === self);
  /** The kernel dtype when x, …, and out share a float dtype and live on this heap. */
  const floatHere = (out: NDArray, ...xs: NDArray[]): FloatDType | undefined => {
    const d = kernelDType(out.dtype);
    return d && xs.every((x) => x.dtype === out.dtype) && here(out, ...xs) ? d : undefined;
  };

  const binary = (op: (typeof wasmAccelerated.binary)[number]): BinaryKernel => {
    const fallback = referenceKernels.binary[op];
    return (a, b, out) => {
      const d = floatHere(out, a, b);
      if (!d || !out.isContiguous()) return fallback(a, b, out);
      const E = BYTES[d];
      const n = out.numel();
      const o = ptrOf(out, E);
      const aC = a.isContiguous();
      const bC = b.isContiguous();
      if (aC && bC) return wasm.binary(op, d, ptrOf(a, E), ptrOf(b, E), o, n);
      if (aC && isBroadcastScalar(b)) {
        return wasm.binaryScalar(op, d, ptrOf(a, E), b.typed()[b.offset]!, o, n);
      }
      if (bC && isBroadcastScalar(a)) {
        return wasm.scalarBinary(op, d, a.typed()[a.offset]!, ptrOf(b, E), o, n);
      }
      // one operand repeats a contiguous row along leading dims (bias over a batch)
      const rowB = aC ? rowBroadcastLength(b) : undefined;
      const rowA = bC && rowB === undefined ? rowBroadcastLength(a) : undefined;
      const row = rowB ?? rowA;
      if (row === undefined || n % row !== 0) return fallback(a, b, out);
      const [pa, pb] = [ptrOf(a, E), ptrOf(b, E)];
      for (let r = 0; r < n / row; r++) {
        const step = r * row * E;
        wasm.binary(op, d, rowA ? pa : pa + step, rowB ? pb : pb + step, o + step, row);
      }
    };
  };

  const unary = (op: (typeof wasmAccelerated.unary)[number]): UnaryKernel => {
    const fallback = referenceKernels.unary[op];
    return (x, out) => {
      const d = floatHere(out, x);
      if (!d || (op === "exp" && d === "f64") || !x.isContiguous() || !out.isContiguous()) {
        return fallback(x, out);
      }
      wasm.unary(op, d, ptrOf(x, BYTES[d]), ptrOf(out, BYTES[d]), out.numel());
    };
  };

  const reduce = (op: (typeof wasmAccelerated.reduce)[number]) => {
    const fallback = referenceKernels.reduce[op];
    return (x: NDArray, out: NDArray) => {
      const d = floatHere(out, x);
      const plan = d && x.isContiguous() && out.isContiguous() ? reducePlan(x, out) : undefined;
      if (!d || !plan || (op === "mean" && plan.r === 0)) return fallback(x, out);
      const E = BYTES[d];
      const o = ptrOf(out, E);
      wasm.reduce(REDUCE_KERNEL[op], d, ptrOf(x, E), o, plan.outer, plan.r, plan.inner);
      if (op === "mean") {
        wasm.binaryScalar("div", d, o, plan.r, o, plan.outer * plan.inner);
      }
    };
  };

  const rowwise = (op: "softmax" | "logSoftmax") => (x: NDArray, dim: number, out: NDArray) => {
    const rows = floatHere(out, x) === "f32" ? lastDimRows(x, dim) : undefined;
    if (!rows || !x.isContiguous() || !out.isContiguous()) {
      return referenceKernels[op](x, dim, out);
    }
    wasm[op](ptrOf(x, 4), ptrOf(out, 4), rows.rows, rows.cols);
  };

  const kernels: Kernels = {
    ...referenceKernels,
    binary: {
      ...referenceKernels.binary,
      ...mapOps(wasmAccelerated.binary, binary),
    },
    unary: { ...referenceKernels.unary, ...mapOps(wasmAccelerated.unary, unary) },
    reduce: { ...referenceKernels.reduce, ...mapOps(wasmAccelerated.reduce, reduce) },
    matmul(a, b, out) {
      const d = floatHere(out, a, b);
      if (!d || !out.isContiguous()) return referenceKernels.matmul(a, b, out);
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
    softmax: rowwise("softmax"),
    logSoftmax: rowwise("logSoftmax"),
  };

  self = {
    name: "wasm",
    kernels,
    wasm,
    heap,
    alloc: (byteLength) => new WasmAllocation(heap, heap.allocZeroed(byteLength)),
    free: (allocation) => heap.free(allocation.ptr),
  };
  return self;
}

function mapOps<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>;
}
