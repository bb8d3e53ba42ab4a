// Typed stack-value tokens and memory immediates shared by the instruction builders.
// A `Val<T>` is a token returned by every instruction that pushes a value of type T: passing it as
// an operand documents and checks the data flow. Bytes are emitted in call order, so nested calls
// (`f32x4.add(a.get(), v128.load(p.get()))`) produce correct stack code, and the operand-stack
// model rejects a token used out of that order.

import type { ValType } from "./opcodes";
import type { OperandStack } from "./operandStack";

/** A value of type T that has just been pushed on the WebAssembly operand stack. */
export interface Val<T extends ValType> {
  readonly type: T;
}

/** Immediates of a load or store: a constant byte offset and an alignment hint in bytes. */
export interface MemArg {
  /** Added to the address operand (unsigned, < 2^32). Default 0. */
  readonly offset?: number;
  /** Alignment hint in bytes: a power of two no larger than the access size. Default natural. */
  readonly align?: number;
}

/** The byte sink the typed instruction namespaces emit into (implemented by `CodeBuilder`). */
export interface Emitter {
  /** The operand-stack model every instruction updates. */
  readonly stack: OperandStack;
  /** Emits a one-byte opcode. */
  op(code: number): void;
  /** Emits a prefix byte and a LEB128 sub-opcode. */
  prefixed(prefix: number, code: number): void;
  /** Emits the memory immediate of an access of `naturalAlign` bytes. */
  memarg(naturalAlign: number, m?: MemArg): void;
  /** Emits raw immediate bytes. */
  raw(bytes: ArrayLike<number>): void;
  /** Emits a signed LEB128 32-bit immediate. */
  s32(value: number): void;
  /** Emits a signed LEB128 64-bit immediate. */
  s64(value: bigint): void;
  /** Emits an f32 immediate. */
  f32(value: number): void;
  /** Emits an f64 immediate. */
  f64(value: number): void;
}
