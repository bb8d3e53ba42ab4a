// The elementwise kernels of the WASM backend on NDArrays: binary, unary, comparisons, `where`,
// relu's fused backward mask (`thresholdBackward`, contiguous only) and same-dtype copies. Contiguous operands (and scalars broadcast everywhere) call the
// contiguous kernels directly — the per-op fast path — and any other strides (broadcasts along
// some dims, transposed or flipped views, strided outputs) go through the strided walkers. Cases
// without a WASM kernel (integer dtypes, mixed dtypes) run the reference kernel.

import {
  type BinaryKernel,
  type CompareOp,
  type Kernels,
  type NDArray,
  referenceKernels,
  type UnaryKernel,
} from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import type { BinaryOp, UnaryOp } from "../kernels/elementwise";
import type { KernelExports } from "../kernels/kernelModule";
import type { WasmKernels } from "../wasmKernels";
import { isBroadcastScalar, kernelDType } from "./layout";
import { walk } from "./walk";

const BYTES: Record<FloatDType, number> = { f32: 4, f64: 8 };
/** Below this many elements an elementwise kernel never considers threads. */
export const PARALLEL_MIN_ELEMENTS = 1 << 15;
/** Memory bandwidth assumed for the thread decision (bytes per microsecond). */
const BYTES_PER_MICRO = 1e4;
const DTYPE_BYTES: Record<string, 1 | 4 | 8> = {
  float32: 4,
  float64: 8,
  int32: 4,
  int64: 8,
  bool: 1,
  uint8: 1,
};

/** The elementwise kernels of the backend whose storages are `owns`'s. */
export function elementwiseKernels(
  wasm: WasmKernels,
  owns: (x: NDArray) => boolean,
): Pick<Kernels, "copy" | "where" | "thresholdBackward"> & {
  binary(op: BinaryOp): BinaryKernel;
  unary(op: UnaryOp): UnaryKernel;
  compare(op: CompareOp): BinaryKernel;
} {
  const raw: KernelExports = wasm.raw;
  const ptr = (x: NDArray, bytes: number) => x.storage.ptr + x.offset * bytes;

  const binary = (op: BinaryOp): BinaryKernel => {
    const fallback = referenceKernels.binary[op];
    const vv = raw[`binary_${op}_f32_vv`];
    return (a, b, out) => {
      const dt = out.dtype;
      const d = kernelDType(dt);
      if (
        d === undefined ||
        a.dtype !== dt ||
        b.dtype !== dt ||
        !owns(a) ||
        !owns(b) ||
        !owns(out)
      ) {
        return fallback(a, b, out);
      }
      const E = BYTES[d];
      if (out.isContiguous()) {
        const n = out.numel();
        const aC = a.isContiguous();
        const bC = b.isContiguous();
        if (aC && bC) {
          if (n < PARALLEL_MIN_ELEMENTS) {
            if (d === "f32") return vv(ptr(a, 4), ptr(b, 4), ptr(out, 4), n);
            return raw[`binary_${op}_f64_vv`](ptr(a, E), ptr(b, E), ptr(out, E), n);
          }
          const [pa, pb, po] = [ptr(a, E), ptr(b, E), ptr(out, E)];
          return wasm.split(
            `binary_${op}_${d}_vv`,
            n,
            (3 * E * n) / BYTES_PER_MICRO,
            16,
            (s, len) => [pa + s * E, pb + s * E, po + s * E, len],
          );
        }
        if (aC && isBroadcastScalar(b)) {
          const [pa, v, po] = [ptr(a, E), b.typed()[b.offset]!, ptr(out, E)];
          if (n < PARALLEL_MIN_ELEMENTS) return raw[`binary_${op}_${d}_vs`](pa, v, po, n);
          return wasm.split(
            `binary_${op}_${d}_vs`,
            n,
            (2 * E * n) / BYTES_PER_MICRO,
            16,
            (s, len) => [pa + s * E, v, po + s * E, len],
          );
        }
        if (bC && isBroadcastScalar(a)) {
          const [v, pb, po] = [a.typed()[a.offset]!, ptr(b, E), ptr(out, E)];
          if (n < PARALLEL_MIN_ELEMENTS) return raw[`binary_${op}_${d}_sv`](v, pb, po, n);
          return wasm.split(
            `binary_${op}_${d}_sv`,
            n,
            (2 * E * n) / BYTES_PER_MICRO,
            16,
            (s, len) => [v, pb + s * E, po + s * E, len],
          );
        }
      }
      walk(raw[`binary2d_${op}_${d}`], [a, b], [E, E], out, E);
    };
  };

  const unary = (op: UnaryOp): UnaryKernel => {
    const fallback = referenceKernels.unary[op];
    return (x, out) => {
      const d = kernelDType(out.dtype);
      if (d === undefined || x.dtype !== out.dtype || !owns(x) || !owns(out)) {
        return fallback(x, out);
      }
      const E = BYTES[d];
      if (x.isContiguous() && out.isContiguous()) {
        const name = `unary_${op}_${d}` as "unary_neg_f32";
        const [px, po, n] = [ptr(x, E), ptr(out, E), out.numel()];
        if (n < PARALLEL_MIN_ELEMENTS) return raw[name](px, po, n);
        const micros = ((op === "exp" ? 4 : 2) * E * n) / BYTES_PER_MICRO;
        return wasm.split(name, n, micros, 16, (s, len) => [px + s * E, po + s * E, len]);
      }
      walk(raw[`unary2d_${op}_${d}` as "unary2d_neg_f32"], [x], [E], out, E);
    };
  };

  const compare = (op: CompareOp): BinaryKernel => {
    const fallback = referenceKernels.compare[op];
    return (a, b, out) => {
      const d = kernelDType(a.dtype);
      if (
        d === undefined ||
        b.dtype !== a.dtype ||
        out.dtype !== "bool" ||
        !owns(a) ||
        !owns(b) ||
        !owns(out)
      ) {
        return fallback(a, b, out);
      }
      const E = BYTES[d];
      if (out.isContiguous()) {
        const n = out.numel();
        const o = ptr(out, 1);
        const aC = a.isContiguous();
        const bC = b.isContiguous();
        const kernel =
          aC && bC
            ? "vv"
            : aC && isBroadcastScalar(b)
              ? "vs"
              : bC && isBroadcastScalar(a)
                ? "sv"
                : "";
        if (kernel !== "") {
          const pa = kernel[0] === "v" ? ptr(a, E) : a.typed()[a.offset]!;
          const pb = kernel[1] === "v" ? ptr(b, E) : b.typed()[b.offset]!;
          const name = `compare_${op}_${d}_${kernel}` as const;
          if (n < PARALLEL_MIN_ELEMENTS)
            return (raw[name] as (...a: number[]) => void)(pa, pb, o, n);
          return wasm.split(name, n, ((2 * E + 1) * n) / BYTES_PER_MICRO, 16, (s, len) => [
            kernel[0] === "v" ? pa + s * E : pa,
            kernel[1] === "v" ? pb + s * E : pb,
            o + s,
            len,
          ]);
        }
      }
      walk(raw[`compare2d_${op}_${d}`], [a, b], [E, E], out, 1);
    };
  };

  return {
    binary,
    unary,
    compare,
    where(cond, a, b, out) {
      const d = kernelDType(out.dtype);
      const c1 = cond.dtype === "bool" || cond.dtype === "uint8";
      if (d === undefined || !c1 || a.dtype !== out.dtype || b.dtype !== out.dtype) {
        return referenceKernels.where(cond, a, b, out);
      }
      if (!owns(cond) || !owns(a) || !owns(b) || !owns(out)) {
        return referenceKernels.where(cond, a, b, out);
      }
      const E = BYTES[d];
      if (out.isContiguous() && cond.isContiguous()) {
        const n = out.numel();
        const o = ptr(out, E);
        const c = ptr(cond, 1);
        const aC = a.isContiguous();
        const bC = b.isContiguous();
        const aS = !aC && isBroadcastScalar(a);
        const bS = !bC && isBroadcastScalar(b);
        const av = () => a.typed()[a.offset]!;
        const bv = () => b.typed()[b.offset]!;
        const kernel = aC && bC ? "vv" : aC && bS ? "vs" : aS && bC ? "sv" : aS && bS ? "ss" : "";
        if (kernel !== "") {
          // a pointer, or the scalar, for each value operand
          const pa = aC ? ptr(a, E) : av();
          const pb = bC ? ptr(b, E) : bv();
          const fn = raw[`where_${d}_${kernel}`] as (...a: number[]) => void;
          if (n < PARALLEL_MIN_ELEMENTS) return fn(c, pa, pb, o, n);
          return wasm.split(
            `where_${d}_${kernel}`,
            n,
            ((1 + 2 * E) * n) / BYTES_PER_MICRO,
            16,
            (s, len) => [c + s, aC ? pa + s * E : pa, bC ? pb + s * E : pb, o + s * E, len],
          );
        }
      }
      walk(raw[`where2d_${d}`], [cond, a, b], [1, E, E], out, E);
    },
    thresholdBackward(grad, self, threshold, out) {
      const d = kernelDType(out.dtype);
      if (
        d === undefined ||
        grad.dtype !== out.dtype ||
        self.dtype !== out.dtype ||
        !owns(grad) ||
        !owns(self) ||
        !owns(out) ||
        !grad.isContiguous() ||
        !self.isContiguous() ||
        !out.isContiguous()
      ) {
        // broadcast or strided layouts, other dtypes: the reference kernel, explicitly
        return referenceKernels.thresholdBackward(grad, self, threshold, out);
      }
      const E = BYTES[d];
      const [pg, px, po, n] = [ptr(grad, E), ptr(self, E), ptr(out, E), out.numel()];
      const name = `thresholdBackward_${d}` as const;
      if (n < PARALLEL_MIN_ELEMENTS) return raw[name](pg, px, threshold, po, n);
      return wasm.split(name, n, (3 * E * n) / BYTES_PER_MICRO, 16, (s, len) => [
        pg + s * E,
        px + s * E,
        threshold,
        po + s * E,
        len,
      ]);
    },
    copy(src, dst) {
      const bytes = DTYPE_BYTES[dst.dtype];
      if (src.dtype !== dst.dtype || bytes === undefined || !owns(src) || !owns(dst)) {
        return referenceKernels.copy(src, dst);
      }
      walk(raw[`copy2d_${bytes}`], [src], [bytes], dst, bytes);
    },
  };
}
