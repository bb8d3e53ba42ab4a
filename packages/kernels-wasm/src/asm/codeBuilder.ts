// The body of one WebAssembly function: typed locals, structured control flow with label objects
// (no hand-counted branch depths) and the typed instruction namespaces. `ModuleBuilder.func`
// creates one and hands it to the body callback.

import { ByteWriter } from "./encoding";
import { makeNamespaces, type Namespaces } from "./namespaces";
import { bulkOp, controlOp, prefix, type ValType, valTypeCode } from "./opcodes";
import { OperandStack } from "./operandStack";
import type { Emitter, MemArg, Val } from "./val";

/** A local variable (or parameter) of type T. */
export class Local<T extends ValType> {
  readonly index: number;
  readonly type: T;
  readonly #code: CodeBuilder;

  /** @internal Created by `CodeBuilder.local` and for parameters. */
  constructor(code: CodeBuilder, index: number, type: T) {
    this.#code = code;
    this.index = index;
    this.type = type;
  }

  /** `local.get`: pushes the local's value. */
  get(): Val<T> {
    const e = this.#code.emitter;
    e.op(controlOp.localGet);
    e.u32(this.index);
    return e.stack.push(this.type);
  }

  /** `local.set`: pops a value into the local. */
  set(value?: Val<T>): void {
    const e = this.#code.emitter;
    e.op(controlOp.localSet);
    e.u32(this.index);
    e.stack.apply("local.set", [this.type], undefined, [value]);
  }

  /** `local.tee`: stores the top of the stack into the local and leaves it there. */
  tee(value?: Val<T>): Val<T> {
    const e = this.#code.emitter;
    e.op(controlOp.localTee);
    e.u32(this.index);
    return e.stack.apply("local.tee", [this.type], this.type, [value]);
  }
}

/** A branch target: the block, loop or if that a body callback received. */
export interface Label {
  readonly kind: "block" | "loop" | "if";
}

interface Frame extends Label {
  open: boolean;
  /** Types a branch to this label carries (a block's result; nothing for a loop). */
  readonly branch: readonly ValType[];
}

/** A function that `call` can target: its index in the module and its result type. */
export interface FuncRef<R extends ValType | undefined = ValType | undefined> {
  readonly index: number;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly result: R;
}

/** `[T, T, …]` of length N for a literal N, else `T[]`. */
export type Tuple<T, N extends number, R extends T[] = []> = number extends N
  ? T[]
  : R["length"] extends N
    ? R
    : Tuple<T, N, [T, ...R]>;

type CallResult<R> = R extends ValType ? Val<R> : undefined;

/** @internal The byte sink of one function body. */
export class BodyEmitter implements Emitter {
  readonly w = new ByteWriter();
  readonly stack: OperandStack;
  constructor(result: ValType | undefined) {
    this.stack = new OperandStack(result);
  }
  op(code: number): void {
    this.w.byte(code);
  }
  prefixed(prefix: number, code: number): void {
    this.w.byte(prefix).u32(code);
  }
  memarg(naturalAlign: number, m?: MemArg): void {
    const align = m?.align ?? naturalAlign;
    const log2 = Math.log2(align);
    if (!Number.isInteger(log2) || align > Math.max(naturalAlign, 1)) {
      throw new RangeError(`alignment ${align} must be a power of two ≤ ${naturalAlign}`);
    }
    this.w.u32(log2).u32(m?.offset ?? 0);
  }
  raw(bytes: ArrayLike<number>): void {
    this.w.bytes(bytes);
  }
  u32(value: number): void {
    this.w.u32(value);
  }
  s32(value: number): void {
    this.w.s32(value);
  }
  s64(value: bigint): void {
    this.w.s64(value);
  }
  f32(value: number): void {
    this.w.f32(value);
  }
  f64(value: number): void {
    this.w.f64(value);
  }
}

/**
 * Builds one function body. Instructions are emitted in call order; operands passed as `Val`
 * tokens are there for typing and readability.
 *
 * @example
 * // (a, b) => a * b + 1, in a `ModuleBuilder.func` body callback:
 * b.i32.add(b.i32.mul(p.a.get(), p.b.get()), b.i32.const(1));
 */
export class CodeBuilder implements Namespaces {
  /** @internal The byte sink; namespaces and locals write through it. */
  readonly emitter: BodyEmitter;
  readonly i32;
  readonly i64;
  readonly f32;
  readonly f64;
  readonly v128;
  readonly i8x16;
  readonly i16x8;
  readonly i32x4;
  readonly i64x2;
  readonly f32x4;
  readonly f64x2;
  readonly atomic;
  readonly #localTypes: ValType[] = [];
  readonly #paramCount: number;
  readonly #frames: Frame[] = [];
  readonly #result: ValType | undefined;

  constructor(params: readonly ValType[], result?: ValType) {
    this.emitter = new BodyEmitter(result);
    this.#result = result;
    this.#paramCount = params.length;
    this.#localTypes.push(...params);
    const ns = makeNamespaces(this.emitter);
    this.i32 = ns.i32;
    this.i64 = ns.i64;
    this.f32 = ns.f32;
    this.f64 = ns.f64;
    this.v128 = ns.v128;
    this.i8x16 = ns.i8x16;
    this.i16x8 = ns.i16x8;
    this.i32x4 = ns.i32x4;
    this.i64x2 = ns.i64x2;
    this.f32x4 = ns.f32x4;
    this.f64x2 = ns.f64x2;
    this.atomic = ns.atomic;
  }

  /** @internal The local for parameter `index`. */
  param<T extends ValType>(index: number, type: T): Local<T> {
    return new Local(this, index, type);
  }

  /** Declares a new local of type T (zero-initialised). */
  local<T extends ValType>(type: T): Local<T> {
    this.#localTypes.push(type);
    return new Local(this, this.#localTypes.length - 1, type);
  }

  /** Declares `count` locals of type T (a tuple when `count` is a literal). */
  locals<T extends ValType, N extends number>(type: T, count: N): Tuple<Local<T>, N> {
    return Array.from({ length: count }, () => this.local(type)) as Tuple<Local<T>, N>;
  }

  #structured(
    kind: Frame["kind"],
    opcode: number,
    type: ValType | undefined,
    body: (l: Label) => void,
  ): Val<ValType> | undefined {
    this.emitter.op(opcode);
    this.emitter.op(type === undefined ? 0x40 : valTypeCode[type]);
    const branch = kind === "loop" || type === undefined ? [] : [type];
    const frame: Frame = { kind, open: true, branch };
    this.#frames.push(frame);
    this.emitter.stack.enter(type);
    body(frame);
    return this.#close(frame);
  }

  #close(frame: Frame): Val<ValType> | undefined {
    if (this.#frames.at(-1) !== frame) throw new Error("asm: blocks closed out of order");
    this.#frames.pop();
    frame.open = false;
    this.emitter.op(controlOp.end);
    return this.emitter.stack.exit();
  }

  /** `block … end`: a `br` to its label jumps past the end. */
  block(body: (exit: Label) => void): void;
  block<T extends ValType>(type: T, body: (exit: Label) => void): Val<T>;
  block(a: ValType | ((l: Label) => void), b?: (l: Label) => void): Val<ValType> | undefined {
    if (typeof a === "function") {
      this.#structured("block", controlOp.block, undefined, a);
      return undefined;
    }
    return this.#structured("block", controlOp.block, a, b!);
  }

  /** `loop … end`: a `br` to its label jumps back to the start. */
  loop(body: (start: Label) => void): void {
    this.#structured("loop", controlOp.loop, undefined, body);
  }

  /** `if … else … end` on an i32 condition (already pushed, or passed as the token). */
  if(cond: Val<"i32"> | undefined, then: (l: Label) => void, otherwise?: (l: Label) => void): void {
    this.emitter.op(controlOp.if);
    this.emitter.op(0x40);
    this.emitter.stack.apply("if", ["i32"], undefined, [cond]);
    const frame: Frame = { kind: "if", open: true, branch: [] };
    this.#frames.push(frame);
    this.emitter.stack.enter(undefined);
    then(frame);
    if (otherwise) {
      this.emitter.op(controlOp.else);
      this.emitter.stack.else();
      otherwise(frame);
    }
    this.#close(frame);
  }

  #target(label: Label): { depth: number; frame: Frame } {
    const i = this.#frames.lastIndexOf(label as Frame);
    if (i < 0) throw new Error("asm: branch to a label that is not open here");
    return { depth: this.#frames.length - 1 - i, frame: this.#frames[i]! };
  }

  /** `br`: jumps to a label (end of a block/if, start of a loop). */
  br(label: Label, value?: Val<ValType>): void {
    const { depth, frame } = this.#target(label);
    this.emitter.op(controlOp.br);
    this.emitter.u32(depth);
    this.emitter.stack.apply("br", frame.branch, undefined, [value]);
    this.emitter.stack.markUnreachable();
  }

  /** `br_if`: jumps to a label when the i32 condition is non-zero. */
  brIf(label: Label, cond?: Val<"i32">): void {
    const { depth, frame } = this.#target(label);
    this.emitter.op(controlOp.brIf);
    this.emitter.u32(depth);
    this.emitter.stack.apply("br_if", ["i32"], undefined, [cond]);
    for (const t of frame.branch) this.emitter.stack.apply("br_if", [t], t);
  }

  /** `return`, with the function's result when it has one. */
  return(value?: Val<ValType>): void {
    this.emitter.op(controlOp.return);
    const result = this.#result === undefined ? [] : [this.#result];
    this.emitter.stack.apply("return", result, undefined, [value]);
    this.emitter.stack.markUnreachable();
  }

  /** `unreachable`: traps. */
  unreachable(): void {
    this.emitter.op(controlOp.unreachable);
    this.emitter.stack.markUnreachable();
  }

  /** `drop`: discards the top of the stack. */
  drop(value?: Val<ValType>): void {
    this.emitter.op(controlOp.drop);
    const t = value?.type ?? this.emitter.stack.peekType(0, "drop");
    this.emitter.stack.apply("drop", [t], undefined, [value]);
  }

  /** `select`: `cond ? a : b` without branching (numeric types and v128). */
  select<T extends ValType>(a?: Val<T>, b?: Val<T>, cond?: Val<"i32">): Val<T> {
    this.emitter.op(controlOp.select);
    const t = (a?.type ?? this.emitter.stack.peekType(1, "select")) as T;
    return this.emitter.stack.apply("select", [t, t, "i32"], t, [a, b, cond]);
  }

  /** `call`: calls a function of this module with its arguments. */
  call<R extends ValType | undefined>(fn: FuncRef<R>, ...args: Val<ValType>[]): CallResult<R> {
    this.emitter.op(controlOp.call);
    this.emitter.u32(fn.index);
    return this.emitter.stack.apply(`call ${fn.name}`, fn.params, fn.result, args) as CallResult<R>;
  }

  /** `memory.size`: the memory's size in 64 KiB pages. */
  memorySize(): Val<"i32"> {
    this.emitter.op(controlOp.memorySize);
    this.emitter.op(0);
    return this.emitter.stack.push("i32");
  }

  /** `memory.grow`: grows by a number of pages; yields the old size or -1. */
  memoryGrow(pages?: Val<"i32">): Val<"i32"> {
    this.emitter.op(controlOp.memoryGrow);
    this.emitter.op(0);
    return this.emitter.stack.apply("memory.grow", ["i32"], "i32", [pages]);
  }

  /** `memory.fill`: sets `len` bytes at `dst` to the byte `value`. */
  memoryFill(dst?: Val<"i32">, value?: Val<"i32">, len?: Val<"i32">): void {
    this.emitter.prefixed(prefix.bulk, bulkOp.memoryFill);
    this.emitter.op(0);
    this.emitter.stack.apply("memory.fill", ["i32", "i32", "i32"], undefined, [dst, value, len]);
  }

  /** `memory.copy`: copies `len` bytes from `src` to `dst` (overlap allowed). */
  memoryCopy(dst?: Val<"i32">, src?: Val<"i32">, len?: Val<"i32">): void {
    this.emitter.prefixed(prefix.bulk, bulkOp.memoryCopy);
    this.emitter.op(0);
    this.emitter.op(0);
    this.emitter.stack.apply("memory.copy", ["i32", "i32", "i32"], undefined, [dst, src, len]);
  }

  /** `local += by` for an i32 local (a pointer or counter step). */
  inc(local: Local<"i32">, by: number | Local<"i32">): void {
    local.set(this.i32.add(local.get(), typeof by === "number" ? this.i32.const(by) : by.get()));
  }

  /**
   * `for (i = from; i < to; i += step) body(exit)`, signed, with the test at the bottom: a guard
   * before the loop and one `br_if` per iteration. `to` is re-read each iteration.
   */
  for(
    i: Local<"i32">,
    from: number | Local<"i32">,
    to: number | Local<"i32">,
    step: number | Local<"i32">,
    body: (exit: Label) => void,
  ): void {
    const push = (x: number | Local<"i32">) =>
      typeof x === "number" ? this.i32.const(x) : x.get();
    i.set(push(from));
    this.block((exit) => {
      this.brIf(exit, this.i32.geS(i.get(), push(to)));
      this.loop((top) => {
        body(exit);
        this.inc(i, step);
        this.brIf(top, this.i32.ltS(i.get(), push(to)));
      });
    });
  }

  /** @internal The encoded body: local declarations, code, `end`. */
  finish(): ByteWriter {
    if (this.#frames.length) throw new Error("asm: function ended inside an open block");
    this.emitter.stack.finish();
    const out = new ByteWriter();
    const runs: [number, ValType][] = [];
    for (const t of this.#localTypes.slice(this.#paramCount)) {
      const last = runs.at(-1);
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [count, t] of runs) out.u32(count).byte(valTypeCode[t]);
    out.bytes(this.emitter.w.toBytes());
    out.byte(controlOp.end);
    return out;
  }
}
