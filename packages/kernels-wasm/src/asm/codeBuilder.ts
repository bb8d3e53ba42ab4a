// The body of one WebAssembly function: typed locals, structured control flow with label objects
// (no hand-counted branch depths) and the typed instruction namespaces. `ModuleBuilder.func`
// creates one and hands it to the body callback.

import { ByteWriter } from "./encoding";
import { makeNamespaces, type Namespaces } from "./namespaces";
import { controlOp, type ValType, valTypeCode } from "./opcodes";
import { type Emitter, type MemArg, type Val, valOf } from "./val";

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
    this.#code.emitter.op(controlOp.localGet);
    this.#code.emitter.u32(this.index);
    return valOf(this.type);
  }

  /** `local.set`: pops a value into the local. */
  set(_value?: Val<T>): void {
    this.#code.emitter.op(controlOp.localSet);
    this.#code.emitter.u32(this.index);
  }

  /** `local.tee`: stores the top of the stack into the local and leaves it there. */
  tee(_value?: Val<T>): Val<T> {
    this.#code.emitter.op(controlOp.localTee);
    this.#code.emitter.u32(this.index);
    return valOf(this.type);
  }
}

/** A branch target: the block, loop or if that a body callback received. */
export interface Label {
  readonly kind: "block" | "loop" | "if";
}

interface Frame extends Label {
  open: boolean;
}

/** A function that `call` can target: its index in the module and its result type. */
export interface FuncRef<R extends ValType | undefined = ValType | undefined> {
  readonly index: number;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly result: R;
}

type CallResult<R> = R extends ValType ? Val<R> : undefined;

/** @internal The byte sink of one function body. */
export class BodyEmitter implements Emitter {
  readonly w = new ByteWriter();
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
  readonly emitter = new BodyEmitter();
  readonly i32;
  readonly i64;
  readonly f32;
  readonly f64;
  readonly v128;
  readonly i32x4;
  readonly i64x2;
  readonly f32x4;
  readonly f64x2;
  readonly atomic;
  readonly #localTypes: ValType[] = [];
  readonly #paramCount: number;
  readonly #frames: Frame[] = [];

  constructor(params: readonly ValType[]) {
    this.#paramCount = params.length;
    this.#localTypes.push(...params);
    const ns = makeNamespaces(this.emitter);
    this.i32 = ns.i32;
    this.i64 = ns.i64;
    this.f32 = ns.f32;
    this.f64 = ns.f64;
    this.v128 = ns.v128;
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

  /** Declares `count` locals of type T. */
  locals<T extends ValType>(type: T, count: number): Local<T>[] {
    return Array.from({ length: count }, () => this.local(type));
  }

  #structured(
    kind: Frame["kind"],
    opcode: number,
    type: ValType | undefined,
    body: (l: Label) => void,
  ): void {
    this.emitter.op(opcode);
    this.emitter.op(type === undefined ? 0x40 : valTypeCode[type]);
    const frame: Frame = { kind, open: true };
    this.#frames.push(frame);
    body(frame);
    this.#close(frame);
  }

  #close(frame: Frame): void {
    if (this.#frames.at(-1) !== frame) throw new Error("asm: blocks closed out of order");
    this.#frames.pop();
    frame.open = false;
    this.emitter.op(controlOp.end);
  }

  /** `block … end`: a `br` to its label jumps past the end. */
  block(body: (exit: Label) => void): void;
  block<T extends ValType>(type: T, body: (exit: Label) => void): Val<T>;
  block(a: ValType | ((l: Label) => void), b?: (l: Label) => void): Val<ValType> | undefined {
    if (typeof a === "function") {
      this.#structured("block", controlOp.block, undefined, a);
      return undefined;
    }
    this.#structured("block", controlOp.block, a, b!);
    return valOf(a);
  }

  /** `loop … end`: a `br` to its label jumps back to the start. */
  loop(body: (start: Label) => void): void {
    this.#structured("loop", controlOp.loop, undefined, body);
  }

  /** `if … else … end` on an i32 condition (already pushed, or passed as the token). */
  if(_cond: Val<"i32"> | undefined, then: (l: Label) => void, otherwise?: (l: Label) => void): void {
    this.emitter.op(controlOp.if);
    this.emitter.op(0x40);
    const frame: Frame = { kind: "if", open: true };
    this.#frames.push(frame);
    then(frame);
    if (otherwise) {
      this.emitter.op(controlOp.else);
      otherwise(frame);
    }
    this.#close(frame);
  }

  #depth(label: Label): number {
    const i = this.#frames.lastIndexOf(label as Frame);
    if (i < 0) throw new Error("asm: branch to a label that is not open here");
    return this.#frames.length - 1 - i;
  }

  /** `br`: jumps to a label (end of a block/if, start of a loop). */
  br(label: Label): void {
    this.emitter.op(controlOp.br);
    this.emitter.u32(this.#depth(label));
  }

  /** `br_if`: jumps to a label when the i32 condition is non-zero. */
  brIf(label: Label, _cond?: Val<"i32">): void {
    this.emitter.op(controlOp.brIf);
    this.emitter.u32(this.#depth(label));
  }

  /** `return`. */
  return(_value?: Val<ValType>): void {
    this.emitter.op(controlOp.return);
  }

  /** `unreachable`: traps. */
  unreachable(): void {
    this.emitter.op(controlOp.unreachable);
  }

  /** `drop`: discards the top of the stack. */
  drop(_value?: Val<ValType>): void {
    this.emitter.op(controlOp.drop);
  }

  /** `select`: `cond ? a : b` without branching (numeric types and v128). */
  select<T extends ValType>(a: Val<T>, _b?: Val<T>, _cond?: Val<"i32">): Val<T> {
    this.emitter.op(controlOp.select);
    return valOf(a.type);
  }

  /** `call`: calls a function of this module (its arguments already pushed). */
  call<R extends ValType | undefined>(fn: FuncRef<R>, ..._args: Val<ValType>[]): CallResult<R> {
    this.emitter.op(controlOp.call);
    this.emitter.u32(fn.index);
    return (fn.result === undefined ? undefined : valOf(fn.result)) as CallResult<R>;
  }

  /** `memory.size`: the memory's size in 64 KiB pages. */
  memorySize(): Val<"i32"> {
    this.emitter.op(controlOp.memorySize);
    this.emitter.op(0);
    return valOf("i32");
  }

  /** `memory.grow`: grows by a number of pages; yields the old size or -1. */
  memoryGrow(_pages?: Val<"i32">): Val<"i32"> {
    this.emitter.op(controlOp.memoryGrow);
    this.emitter.op(0);
    return valOf("i32");
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
    const push = (x: number | Local<"i32">) => (typeof x === "number" ? this.i32.const(x) : x.get());
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
