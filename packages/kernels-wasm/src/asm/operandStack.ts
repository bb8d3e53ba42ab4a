// A build-time model of the WebAssembly operand stack. Every instruction the builder emits pops its
// operands and pushes its result here, so a type error, an underflow, or a value token used out of
// emission order (a `Val` computed earlier, kept in a variable, then passed as an operand) throws
// at generation time with the instruction's name, instead of producing a wrong but valid module.

import type { ValType } from "./opcodes";
import type { Val } from "./val";

interface Frame {
  readonly height: number;
  readonly result: ValType | undefined;
  unreachable: boolean;
}

/** What an operand pops as after an unconditional branch (the stack is polymorphic there). */
const ANY: Val<ValType> = Object.freeze({ type: "i32" });

/** The simulated operand stack of one function body. */
export class OperandStack {
  readonly #values: Val<ValType>[] = [];
  readonly #frames: Frame[];

  constructor(result: ValType | undefined) {
    this.#frames = [{ height: 0, result, unreachable: false }];
  }

  #frame(): Frame {
    return this.#frames.at(-1)!;
  }

  #pop(what: string, expected: ValType, given: unknown, index: number): void {
    const f = this.#frame();
    let top: Val<ValType>;
    if (this.#values.length > f.height) top = this.#values.pop()!;
    else if (f.unreachable) top = ANY;
    else throw new Error(`asm: ${what}: operand ${index} missing (stack underflow)`);
    if (top === ANY) return;
    if (top.type !== expected) {
      throw new Error(`asm: ${what}: operand ${index} is ${top.type}, expected ${expected}`);
    }
    if (given !== undefined && given !== top) {
      throw new Error(
        `asm: ${what}: operand ${index} is not the value on top of the stack; a Val must be ` +
          "passed straight from the call that pushed it (use a local to keep a value)",
      );
    }
  }

  /**
   * Pops `args` (checking types and, when given, token identity) and pushes a fresh `result`.
   * `given` holds the operand tokens passed by the caller: all of them or none.
   */
  apply<R extends ValType>(
    what: string,
    args: readonly ValType[],
    result: R,
    given?: readonly unknown[],
  ): Val<R>;
  apply(
    what: string,
    args: readonly ValType[],
    result: undefined,
    given?: readonly unknown[],
  ): undefined;
  apply(
    what: string,
    args: readonly ValType[],
    result: ValType | undefined,
    given?: readonly unknown[],
  ): Val<ValType> | undefined;
  apply(
    what: string,
    args: readonly ValType[],
    result: ValType | undefined,
    given: readonly unknown[] = [],
  ): Val<ValType> | undefined {
    const passed = given.slice(0, args.length);
    const count = passed.filter((g) => g !== undefined).length;
    if (count !== 0 && count !== args.length) {
      throw new Error(`asm: ${what}: pass all ${args.length} operands or none`);
    }
    for (let i = args.length - 1; i >= 0; i--) this.#pop(what, args[i]!, passed[i], i);
    return result === undefined ? undefined : this.push(result);
  }

  /** The type `depth` values below the top (0 = top), for instructions generic in their type. */
  peekType(depth: number, what: string): ValType {
    const i = this.#values.length - 1 - depth;
    if (i >= this.#frame().height) return this.#values[i]!.type;
    if (this.#frame().unreachable) return "i32";
    throw new Error(`asm: ${what}: stack underflow`);
  }

  /** Pushes a fresh token of `type`. */
  push<T extends ValType>(type: T): Val<T> {
    const v: Val<T> = { type };
    this.#values.push(v);
    return v;
  }

  /** Opens a block, loop or if whose body must leave `result` (or nothing). */
  enter(result: ValType | undefined): void {
    this.#frames.push({ height: this.#values.length, result, unreachable: false });
  }

  /** Checks the stack at the end of a body; for `else`, resets it for the second branch. */
  #check(what: string): Frame {
    const f = this.#frame();
    const want = f.height + (f.result === undefined ? 0 : 1);
    if (!f.unreachable) {
      if (this.#values.length !== want) {
        const extra = this.#values.length - f.height;
        throw new Error(`asm: ${what}: body leaves ${extra} values, expected ${want - f.height}`);
      }
      if (f.result !== undefined && this.#values.at(-1)!.type !== f.result) {
        throw new Error(
          `asm: ${what}: body leaves ${this.#values.at(-1)!.type}, expected ${f.result}`,
        );
      }
    }
    this.#values.length = f.height;
    return f;
  }

  /** Switches from the then-branch to the else-branch of an `if`. */
  else(): void {
    this.#check("else").unreachable = false;
  }

  /** Closes the innermost block; pushes its result. */
  exit(): Val<ValType> | undefined {
    const f = this.#check("end");
    this.#frames.pop();
    return f.result === undefined ? undefined : this.push(f.result);
  }

  /** Checks the function's final stack. */
  finish(): void {
    if (this.#frames.length !== 1) throw new Error("asm: function ended inside an open block");
    this.#check("function end");
  }

  /** After br, return or unreachable: the rest of the block is dead code. */
  markUnreachable(): void {
    const f = this.#frame();
    this.#values.length = f.height;
    f.unreachable = true;
  }
}
