// Assembles every kernel into one WebAssembly module over an imported memory, and describes its
// exports with types. The module is generated at runtime (no binary in git) and is about 60 KB.

import { ModuleBuilder } from "../asm/moduleBuilder";
import { type CompareOp, emitCompareKernels, type WhereLayout } from "./compare";
import { emitConvKernels } from "./conv";
import { emitConvGemm } from "./convGemm";
import { emitConvSmall } from "./convSmall";
import type { FloatDType } from "./dtype";
import {
  type BinaryLayout,
  type BinaryOp,
  emitElementwise,
  type MulAddLayout,
  type UnaryOp,
} from "./elementwise";
import { emitAllFinite } from "./finite";
import { emitGemm, gemmConfigs } from "./gemm";
import { emitOptimKernels, type OptimFn, type OptimKernelName } from "./optim";
import { emitPoolKernels } from "./pool";
import { emitReductions, type ReduceOp } from "./reduce";
import { emitSoftmaxKernels, type SoftmaxBackwardOp, type SoftmaxOp } from "./softmax";
import { emitCopy2d } from "./strided";
import { emitWinograd, emitWinogradWeights, winogradVariants } from "./winograd";
import { emitWinogradWeight, type WinogradTile } from "./winogradWeight";

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
/** `unary_<op>_<dtype>`. */
export type UnaryFn = (x: Ptr, out: Ptr, n: number) => void;
/** `mulAdd_<dtype>_<layout>`: out = a*b + c. */
export type MulAddFn = (a: Ptr, b: Ptr | number, c: Ptr | number, out: Ptr, n: number) => void;
/** `reduce_<op>_<dtype>` over the middle axis of [outer, r, inner]. */
export type ReduceFn = (x: Ptr, out: Ptr, outer: number, r: number, inner: number) => void;
/** `softmax_f32`, `logSoftmax_f32` over rows. */
export type RowFn = (x: Ptr, out: Ptr, rows: number, cols: number) => void;
/** `softmaxBackward_f32`, `logSoftmaxBackward_f32` over rows, from the gradient and the output. */
export type RowBackwardFn = (g: Ptr, y: Ptr, out: Ptr, rows: number, cols: number) => void;

/** `compare_<op>_<dtype>_<layout>`: bytes 0/1 from x op y. */
export type CompareFn = (x: Ptr | number, y: Ptr | number, out: Ptr, n: number) => void;
/** `where_<dtype>_<layout>`: out = cond ? x : y. */
export type WhereFn = (cond: Ptr, x: Ptr | number, y: Ptr | number, out: Ptr, n: number) => void;
/** `thresholdBackward_<dtype>`: out = self <= threshold ? 0 : grad, contiguous. */
export type ThresholdBackwardFn = (
  grad: Ptr,
  self: Ptr,
  threshold: number,
  out: Ptr,
  n: number,
) => void;
/** A strided 2-D walker: `(p0, rs0, cs0, …, out, ors, ocs, rows, cols)`, strides in bytes. */
export type Walk1Fn = (...args: number[]) => void;
/** Convolution and pooling helpers (`im2col_<dtype>`, …): pointers, strides and sizes. */
export type ConvFn = (...args: number[]) => void;

/** The functions the kernel module exports, by name. */
export type KernelExports = { readonly [K in `gemm_${FloatDType}`]: GemmFn } & {
  readonly [K in `gemmPackB_${FloatDType}` | `gemmPackedB_${FloatDType}`]: ConvFn;
} & {
  readonly [K in `binary_${BinaryOp}_${FloatDType}_${BinaryLayout}`]: BinaryFn;
} & { readonly [K in `unary_${UnaryOp}_${FloatDType}`]: UnaryFn } & {
  readonly [K in `mulAdd_${FloatDType}_${MulAddLayout}`]: MulAddFn;
} & { readonly [K in `reduce_${ReduceOp}_${FloatDType}`]: ReduceFn } & {
  readonly [K in `${SoftmaxOp}_${FloatDType}`]: RowFn;
} & { readonly [K in `${SoftmaxBackwardOp}_${FloatDType}`]: RowBackwardFn } & {
  readonly [K in `compare_${CompareOp}_${FloatDType}_${"vv" | "vs" | "sv"}`]: CompareFn;
} & { readonly [K in `where_${FloatDType}_${WhereLayout}`]: WhereFn } & {
  readonly [K in `thresholdBackward_${FloatDType}`]: ThresholdBackwardFn;
} & { readonly [K in OptimKernelName]: OptimFn } & {
  readonly [K in
    | `binary2d_${BinaryOp}_${FloatDType}`
    | `unary2d_${UnaryOp}_${FloatDType}`
    | `compare2d_${CompareOp}_${FloatDType}`
    | `where2d_${FloatDType}`
    | `copy2d_${1 | 4 | 8}`]: Walk1Fn;
} & {
  readonly [K in
    | `im2col_${FloatDType}`
    | `col2im_${FloatDType}`
    | `maxPool2d_${FloatDType}`
    | `maxPool2dBackward_${FloatDType}`
    | "maxPool2d2x2_f32"
    | "maxPool2dBackward2x2_f32"]: ConvFn;
} & {
  readonly [K in
    | "convGemm_f32"
    | "convGemm4_f32"
    | "convDot_f32"
    | "convPack_f32"
    | "convPack4_f32"
    | "padCopy_f32"
    | "convSmall_f32"
    | "convSmallGradW_f32"
    | "convSmallSum_f32"
    | "nhwcCopy_f32"]: ConvFn;
} & {
  readonly [K in `wino${"Input" | "Grad" | "Finish"}${WinogradTile}_f32`]: ConvFn;
} & { readonly [K in `wino${"Conv" | "Weights"}${2 | 4}_f32`]: ConvFn } & {
  /** 1 when the n float32 values at p are all finite, else 0. */
  readonly allFinite_f32: (p: Ptr, n: number) => number;
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
  emitSoftmaxKernels(m, log);
  emitCompareKernels(m);
  for (const bytes of [1, 4, 8] as const) emitCopy2d(m, bytes);
  emitConvKernels(m);
  emitConvGemm(m, relaxed);
  emitConvSmall(m);
  emitWinograd(m, winogradVariants[4], relaxed);
  emitWinograd(m, winogradVariants[2], relaxed);
  emitWinogradWeights(m, winogradVariants[4]);
  emitWinogradWeights(m, winogradVariants[2]);
  emitWinogradWeight(m);
  emitAllFinite(m);
  emitPoolKernels(m);
  emitOptimKernels(m);
  return m.toBytes();
}
