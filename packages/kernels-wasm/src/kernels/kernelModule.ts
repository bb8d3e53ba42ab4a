// Assembles every kernel into one WebAssembly module over an imported memory, and describes its
// exports with types. The module is generated at runtime (no binary in git) and is about 60 KB.

import { ModuleBuilder } from "../asm/moduleBuilder";
import type { FloatDType } from "./dtype";
import {
  type BinaryLayout,
  type BinaryOp,
  emitElementwise,
  type MulAddLayout,
  type UnaryOp,
} from "./elementwise";
import { emitGemm, gemmConfigs } from "./gemm";
import { emitReductions, type ReduceOp } from "./reduce";
import { emitSoftmax, type SoftmaxOp, softmaxOps } from "./softmax";

/** Pointers are byte addresses into the memory; counts and strides are in elements. */
type Ptr = number;

/** `gemm_<dtype>`: C = (accumulate ? C : 0) + A @ B; see `emitGemm`. */
export type GemmFn = (
  m: number,
  n: number,
  k: number,
  a: Ptr,
  rsa: number,
  csa: number,
  b: Ptr,
  rsb: number,
  csb: number,
  c: Ptr,
  rsc: number,
  accumulate: number,
  work: Ptr,
) => void;
/** `binary_<op>_<dtype>_<layout>`: a pointer for each `v` operand, a number for each `s`. */
export type BinaryFn = (x: Ptr | number, y: Ptr | number, out: Ptr, n: number) => void;
/** Unary ops with an f64 kernel (all but exp). */
export type F64UnaryOp = Exclude<UnaryOp, "exp">;
/** `unary_<op>_<dtype>`. */
export type UnaryFn = (x: Ptr, out: Ptr, n: number) => void;
/** `mulAdd_<dtype>_<layout>`: out = a*b + c. */
export type MulAddFn = (a: Ptr, b: Ptr | number, c: Ptr | number, out: Ptr, n: number) => void;
/** `reduce_<op>_<dtype>` over the middle axis of [outer, r, inner]. */
export type ReduceFn = (x: Ptr, out: Ptr, outer: number, r: number, inner: number) => void;
/** `softmax_f32`, `logSoftmax_f32` over rows. */
export type RowFn = (x: Ptr, out: Ptr, rows: number, cols: number) => void;

/** The functions the kernel module exports, by name. */
export type KernelExports = { readonly [K in `gemm_${FloatDType}`]: GemmFn } & {
  readonly [K in `binary_${BinaryOp}_${FloatDType}_${BinaryLayout}`]: BinaryFn;
} & { readonly [K in `unary_${UnaryOp}_f32` | `unary_${F64UnaryOp}_f64`]: UnaryFn } & {
  readonly [K in `mulAdd_${FloatDType}_${MulAddLayout}`]: MulAddFn;
} & { readonly [K in `reduce_${ReduceOp}_${FloatDType}`]: ReduceFn } & {
  readonly [K in `${SoftmaxOp}_f32`]: RowFn;
};

/** Options of the generated module. */
export interface KernelModuleOptions {
  /** Import a shared memory (for worker threads). */
  readonly shared: boolean;
  /** Use relaxed-SIMD fused multiply-add in the GEMM micro-kernels (needs runtime support). */
  readonly relaxedSimd?: boolean;
}

/**
 * The kernel module's bytes. Its imports: `env.memory` (a memory of at most 65536 pages, shared
 * when `shared`) and `env.log` (`Math.log`).
 *
 * @example
 * const bytes = buildKernelModule({ shared: false });
 * WebAssembly.validate(bytes); // true
 */
export function buildKernelModule(options: KernelModuleOptions): Uint8Array {
  const m = new ModuleBuilder();
  const log = m.importFunc("env", "log", ["f64"], "f64");
  m.importMemory(
    "env",
    "memory",
    options.shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 },
  );
  const relaxed = options.relaxedSimd ?? false;
  emitGemm(m, { ...gemmConfigs.f32, relaxed });
  emitGemm(m, { ...gemmConfigs.f64, relaxed });
  emitElementwise(m);
  emitReductions(m);
  for (const op of softmaxOps) emitSoftmax(m, op, log);
  return m.toBytes();
}
