// Assembles a WebAssembly module: function types, imports (functions and one memory, shared or
// not), function bodies built with `CodeBuilder`, an own memory if wanted, and exports.

import { CodeBuilder, type FuncRef, type Local } from "./codeBuilder";
import { ByteWriter } from "./encoding";
import { type ValType, valTypeCode } from "./opcodes";

/** Limits of a memory, in 64 KiB pages; a shared memory needs a maximum. */
export interface MemoryLimits {
  readonly initial: number;
  readonly maximum?: number;
  readonly shared?: boolean;
}

/** Declaration of a function: named parameters (in order), an optional result, export flag. */
export interface FuncSpec<P extends Record<string, ValType>, R extends ValType | undefined> {
  readonly name: string;
  readonly params: P;
  readonly result?: R;
  /** Export under `name`. Default true. */
  readonly export?: boolean;
}

/** The parameters of a function as typed locals, by name. */
export type ParamLocals<P extends Record<string, ValType>> = {
  readonly [K in keyof P]: Local<P[K]>;
};

const section = {
  type: 1,
  import: 2,
  function: 3,
  memory: 5,
  export: 7,
  code: 10,
} as const;
const externKind = { func: 0, memory: 2 } as const;

function limits(w: ByteWriter, l: MemoryLimits): void {
  if (l.shared && l.maximum === undefined) throw new Error("asm: a shared memory needs a maximum");
  const flags = (l.maximum === undefined ? 0 : 1) | (l.shared ? 2 : 0);
  w.byte(flags).u32(l.initial);
  if (l.maximum !== undefined) w.u32(l.maximum);
}

/**
 * Builds a module's bytes.
 *
 * @example
 * const m = new ModuleBuilder();
 * m.func({ name: "add", params: { a: "i32", b: "i32" }, result: "i32" }, (b, p) => {
 *   b.i32.add(p.a.get(), p.b.get());
 * });
 * const bytes = m.toBytes(); // WebAssembly.validate(bytes) === true
 */
export class ModuleBuilder {
  readonly #types: string[] = [];
  readonly #typeBytes: Uint8Array[] = [];
  readonly #imports: ByteWriter[] = [];
  readonly #funcTypes: number[] = [];
  readonly #bodies: ByteWriter[] = [];
  readonly #exports: ByteWriter[] = [];
  readonly #exportNames = new Set<string>();
  /** Names of the defined functions, for the "name" custom section (profilers show them). */
  readonly #funcNames: string[] = [];
  #importedFuncs = 0;
  #memory: ByteWriter | undefined;
  #hasMemory = false;

  #typeIndex(params: readonly ValType[], result: ValType | undefined): number {
    const key = `${params.join(",")}->${result ?? ""}`;
    const found = this.#types.indexOf(key);
    if (found >= 0) return found;
    const w = new ByteWriter().byte(0x60).u32(params.length);
    for (const p of params) w.byte(valTypeCode[p]);
    if (result === undefined) w.u32(0);
    else w.u32(1).byte(valTypeCode[result]);
    this.#types.push(key);
    this.#typeBytes.push(w.toBytes());
    return this.#types.length - 1;
  }

  #export(name: string, kind: number, index: number): void {
    if (this.#exportNames.has(name))
      throw new Error(`asm: duplicate export ${JSON.stringify(name)}`);
    this.#exportNames.add(name);
    this.#exports.push(new ByteWriter().name(name).byte(kind).u32(index));
  }

  /** Imports a memory (the module's only one) from `module`.`name`. */
  importMemory(module: string, name: string, l: MemoryLimits): void {
    if (this.#hasMemory) throw new Error("asm: a module has at most one memory");
    this.#hasMemory = true;
    const w = new ByteWriter().name(module).name(name).byte(externKind.memory);
    limits(w, l);
    this.#imports.push(w);
  }

  /** Defines the module's own memory, optionally exported. */
  memory(l: MemoryLimits, exportName?: string): void {
    if (this.#hasMemory) throw new Error("asm: a module has at most one memory");
    this.#hasMemory = true;
    const w = new ByteWriter().u32(1);
    limits(w, l);
    this.#memory = w;
    if (exportName !== undefined) this.#export(exportName, externKind.memory, 0);
  }

  /** Imports a function; all imports come before the first `func`. */
  importFunc<R extends ValType | undefined = undefined>(
    module: string,
    name: string,
    params: readonly ValType[],
    result?: R,
  ): FuncRef<R> {
    if (this.#bodies.length) throw new Error("asm: import functions before defining any");
    const type = this.#typeIndex(params, result);
    this.#imports.push(new ByteWriter().name(module).name(name).byte(externKind.func).u32(type));
    return { index: this.#importedFuncs++, name, params, result: result as R };
  }

  /** Defines (and by default exports) a function; `body` emits its code. */
  func<P extends Record<string, ValType>, R extends ValType | undefined = undefined>(
    spec: FuncSpec<P, R>,
    body: (b: CodeBuilder, params: ParamLocals<P>) => void,
  ): FuncRef<R> {
    const names = Object.keys(spec.params);
    const types = names.map((n) => spec.params[n]!);
    const code = new CodeBuilder(types, spec.result);
    const locals: Record<string, Local<ValType>> = {};
    names.forEach((n, i) => {
      locals[n] = code.param(i, types[i]!);
    });
    body(code, locals as ParamLocals<P>);
    const index = this.#importedFuncs + this.#bodies.length;
    this.#funcTypes.push(this.#typeIndex(types, spec.result));
    this.#bodies.push(code.finish());
    this.#funcNames.push(spec.name);
    if (spec.export ?? true) this.#export(spec.name, externKind.func, index);
    return { index, name: spec.name, params: types, result: spec.result as R };
  }

  /** The module's binary encoding. */
  toBytes(): Uint8Array {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const vec = (id: number, items: readonly (ByteWriter | Uint8Array)[]) => {
      if (!items.length) return;
      const w = new ByteWriter().u32(items.length);
      for (const it of items) w.bytes(it instanceof ByteWriter ? it.toBytes() : it);
      out.byte(id).sized(w);
    };
    vec(section.type, this.#typeBytes);
    vec(section.import, this.#imports);
    if (this.#funcTypes.length) {
      const w = new ByteWriter().u32(this.#funcTypes.length);
      for (const t of this.#funcTypes) w.u32(t);
      out.byte(section.function).sized(w);
    }
    if (this.#memory) out.byte(section.memory).sized(this.#memory);
    vec(section.export, this.#exports);
    if (this.#bodies.length) {
      const w = new ByteWriter().u32(this.#bodies.length);
      for (const body of this.#bodies) w.sized(body);
      out.byte(section.code).sized(w);
    }
    if (this.#funcNames.length) {
      // The "name" custom section, function-names subsection (id 1): profilers and stack traces
      // show `gemm_f32` rather than `wasm-function[3]`.
      const names = new ByteWriter().u32(this.#funcNames.length);
      this.#funcNames.forEach((n, i) => names.u32(this.#importedFuncs + i).name(n));
      const w = new ByteWriter().name("name").byte(1).sized(names);
      out.byte(0).sized(w);
    }
    return out.toBytes();
  }
}
