// The typed WebAssembly assembler: module builder, function-body builder, opcode tables.

export { CodeBuilder, type FuncRef, type Label, Local } from "./codeBuilder";
export { ByteWriter } from "./encoding";
export { type FuncSpec, type MemoryLimits, ModuleBuilder, type ParamLocals } from "./moduleBuilder";
export type {
  AtomicNamespace,
  F32Namespace,
  F32x4Namespace,
  F64Namespace,
  F64x2Namespace,
  I8x16Namespace,
  I16x8Namespace,
  I32Namespace,
  I32x4Namespace,
  I64Namespace,
  I64x2Namespace,
  V128Namespace,
} from "./namespaces";
export type { ValType } from "./opcodes";
export type { MemArg, Val } from "./val";
