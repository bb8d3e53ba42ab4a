/**
 * `Module`: the base of every layer. Subclasses declare `Parameter`s and sub-`Module`s (and
 * arrays of them) as fields; they are registered in declaration order, as PyTorch's
 * `__setattr__` registers them. A plain `Tensor` field is not registered, even when it requires
 * grad; buffers are registered with `registerBuffer`. Field names map to PyTorch's snake_case
 * state-dict keys. A module is callable: `model(x)` runs pre-hooks, `forward`, hooks.
 */
import { setTensorName, Tensor } from "@x/autograd";
import { cast, copyInto, type DType, isFloatingPoint, RuntimeError, shapeStr } from "@x/storage";
import { withBackwardHooks } from "./backwardHooks.js";
import { toSnakeCase } from "./naming.js";
import { Parameter } from "./parameter.js";

/** A handle whose `remove()` detaches what was registered (also disposable). */
export interface RemovableHandle {
  remove(): void;
  [Symbol.dispose](): void;
}

/** What a hook returns: a replacement, or nothing (`void`: hooks that only observe). */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks that only observe return nothing.
type HookResult<T> = T | undefined | void;

export type ForwardPreHook = (module: Module, args: unknown[]) => HookResult<unknown[]>;
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;
export type BackwardHook = (
  module: Module,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
) => HookResult<(Tensor | null)[]>;

interface Internals {
  buffers: Map<string, boolean>; // field name → persistent
  explicitNull: Set<string>; // parameters/modules registered as null
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
  backwardHooks: Map<number, BackwardHook>;
  named: boolean;
}

const STATE: unique symbol = Symbol("module");
const SKIP = new Set(["length", "name", "prototype", "training", "arguments", "caller"]);
let hookIds = 0;

function handle(map: Map<number, unknown>, id: number): RemovableHandle {
  const remove = () => void map.delete(id);
  return { remove, [Symbol.dispose]: remove };
}

// The interface merges a call signature typed by `forward` into the class below.
export interface Module {
  /** Calls the module: forward pre-hooks, `forward`, forward hooks (PyTorch's `__call__`). */
  // biome-ignore lint/style/useShorthandFunctionType: a type alias could not merge into the class.
  (...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

/**
 * @example
 * class MLP extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   forward(x: Tensor) { return this.fc2(this.fc1(x).relu()); }
 * }
 * const model = new MLP();
 * model(x.randn(3, 4));
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merged interface only adds the call signature, which the constructor provides.
export abstract class Module {
  /** Training mode (dropout and batch norm follow it). */
  declare training: boolean;

  abstract forward(...args: any[]): unknown;

  constructor() {
    const self = function (this: unknown, ...args: unknown[]) {
      return (self as unknown as Module)._call(args);
    } as unknown as Module;
    Object.setPrototypeOf(self, new.target.prototype);
    // A function's own `length` and `name` would shadow members of subclasses (Sequential.length).
    delete (self as unknown as { length?: number }).length;
    delete (self as unknown as { name?: string }).name;
    const internals: Internals = {
      buffers: new Map(),
      explicitNull: new Set(),
      preHooks: new Map(),
      hooks: new Map(),
      backwardHooks: new Map(),
      named: false,
    };
    Object.defineProperty(self, STATE, { value: internals });
    Object.defineProperty(self, "training", { value: true, writable: true, enumerable: false });
    // biome-ignore lint/correctness/noConstructorReturn: a module is a callable object.
    return self;
  }

  /** @internal PyTorch's `__call__`. */
  _call(args: unknown[]): unknown {
    const st = internals(this);
    if (!st.named) nameParameters(this);
    for (const hook of st.preHooks.values()) {
      const r = hook(this, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    const run = (a: unknown[]) => this.forward(...a);
    let out = st.backwardHooks.size > 0 ? withBackwardHooks(this, args, run) : run(args);
    for (const hook of st.hooks.values()) {
      const r = hook(this, args, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /** Registers a forward pre-hook `hook(module, args)`, which may return replacement args. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = hookIds++;
    internals(this).preHooks.set(id, hook);
    return handle(internals(this).preHooks, id);
  }

  /** Registers a forward hook `hook(module, args, output)`, which may return a new output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = hookIds++;
    internals(this).hooks.set(id, hook);
    return handle(internals(this).hooks, id);
  }

  /** Registers `hook(module, gradInput, gradOutput)`, called when the gradients w.r.t. the
   * module's inputs are computed; it may return replacement input gradients. */
  registerFullBackwardHook(hook: BackwardHook): RemovableHandle {
    const id = hookIds++;
    internals(this).backwardHooks.set(id, hook);
    return handle(internals(this).backwardHooks, id);
  }

  /** @internal The backward hooks, for the hook wrapper. */
  get _backwardHooks(): BackwardHook[] {
    return [...internals(this).backwardHooks.values()];
  }

  /** Registers a parameter under `name` (null registers an absent one, as PyTorch's None). */
  registerParameter(name: string, param: Parameter | null): void {
    checkName("parameter", name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(
        `cannot assign '${typeof param}' object to parameter '${name}' (torch.nn.Parameter or None required)`,
      );
    }
    if (param === null) internals(this).explicitNull.add(name);
    define(this, name, param);
  }

  /** Registers a buffer: in `stateDict()` when `persistent` (default), never in `parameters()`. */
  registerBuffer(
    name: string,
    tensor: Tensor | null,
    options: { persistent?: boolean } = {},
  ): void {
    checkName("buffer", name);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(
        `cannot assign '${typeof tensor}' object to buffer '${name}' (torch Tensor or None required)`,
      );
    }
    internals(this).buffers.set(name, options.persistent ?? true);
    define(this, name, tensor);
  }

  /** Registers a child module under `name`. */
  registerModule(name: string, module: Module | null): void {
    checkName("module", name);
    if (module === null) internals(this).explicitNull.add(name);
    define(this, name, module);
  }

  /** Alias of `registerModule`, as PyTorch's `add_module`. */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** `[name, child]` for direct children, in declaration order. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, v, kind] of entries(this)) {
      if (kind === "module" && !seen.has(v as Module)) {
        seen.add(v as Module);
        yield [name, v as Module];
      }
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, depth first, each once. */
  *namedModules(prefix = "", memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this.namedChildren()) {
      yield* m.namedModules(prefix ? `${prefix}.${name}` : name, memo);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** `[name, parameter]` pairs (`fc1.weight`), shared parameters once. */
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    return namedOf(this, "param", prefix, recurse) as [string, Parameter][];
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    return namedOf(this, "buffer", prefix, recurse);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  /**
   * Parameters and persistent buffers by PyTorch's names. Values alias the module's tensors
   * (detached: sharing storage, not the graph).
   */
  stateDict(prefix = "", options: { keepVars?: boolean } = {}): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const visit = (m: Module, p: string) => {
      const st = internals(m);
      const own = [...entries(m)];
      for (const [name, v, k] of own) {
        if (k === "param" && v instanceof Tensor)
          out.set(p + name, options.keepVars ? v : v.detach());
      }
      for (const [key, persistent] of st.buffers) {
        const v = (m as unknown as Record<string, unknown>)[key];
        if (persistent && v instanceof Tensor)
          out.set(p + toSnakeCase(key), options.keepVars ? v : v.detach());
      }
      for (const [name, child] of m.namedChildren()) visit(child, `${p}${name}.`);
    };
    visit(this, prefix);
    return out;
  }

  /**
   * Copies `sd`'s values into this module's parameters and buffers. With `strict` (default),
   * missing or unexpected keys throw PyTorch's message listing them; size mismatches always
   * throw. When it throws, nothing has been changed.
   */
  loadStateDict(
    sd: Map<string, Tensor> | Record<string, Tensor>,
    options: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = options.strict ?? true;
    const given = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = this.stateDict("", { keepVars: true });
    const missing = [...own.keys()].filter((k) => !given.has(k));
    const unexpected = [...given.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    if (strict) {
      if (missing.length)
        errors.push(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
      if (unexpected.length) {
        errors.push(
          `Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `,
        );
      }
    }
    for (const [k, dst] of own) {
      const src = given.get(k);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${k}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof src}`,
        );
        continue;
      }
      const same =
        src.shape.length === dst.shape.length && src.shape.every((s, i) => s === dst.shape[i]);
      if (!same) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape torch.Size(${shapeStr(src.shape)}) from checkpoint, the shape in current model is torch.Size(${shapeStr(dst.shape)}).`,
        );
      }
    }
    if (errors.length) {
      throw new RuntimeError(
        `Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`,
      );
    }
    for (const [k, dst] of own) {
      const src = given.get(k);
      if (src !== undefined) copyInto(dst.data, src.data);
    }
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Clears the gradients of every parameter (to null by default, as PyTorch 2). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      // `_rawGrad` does not hand the gradient out, so clearing it frees it at once
      const g = p._rawGrad;
      if (g === null) continue;
      if (setToNone) p.grad = null;
      else copyInto(g.data, 0);
    }
  }

  /** Calls `fn` on every child (recursively) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Converts floating-point parameters and buffers to `dtype`, in place. */
  to(dtype: DType): this {
    if (!isFloatingPoint(dtype)) {
      throw new TypeError(
        `nn.Module.to only accepts floating point dtypes, but got desired dtype=${dtype}`,
      );
    }
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (isFloatingPoint(t.dtype) && t.dtype !== dtype) {
        const converted = cast(t.data, dtype);
        t.data = converted;
        converted.dispose();
      }
    }
    return this;
  }

  float(): this {
    return this.to("float32");
  }

  double(): this {
    return this.to("float64");
  }

  /** The part of the printed form inside the parentheses (`in_features=4, …`). */
  extraRepr(): string {
    return "";
  }

  /** PyTorch's module printing. */
  toString(): string {
    const extra = this.extraRepr();
    const lines = extra ? extra.split("\n") : [];
    const children = [...this.namedChildren()].map(([n, m]) => {
      const s = String(m).split("\n");
      return [`(${n}): ${s[0]}`, ...s.slice(1)].map((l, i) => (i === 0 ? l : `  ${l}`)).join("\n");
    });
    const name = this.constructor.name;
    if (children.length === 0) return `${name}(${lines.join("\n  ")})`;
    const body = [...lines, ...children].map((l) => `  ${l}`).join("\n");
    return `${name}(\n${body}\n)`;
  }
}

function internals(m: Module): Internals {
  return (m as unknown as { [STATE]: Internals })[STATE];
}

// Names parameters (`fc1.weight`) for autograd's version-counter errors, the first time a
// module is called; the outermost module is called first, so full names win.
function nameParameters(m: Module): void {
  for (const [name, p] of m.namedParameters()) setTensorName(p, name);
  for (const sub of m.modules()) internals(sub).named = true;
}

function checkName(kind: string, name: string): void {
  if (typeof name !== "string")
    throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
  if (name === "") throw new RuntimeError(`${kind} name can't be empty string ""`);
  if (name.includes(".")) throw new RuntimeError(`${kind} name can't contain ".", got: ${name}`);
}

function define(m: Module, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, writable: true, enumerable: true, configurable: true });
}

// Own entries in declaration order: [snake_case name, value, kind].
function* entries(self: Module): Generator<[string, unknown, "param" | "buffer" | "module"]> {
  const st = internals(self);
  for (const key of Object.keys(self)) {
    if (SKIP.has(key)) continue;
    const v = (self as unknown as Record<string, unknown>)[key];
    const name = toSnakeCase(key);
    if (st.buffers.has(key)) yield [name, v, "buffer"];
    else if (v instanceof Parameter) yield [name, v, "param"];
    else if (v instanceof Module) yield [name, v, "module"];
    else if (Array.isArray(v) && v.length > 0 && v.every((e) => e instanceof Module)) {
      for (let i = 0; i < v.length; i++) yield [`${name}.${i}`, v[i], "module"];
    } else if (Array.isArray(v) && v.length > 0 && v.every((e) => e instanceof Parameter)) {
      for (let i = 0; i < v.length; i++) yield [`${name}.${i}`, v[i], "param"];
    } else if (v === null && st.explicitNull.has(key)) {
      // registered as None: listed nowhere, as PyTorch skips None entries.
    }
  }
}

function namedOf(
  self: Module,
  kind: "param" | "buffer",
  prefix: string,
  recurse: boolean,
): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  const seen = new Set<Tensor>();
  const mods: [string, Module][] = recurse ? [...self.namedModules(prefix)] : [[prefix, self]];
  for (const [mp, m] of mods) {
    for (const [name, v, k] of entries(m)) {
      if (k !== kind || !(v instanceof Tensor) || seen.has(v)) continue;
      seen.add(v);
      out.push([mp ? `${mp}.${name}` : name, v]);
    }
  }
  return out;
}
