/**
 * Containers: `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`.
 * Children are registered under PyTorch's names (`0`, `1`, … or the dict keys).
 */
import type { Tensor } from "@x/autograd";
import { IndexError, RuntimeError } from "@x/storage";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

function wrapIndex(i: number, n: number, what: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n)
    throw new IndexError(`index ${i} is out of range`.replace("index", what));
  return i < 0 ? i + n : i;
}

/**
 * Calls its children in order, each on the previous output.
 * @example
 * const mlp = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 10));
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [k, m] of first) this.registerModule(k, m);
    } else {
      (modules as Module[]).forEach((m, i) => {
        this.registerModule(String(i), m);
      });
    }
  }

  override get length(): number {
    return [...this.children()].length;
  }

  /** The `i`-th child (negative counts from the end). */
  at(i: number): Module {
    const c = [...this.children()];
    return c[wrapIndex(i, c.length, "index")]!;
  }

  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Each child on the previous output (typed as tensors, the usual case; any value passes). */
  forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this.children()) x = m(x);
    return x as Tensor;
  }

  *[Symbol.iterator](): Iterator<Module> {
    yield* this.children();
  }
}

/**
 * A list of modules, registered as `0`, `1`, … (no `forward` of its own).
 * @example
 * class Net extends nn.Module { layers = new nn.ModuleList([new nn.Linear(2, 2)]); … }
 */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  override get length(): number {
    return [...this.children()].length;
  }

  at(i: number): Module {
    const c = [...this.children()];
    return c[wrapIndex(i, c.length, "index")]!;
  }

  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts before `index`, renumbering the children after it. */
  insert(index: number, module: Module): void {
    const c = [...this.children()];
    const at = index < 0 ? Math.max(c.length + index, 0) : Math.min(index, c.length);
    c.splice(at, 0, module);
    c.forEach((m, i) => {
      this.registerModule(String(i), m);
    });
  }

  forward(): never {
    throw new RuntimeError("ModuleList has no forward(); call its modules instead");
  }

  *[Symbol.iterator](): Iterator<Module> {
    yield* this.children();
  }
}

/** Modules by name. @example new nn.ModuleDict({ enc: new nn.Linear(4, 2) }).get("enc") */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.registerModule(k, m);
  }

  get(key: string): Module | undefined {
    return new Map(this.namedChildren()).get(key);
  }

  set(key: string, module: Module): void {
    this.registerModule(key, module);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  values(): Module[] {
    return [...this.children()];
  }

  items(): [string, Module][] {
    return [...this.namedChildren()];
  }

  forward(): never {
    throw new RuntimeError("ModuleDict has no forward(); call its modules instead");
  }
}

/** A list of parameters, registered as `0`, `1`, … */
export class ParameterList extends Module {
  constructor(params: Iterable<Parameter> = []) {
    super();
    for (const p of params) this.append(p);
  }

  override get length(): number {
    return this.parameters(false).length;
  }

  at(i: number): Parameter {
    const ps = this.parameters(false);
    return ps[wrapIndex(i, ps.length, "index")]!;
  }

  append(p: Parameter): this {
    this.registerParameter(String(this.length), p instanceof Parameter ? p : new Parameter(p));
    return this;
  }

  forward(): never {
    throw new RuntimeError("ParameterList has no forward()");
  }

  *[Symbol.iterator](): Iterator<Parameter> {
    yield* this.parameters(false);
  }
}

/** Parameters by name. */
export class ParameterDict extends Module {
  constructor(params: Record<string, Parameter> | Map<string, Parameter> = {}) {
    super();
    const entries = params instanceof Map ? [...params] : Object.entries(params);
    for (const [k, p] of entries) this.registerParameter(k, p);
  }

  get(key: string): Parameter | undefined {
    return new Map(this.namedParameters("", false)).get(key);
  }

  set(key: string, p: Parameter): void {
    this.registerParameter(key, p);
  }

  keys(): string[] {
    return this.namedParameters("", false).map(([k]) => k);
  }

  forward(): never {
    throw new RuntimeError("ParameterDict has no forward()");
  }
}
