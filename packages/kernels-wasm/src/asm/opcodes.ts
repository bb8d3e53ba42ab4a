// Opcode tables of the WebAssembly instructions the assembler emits: core numeric, memory,
// SIMD128 (prefix 0xfd), relaxed SIMD and atomics (prefix 0xfe). Each entry is
// [opcode, operand types, result type]; the builder derives its typed methods from these tables,
// so call sites name instructions and never write opcode numbers.

/** The value types this assembler knows. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";

/** Binary codes of the value types. */
export const valTypeCode: { readonly [T in ValType]: number } = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

/** Opcodes of control and variable instructions (single byte). */
export const controlOp = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  memorySize: 0x3f,
  memoryGrow: 0x40,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
} as const;

/** Prefix bytes of multi-byte opcodes. */
export const prefix = { bulk: 0xfc, simd: 0xfd, atomic: 0xfe } as const;

/** Bulk memory instructions (sub-opcodes after 0xfc). */
export const bulkOp = { memoryCopy: 10, memoryFill: 11 } as const;

/** An instruction table entry: opcode, operand types (bottom of stack first), result type. */
export type OpSpec = readonly [code: number, args: readonly ValType[], result: ValType];
/** A table of instructions keyed by their camelCase name. */
export type OpTable = { readonly [name: string]: OpSpec };
/** A load or store table entry: opcode and natural alignment in bytes. */
export type MemSpec = readonly [code: number, naturalAlign: number];
/** A table of loads or stores keyed by their camelCase name. */
export type MemTable = { readonly [name: string]: MemSpec };

const I = "i32";
const L = "i64";
const F = "f32";
const D = "f64";
const V = "v128";

/** i32 instructions without immediates. */
// biome-ignore format: dense opcode table
export const i32Ops = {
  eqz: [0x45, [I], I], eq: [0x46, [I, I], I], ne: [0x47, [I, I], I],
  ltS: [0x48, [I, I], I], ltU: [0x49, [I, I], I], gtS: [0x4a, [I, I], I], gtU: [0x4b, [I, I], I],
  leS: [0x4c, [I, I], I], leU: [0x4d, [I, I], I], geS: [0x4e, [I, I], I], geU: [0x4f, [I, I], I],
  clz: [0x67, [I], I], ctz: [0x68, [I], I], popcnt: [0x69, [I], I],
  add: [0x6a, [I, I], I], sub: [0x6b, [I, I], I], mul: [0x6c, [I, I], I],
  divS: [0x6d, [I, I], I], divU: [0x6e, [I, I], I], remS: [0x6f, [I, I], I], remU: [0x70, [I, I], I],
  and: [0x71, [I, I], I], or: [0x72, [I, I], I], xor: [0x73, [I, I], I],
  shl: [0x74, [I, I], I], shrS: [0x75, [I, I], I], shrU: [0x76, [I, I], I],
  rotl: [0x77, [I, I], I], rotr: [0x78, [I, I], I],
  wrapI64: [0xa7, [L], I],
  truncF32S: [0xa8, [F], I], truncF32U: [0xa9, [F], I],
  truncF64S: [0xaa, [D], I], truncF64U: [0xab, [D], I],
  reinterpretF32: [0xbc, [F], I], extend8S: [0xc0, [I], I], extend16S: [0xc1, [I], I],
} as const satisfies OpTable;

/** i64 instructions without immediates. */
// biome-ignore format: dense opcode table
export const i64Ops = {
  eqz: [0x50, [L], I], eq: [0x51, [L, L], I], ne: [0x52, [L, L], I],
  ltS: [0x53, [L, L], I], ltU: [0x54, [L, L], I], gtS: [0x55, [L, L], I], gtU: [0x56, [L, L], I],
  leS: [0x57, [L, L], I], leU: [0x58, [L, L], I], geS: [0x59, [L, L], I], geU: [0x5a, [L, L], I],
  clz: [0x79, [L], L], ctz: [0x7a, [L], L], popcnt: [0x7b, [L], L],
  add: [0x7c, [L, L], L], sub: [0x7d, [L, L], L], mul: [0x7e, [L, L], L],
  divS: [0x7f, [L, L], L], divU: [0x80, [L, L], L], remS: [0x81, [L, L], L], remU: [0x82, [L, L], L],
  and: [0x83, [L, L], L], or: [0x84, [L, L], L], xor: [0x85, [L, L], L],
  shl: [0x86, [L, L], L], shrS: [0x87, [L, L], L], shrU: [0x88, [L, L], L],
  rotl: [0x89, [L, L], L], rotr: [0x8a, [L, L], L],
  extendI32S: [0xac, [I], L], extendI32U: [0xad, [I], L],
  truncF32S: [0xae, [F], L], truncF32U: [0xaf, [F], L],
  truncF64S: [0xb0, [D], L], truncF64U: [0xb1, [D], L],
  reinterpretF64: [0xbd, [D], L],
} as const satisfies OpTable;

/** f32 instructions without immediates. */
// biome-ignore format: dense opcode table
export const f32Ops = {
  eq: [0x5b, [F, F], I], ne: [0x5c, [F, F], I], lt: [0x5d, [F, F], I],
  gt: [0x5e, [F, F], I], le: [0x5f, [F, F], I], ge: [0x60, [F, F], I],
  abs: [0x8b, [F], F], neg: [0x8c, [F], F], ceil: [0x8d, [F], F], floor: [0x8e, [F], F],
  trunc: [0x8f, [F], F], nearest: [0x90, [F], F], sqrt: [0x91, [F], F],
  add: [0x92, [F, F], F], sub: [0x93, [F, F], F], mul: [0x94, [F, F], F], div: [0x95, [F, F], F],
  min: [0x96, [F, F], F], max: [0x97, [F, F], F], copysign: [0x98, [F, F], F],
  convertI32S: [0xb2, [I], F], convertI32U: [0xb3, [I], F],
  convertI64S: [0xb4, [L], F], convertI64U: [0xb5, [L], F],
  demoteF64: [0xb6, [D], F], reinterpretI32: [0xbe, [I], F],
} as const satisfies OpTable;

/** f64 instructions without immediates. */
// biome-ignore format: dense opcode table
export const f64Ops = {
  eq: [0x61, [D, D], I], ne: [0x62, [D, D], I], lt: [0x63, [D, D], I],
  gt: [0x64, [D, D], I], le: [0x65, [D, D], I], ge: [0x66, [D, D], I],
  abs: [0x99, [D], D], neg: [0x9a, [D], D], ceil: [0x9b, [D], D], floor: [0x9c, [D], D],
  trunc: [0x9d, [D], D], nearest: [0x9e, [D], D], sqrt: [0x9f, [D], D],
  add: [0xa0, [D, D], D], sub: [0xa1, [D, D], D], mul: [0xa2, [D, D], D], div: [0xa3, [D, D], D],
  min: [0xa4, [D, D], D], max: [0xa5, [D, D], D], copysign: [0xa6, [D, D], D],
  convertI32S: [0xb7, [I], D], convertI32U: [0xb8, [I], D],
  convertI64S: [0xb9, [L], D], convertI64U: [0xba, [L], D],
  promoteF32: [0xbb, [F], D], reinterpretI64: [0xbf, [L], D],
} as const satisfies OpTable;

/** Scalar loads and stores. */
// biome-ignore format: dense opcode table
export const i32Loads = {
  load: [0x28, 4], load8S: [0x2c, 1], load8U: [0x2d, 1], load16S: [0x2e, 2], load16U: [0x2f, 2],
} as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const i32Stores = { store: [0x36, 4], store8: [0x3a, 1], store16: [0x3b, 2] } as const;
// biome-ignore format: dense opcode table
export const i64Loads = {
  load: [0x29, 8], load8S: [0x30, 1], load8U: [0x31, 1], load16S: [0x32, 2], load16U: [0x33, 2],
  load32S: [0x34, 4], load32U: [0x35, 4],
} as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const i64Stores = {
  store: [0x37, 8], store8: [0x3c, 1], store16: [0x3d, 2], store32: [0x3e, 4],
} as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const f32Loads = { load: [0x2a, 4] } as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const f32Stores = { store: [0x38, 4] } as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const f64Loads = { load: [0x2b, 8] } as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const f64Stores = { store: [0x39, 8] } as const satisfies MemTable;

/** SIMD loads (sub-opcodes after the 0xfd prefix); every one yields a v128. */
// biome-ignore format: dense opcode table
export const v128Loads = {
  load: [0x00, 16],
  load8x8S: [0x01, 8], load8x8U: [0x02, 8], load16x4S: [0x03, 8], load16x4U: [0x04, 8],
  load32x2S: [0x05, 8], load32x2U: [0x06, 8],
  load8Splat: [0x07, 1], load16Splat: [0x08, 2], load32Splat: [0x09, 4], load64Splat: [0x0a, 8],
  load32Zero: [0x5c, 4], load64Zero: [0x5d, 8],
} as const satisfies MemTable;
// biome-ignore format: dense opcode table
export const v128Stores = { store: [0x0b, 16] } as const satisfies MemTable;

/** Bitwise v128 instructions (sub-opcodes after 0xfd). */
// biome-ignore format: dense opcode table
export const v128Ops = {
  not: [0x4d, [V], V], and: [0x4e, [V, V], V], andnot: [0x4f, [V, V], V],
  or: [0x50, [V, V], V], xor: [0x51, [V, V], V], bitselect: [0x52, [V, V, V], V],
  anyTrue: [0x53, [V], I], swizzle: [0x0e, [V, V], V],
} as const satisfies OpTable;

/** i8x16 instructions without immediates (sub-opcodes after 0xfd): masks and narrowing. */
// biome-ignore format: dense opcode table
export const i8x16Ops = {
  splat: [0x0f, [I], V],
  eq: [0x23, [V, V], V], ne: [0x24, [V, V], V],
  allTrue: [0x63, [V], I], bitmask: [0x64, [V], I],
  narrowI16x8S: [0x65, [V, V], V], narrowI16x8U: [0x66, [V, V], V],
  add: [0x6e, [V, V], V], sub: [0x71, [V, V], V],
} as const satisfies OpTable;

/** i16x8 instructions without immediates (sub-opcodes after 0xfd): masks and widening. */
// biome-ignore format: dense opcode table
export const i16x8Ops = {
  splat: [0x10, [I], V],
  eq: [0x2d, [V, V], V], ne: [0x2e, [V, V], V],
  narrowI32x4S: [0x85, [V, V], V], narrowI32x4U: [0x86, [V, V], V],
  extendLowI8x16S: [0x87, [V], V], extendHighI8x16S: [0x88, [V], V],
  extendLowI8x16U: [0x89, [V], V], extendHighI8x16U: [0x8a, [V], V],
  add: [0x8e, [V, V], V], sub: [0x91, [V, V], V], mul: [0x95, [V, V], V],
} as const satisfies OpTable;

/** i32x4 instructions without immediates (sub-opcodes after 0xfd). */
// biome-ignore format: dense opcode table
export const i32x4Ops = {
  splat: [0x11, [I], V],
  eq: [0x37, [V, V], V], ne: [0x38, [V, V], V], ltS: [0x39, [V, V], V], ltU: [0x3a, [V, V], V],
  gtS: [0x3b, [V, V], V], gtU: [0x3c, [V, V], V], leS: [0x3d, [V, V], V], leU: [0x3e, [V, V], V],
  geS: [0x3f, [V, V], V], geU: [0x40, [V, V], V],
  abs: [0xa0, [V], V], neg: [0xa1, [V], V], allTrue: [0xa3, [V], I], bitmask: [0xa4, [V], I],
  shl: [0xab, [V, I], V], shrS: [0xac, [V, I], V], shrU: [0xad, [V, I], V],
  add: [0xae, [V, V], V], sub: [0xb1, [V, V], V], mul: [0xb5, [V, V], V],
  minS: [0xb6, [V, V], V], minU: [0xb7, [V, V], V], maxS: [0xb8, [V, V], V], maxU: [0xb9, [V, V], V],
  truncSatF32x4S: [0xf8, [V], V], truncSatF32x4U: [0xf9, [V], V],
  truncSatF64x2SZero: [0xfc, [V], V], truncSatF64x2UZero: [0xfd, [V], V],
  extendLowI16x8S: [0xa7, [V], V], extendHighI16x8S: [0xa8, [V], V],
  extendLowI16x8U: [0xa9, [V], V], extendHighI16x8U: [0xaa, [V], V],
} as const satisfies OpTable;

/** i64x2 instructions without immediates (sub-opcodes after 0xfd). */
// biome-ignore format: dense opcode table
export const i64x2Ops = {
  splat: [0x12, [L], V],
  shl: [0xcb, [V, I], V], shrS: [0xcc, [V, I], V], shrU: [0xcd, [V, I], V],
  add: [0xce, [V, V], V], sub: [0xd1, [V, V], V], mul: [0xd5, [V, V], V],
  eq: [0xd6, [V, V], V], ne: [0xd7, [V, V], V],
  extendLowI32x4S: [0xc7, [V], V], extendHighI32x4S: [0xc8, [V], V],
  extendLowI32x4U: [0xc9, [V], V], extendHighI32x4U: [0xca, [V], V],
} as const satisfies OpTable;

/** f32x4 instructions without immediates (sub-opcodes after 0xfd); relaxed ones need detection. */
// biome-ignore format: dense opcode table
export const f32x4Ops = {
  splat: [0x13, [F], V],
  eq: [0x41, [V, V], V], ne: [0x42, [V, V], V], lt: [0x43, [V, V], V],
  gt: [0x44, [V, V], V], le: [0x45, [V, V], V], ge: [0x46, [V, V], V],
  demoteF64x2Zero: [0x5e, [V], V],
  ceil: [0x67, [V], V], floor: [0x68, [V], V], trunc: [0x69, [V], V], nearest: [0x6a, [V], V],
  abs: [0xe0, [V], V], neg: [0xe1, [V], V], sqrt: [0xe3, [V], V],
  add: [0xe4, [V, V], V], sub: [0xe5, [V, V], V], mul: [0xe6, [V, V], V], div: [0xe7, [V, V], V],
  min: [0xe8, [V, V], V], max: [0xe9, [V, V], V], pmin: [0xea, [V, V], V], pmax: [0xeb, [V, V], V],
  convertI32x4S: [0xfa, [V], V], convertI32x4U: [0xfb, [V], V],
  relaxedMadd: [0x105, [V, V, V], V], relaxedNmadd: [0x106, [V, V, V], V],
  relaxedMin: [0x10d, [V, V], V], relaxedMax: [0x10e, [V, V], V],
} as const satisfies OpTable;

/** f64x2 instructions without immediates (sub-opcodes after 0xfd); relaxed ones need detection. */
// biome-ignore format: dense opcode table
export const f64x2Ops = {
  splat: [0x14, [D], V],
  eq: [0x47, [V, V], V], ne: [0x48, [V, V], V], lt: [0x49, [V, V], V],
  gt: [0x4a, [V, V], V], le: [0x4b, [V, V], V], ge: [0x4c, [V, V], V],
  promoteLowF32x4: [0x5f, [V], V],
  ceil: [0x74, [V], V], floor: [0x75, [V], V], trunc: [0x7a, [V], V], nearest: [0x94, [V], V],
  abs: [0xec, [V], V], neg: [0xed, [V], V], sqrt: [0xef, [V], V],
  add: [0xf0, [V, V], V], sub: [0xf1, [V, V], V], mul: [0xf2, [V, V], V], div: [0xf3, [V, V], V],
  min: [0xf4, [V, V], V], max: [0xf5, [V, V], V], pmin: [0xf6, [V, V], V], pmax: [0xf7, [V, V], V],
  convertLowI32x4S: [0xfe, [V], V], convertLowI32x4U: [0xff, [V], V],
  relaxedMadd: [0x107, [V, V, V], V], relaxedNmadd: [0x108, [V, V, V], V],
  relaxedMin: [0x10f, [V, V], V], relaxedMax: [0x110, [V, V], V],
} as const satisfies OpTable;

/** Lane access sub-opcodes (after 0xfd), with the scalar type of a lane and the lane count. */
export const laneOps = {
  i32x4: { extract: 0x1b, replace: 0x1c, scalar: I, lanes: 4 },
  i64x2: { extract: 0x1d, replace: 0x1e, scalar: L, lanes: 2 },
  f32x4: { extract: 0x1f, replace: 0x20, scalar: F, lanes: 4 },
  f64x2: { extract: 0x21, replace: 0x22, scalar: D, lanes: 2 },
} as const;

/** v128.const and i8x16.shuffle sub-opcodes (they carry 16 immediate bytes). */
export const simdImmOp = { const: 0x0c, shuffle: 0x0d } as const;

/** Atomic instructions (sub-opcodes after 0xfe); they need a shared memory to run in parallel. */
// biome-ignore format: dense opcode table
export const atomicOps = {
  notify: [0x00, 4], wait32: [0x01, 4], fence: [0x03, 0],
  i32Load: [0x10, 4], i32Store: [0x17, 4], i32RmwAdd: [0x1e, 4], i32RmwSub: [0x25, 4],
  i32RmwXchg: [0x41, 4], i32RmwCmpxchg: [0x48, 4],
} as const satisfies MemTable;
