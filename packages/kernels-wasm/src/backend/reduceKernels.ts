// Reductions and row-wise softmax (and its backward) of the WASM backend on NDArrays. A reduction over any set of
// dims is planned on the collapsed shape of x as alternating kept/reduced groups, and run as a
// chain of [outer, r, inner] reductions, the innermost reduced group first, through scratch
// buffers of the heap (bias gradients: [N, C, H, W] summed over N, H and W is two calls). A
// strided x is first copied to a contiguous scratch buffer.

import { type NDArray, type ReduceOp, referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { WasmKernels } from "../wasmKernels";
import { kernelDType, lastDimRows } from "./layout";
import { walkRaw } from "./walk";

const BYTES: Record<FloatDType, 4 | 8> = { f32: 4, f64: 8 };
const REDUCE_KERNEL = { sum: "sum", mean: "sum", amax: "max", amin: "min" } as const;

/** One group of consecutive dims, all kept or all reduced. */
interface Group {
  reduced: boolean;
  size: number;
}

/**
 * Groups the dims of `x` (size-1 dims dropped) into maximal runs of kept / reduced dims, where
 * `out` (keepdim layout) has size 1 on the reduced ones.
 *
 * @example
 * reduceGroups([8, 3, 5, 5], [1, 3, 1, 1]); // [{reduced, 8}, {kept, 3}, {reduced, 25}]
 */
export function reduceGroups(xShape: readonly number[], outShape: readonly number[]): Group[] {
  const groups: Group[] = [];
  for (let d = 0; d < xShape.length; d++) {
    const s = xShape[d]!;
    if (s === 1) continue;
    const reduced = outShape[d] === 1;
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced) last.size *= s;
    else groups.push({ reduced, size: s });
  }
  return groups;
}

/** The reduce and softmax kernels of the backend whose storages are `owns`'s. */
export function reduceKernels(wasm: WasmKernels, owns: (x: NDArray) => boolean) {
  const heap = wasm.heap;
  const raw = wasm.raw;

  /** Copies a strided x into a contiguous scratch block; returns its pointer. */
  const contiguousCopy = (x: NDArray, E: 4 | 8): number => {
    const p = heap.alloc(x.numel() * E);
    const strides: number[] = [];
    let st = 1;
    for (let i = x.shape.length - 1; i >= 0; i--) {
      strides[i] = st;
      st *= x.shape[i]!;
    }
    const src = { ptr: x.storage.ptr + x.offset * E, strides: x.strides };
    walkRaw(raw[`copy2d_${E}`], x.shape, [src, { ptr: p, strides }], [E, E]);
    return p;
  };

  const reduce = (op: "sum" | "mean" | "amax" | "amin") => {
    const fallback = referenceKernels.reduce[op];
    const kernel = REDUCE_KERNEL[op];
    return (x: NDArray, out: NDArray) => {
      const d = kernelDType(out.dtype);
      if (
        d === undefined ||
        x.dtype !== out.dtype ||
        !owns(x) ||
        !owns(out) ||
        !out.isContiguous()
      ) {
        return fallback(x, out);
      }
      const total = x.numel();
      const count = total === 0 ? 0 : total / out.numel();
      if (total === 0) return fallback(x, out);
      const E = BYTES[d];
      const fn = raw[`reduce_${kernel}_${d}`];
      const groups = reduceGroups(x.shape, out.shape);
      const dst = out.storage.ptr + out.offset * E;
      const copied = x.isContiguous() ? undefined : contiguousCopy(x, E);
      let src = copied ?? x.storage.ptr + x.offset * E;
      let owned = copied;
      if (!groups.some((g) => g.reduced)) {
        // nothing reduced (sizes of 1): a copy
        raw[`reduce_${kernel}_${d}`](src, dst, total, 1, 1);
      }
      while (groups.some((g) => g.reduced)) {
        let j = groups.length - 1;
        while (!groups[j]!.reduced) j--;
        const outer = groups.slice(0, j).reduce((p, g) => p * g.size, 1);
        const inner = groups.slice(j + 1).reduce((p, g) => p * g.size, 1);
        const r = groups[j]!.size;
        const last = groups.findIndex((g) => g.reduced) === j;
        const target = last ? dst : heap.alloc(outer * inner * E);
        fn(src, target, outer, r, inner);
        if (owned !== undefined) heap.free(owned);
        src = target;
        owned = last ? undefined : target;
        groups.splice(j, 1);
        const before = groups[j - 1];
        const after = groups[j];
        if (before && after && before.reduced === after.reduced) {
          before.size *= after.size;
          groups.splice(j, 1);
        }
      }
      if (op === "mean") raw[`binary_div_${d}_vs`](dst, count, dst, out.numel());
    };
  };

  const rowwise = (op: "softmax" | "logSoftmax") => (x: NDArray, dim: number, out: NDArray) => {
    const d = kernelDType(out.dtype);
    const rows = d && x.dtype === out.dtype ? lastDimRows(x, dim) : undefined;
    if (!d || !rows || !owns(x) || !owns(out) || !x.isContiguous() || !out.isContiguous()) {
      return referenceKernels[op](x, dim, out);
    }
    const E = BYTES[d];
    const [px, po] = [x.storage.ptr + x.offset * E, out.storage.ptr + out.offset * E];
    const name = `${op}_${d}` as const;
    const n = rows.rows * rows.cols;
    if (n < 1 << 15) return raw[name](px, po, rows.rows, rows.cols);
    // whole rows split over the threads (about 3 ns per element on one thread): the split counts
    // elements, in chunks of whole rows
    wasm.split(name, n, n / 300, rows.cols, (s, len) => [
      px + s * E,
      po + s * E,
      len / rows.cols,
      rows.cols,
    ]);
  };

  // softmax's and log-softmax's backward over contiguous rows along the last dim; every other
  // layout, dtype or foreign storage is the reference kernel's
  const rowwiseBackward =
    (op: "softmaxBackward" | "logSoftmaxBackward") =>
    (g: NDArray, y: NDArray, dim: number, out: NDArray) => {
      const d = kernelDType(out.dtype);
      const rows =
        d && g.dtype === out.dtype && y.dtype === out.dtype ? lastDimRows(y, dim) : undefined;
      if (!d || !rows || ![g, y, out].every((a) => owns(a) && a.isContiguous())) {
        return referenceKernels[op](g, y, dim, out);
      }
      const E = BYTES[d];
      const at = (a: NDArray) => a.storage.ptr + a.offset * E;
      const [pg, py, po] = [at(g), at(y), at(out)];
      const name = `${op}_${d}` as const;
      const n = rows.rows * rows.cols;
      if (n < 1 << 15) return raw[name](pg, py, po, rows.rows, rows.cols);
      // whole rows over the threads, as the forward (log's exp: about 2 ns per element; without
      // it about 0.3 ns)
      const micros = op === "logSoftmaxBackward" ? n / 500 : n / 3000;
      wasm.split(name, n, micros, rows.cols, (s, len) => [
        pg + s * E,
        py + s * E,
        po + s * E,
        len / rows.cols,
        rows.cols,
      ]);
    };

  return {
    reduce: (op: ReduceOp & ("sum" | "mean" | "amax" | "amin")) => reduce(op),
    softmaxBackward: rowwiseBackward("softmaxBackward"),
    logSoftmaxBackward: rowwiseBackward("logSoftmaxBackward"),
    softmax: rowwise("softmax"),
    logSoftmax: rowwise("logSoftmax"),
  };
}
