// Per-dtype facts the kernel generators share: element size, SIMD lanes and the instruction
// namespaces to use, so one generator emits both the f32x4 and the f64x2 version of a kernel.

import type { CodeBuilder, Local } from "../asm/codeBuilder";
import type { F32Namespace, F32x4Namespace } from "../asm/namespaces";
import type { MemArg, Val } from "../asm/val";

/** Float dtypes with WASM kernels. */
export type FloatDType = "f32" | "f64";

/** What a generator needs to know about a float dtype. */
export interface DTypeInfo {
  readonly name: FloatDType;
  /** Bytes per element. */
  readonly bytes: number;
  /** log2(bytes), to turn element counts into byte offsets with a shift. */
  readonly shift: number;
  /** Elements per v128. */
  readonly lanes: number;
}

/** Facts about each float dtype. */
export const dtypes: { readonly [D in FloatDType]: DTypeInfo } = {
  f32: { name: "f32", bytes: 4, shift: 2, lanes: 4 },
  f64: { name: "f64", bytes: 8, shift: 3, lanes: 2 },
};

/**
 * Scalar and vector instructions of a float dtype, bound to one function body. The f64 and f64x2
 * namespaces have the same instruction names as f32 and f32x4, so a generator is written once
 * against the f32 typing; `Val<"f32">` then means "a scalar of the kernel's dtype".
 */
export interface FloatOps {
  readonly info: DTypeInfo;
  readonly scalar: F32Namespace;
  readonly vec: F32x4Namespace;
  /** Loads one element. */
  load(addr: Val<"i32">, m?: MemArg): Val<"f32">;
  /** Stores one element. */
  store(addr: Val<"i32">, value: Val<"f32">, m?: MemArg): void;
  /** Loads one element and splats it to every lane. */
  loadSplat(addr: Val<"i32">, m?: MemArg): Val<"v128">;
  /** A scalar constant. */
  const(x: number): Val<"f32">;
  /** Declares a scalar local of the dtype. */
  local(): Local<"f32">;
}

/**
 * The instructions of dtype `d` in body `b`.
 *
 * @example
 * const t = floatOps(b, "f32");
 * t.vec.add(t.loadSplat(p.x.get()), b.v128.load(p.y.get()));
 */
export function floatOps(b: CodeBuilder, d: FloatDType): FloatOps {
  const info = dtypes[d];
  const scalar = (d === "f32" ? b.f32 : b.f64) as unknown as F32Namespace;
  return {
    info,
    scalar,
    vec: (d === "f32" ? b.f32x4 : b.f64x2) as unknown as F32x4Namespace,
    load: (a, m) => scalar.load(a, m),
    store: (a, v, m) => scalar.store(a, v, m),
    loadSplat: (a, m) => (d === "f32" ? b.v128.load32Splat(a, m) : b.v128.load64Splat(a, m)),
    const: (x) => scalar.const(x),
    local: () => b.local(d) as unknown as Local<"f32">,
  };
}
