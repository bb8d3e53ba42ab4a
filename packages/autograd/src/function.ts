/**
 * Custom differentiable functions (`torch.autograd.Function`): a subclass defines
 * `static forward(ctx, …args)` and `static backward(ctx, …grads)`; `Sub.apply(…args)` runs the
 * forward without recording and attaches one node, named `${Sub.name}Backward`, that calls the
 * backward with PyTorch's checks of what it returns.
 */
import { RuntimeError } from "@x/storage";
import { isGradEnabled, noGrad } from "./gradMode.js";
import { type Edge, Node, type TensorMeta } from "./graph.js";
import { zeros } from "./ops/creation.js";
import { BACKWARD_TWICE, SavedTensor } from "./saved.js";
import { Tensor } from "./tensor.js";

/** The context of one call: what the forward saves and marks for the backward. */
export class FunctionCtx {
  /** Free-form state the forward leaves for the backward (`ctx.constant = 2`). */
  [key: string]: unknown;
  /** Whether each forward argument needs a gradient (false for non-tensors). */
  needsInputGrad: boolean[] = [];
  #toSave: Tensor[] = [];
  #saved: SavedTensor[] | null = null;
  #released = false;
  /** @internal */
  _dirty = new Set<Tensor>();
  /** @internal */
  _nonDifferentiable = new Set<Tensor>();
  /** @internal */
  _materializeGrads = true;

  /** Saves tensors (inputs or outputs of the forward) for the backward. */
  saveForBackward(...tensors: (Tensor | null)[]): void {
    this.#toSave = tensors.filter((t): t is Tensor => t !== null);
  }

  /** The saved tensors, checked against in-place modification and a freed graph. */
  get savedTensors(): Tensor[] {
    if (this.#released) throw new RuntimeError(BACKWARD_TWICE);
    if (this.#saved === null) return this.#toSave.slice();
    return this.#saved.map((s) => s.unpack());
  }

  /** Declares inputs the forward modified in place (they are returned as outputs). */
  markDirty(...tensors: Tensor[]): void {
    for (const t of tensors) this._dirty.add(t);
  }

  /** Declares outputs that are not differentiable (indices, masks…). */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this._nonDifferentiable.add(t);
  }

  /** Whether gradients of outputs that got none are passed as zeros (default) or null. */
  setMaterializeGrads(value: boolean): void {
    this._materializeGrads = value;
  }

  /** @internal Turns the tensors given to `saveForBackward` into saved tensors. */
  _save(node: Node, outputs: readonly Tensor[]): void {
    this.#saved = this.#toSave.map(
      (t) => new SavedTensor(t, outputs.includes(t) ? node : null, outputs.includes(t)),
    );
    this.#toSave = [];
  }

  /** @internal */
  _release(): void {
    if (this.#saved) for (const s of this.#saved) s.release();
    this.#saved = null;
    this.#released = true;
  }
}

type FunctionClass = {
  name: string;
  forward(ctx: FunctionCtx, ...args: any[]): Tensor | readonly Tensor[];
  backward(
    ctx: FunctionCtx,
    ...grads: any[]
  ): Tensor | null | undefined | readonly (Tensor | null | undefined)[];
};

class FunctionNode extends Node {
  readonly #cls: FunctionClass;
  readonly #ctx: FunctionCtx;
  /** Position of each tensor argument among the forward's arguments. */
  readonly #argIndex: number[];
  readonly #nArgs: number;

  constructor(
    cls: FunctionClass,
    ctx: FunctionCtx,
    edges: (Edge | null)[],
    meta: (TensorMeta | null)[],
    argIndex: number[],
    nArgs: number,
  ) {
    super();
    this.#cls = cls;
    this.#ctx = ctx;
    this.nextEdges = edges;
    this.inputMeta = meta;
    this.#argIndex = argIndex;
    this.#nArgs = nArgs;
  }

  get name(): string {
    return `${this.#cls.name}Backward`;
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const gs = this.#ctx._materializeGrads
      ? this.outputMeta.map((m, i) => grads[i] ?? zeros(m.shape, { dtype: m.dtype }))
      : this.outputMeta.map((_, i) => grads[i] ?? null);
    const r = this.#cls.backward(this.#ctx, ...gs);
    const list = Array.isArray(r)
      ? (r as (Tensor | null | undefined)[])
      : [r as Tensor | null | undefined];
    if (list.length !== this.#nArgs) {
      if (
        list.length > this.#nArgs &&
        list.slice(this.#nArgs).every((g) => g === null || g === undefined)
      ) {
        list.length = this.#nArgs;
      } else {
        throw new RuntimeError(
          `function ${this.name} returned an incorrect number of gradients (expected ${this.#nArgs}, got ${list.length})`,
        );
      }
    }
    const tensorPos = new Set(this.#argIndex);
    list.forEach((g, i) => {
      if (g !== null && g !== undefined && !tensorPos.has(i)) {
        throw new RuntimeError(
          `function ${this.name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`,
        );
      }
    });
    return this.#argIndex.map((i) => list[i] ?? null);
  }

  override release(): void {
    this.#ctx._release();
  }
}

/**
 * Base class of custom autograd functions (`x.autograd.Function`).
 *
 * @example
 * class Square extends autograd.Function {
 *   static forward(ctx: FunctionCtx, x: Tensor) { ctx.saveForBackward(x); return x.mul(x); }
 *   static backward(ctx: FunctionCtx, g: Tensor) { const [x] = ctx.savedTensors; return g.mul(x!).mul(2); }
 * }
 * const y = Square.apply(tensor([3], { requiresGrad: true })); // y.gradFn.name === "SquareBackward"
 */
export class AutogradFunction {
  static forward(_ctx: FunctionCtx, ..._args: any[]): Tensor | readonly Tensor[] {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }

  static backward(
    _ctx: FunctionCtx,
    ..._grads: any[]
  ): Tensor | null | undefined | readonly (Tensor | null | undefined)[] {
    throw new RuntimeError(
      "You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.",
    );
  }

  /** Runs the function on `args`, recording it in the graph when an input requires grad. */
  static apply<C extends FunctionClass>(
    this: C,
    ...args: Parameters<C["forward"]> extends [FunctionCtx, ...infer A] ? A : never
  ): ReturnType<C["forward"]> {
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const out = noGrad(() => this.forward(ctx, ...args));
    const outs = (Array.isArray(out) ? out : [out]) as Tensor[];
    const argIndex: number[] = [];
    const edges: (Edge | null)[] = [];
    const meta: (TensorMeta | null)[] = [];
    args.forEach((a, i) => {
      if (!(a instanceof Tensor)) return;
      argIndex.push(i);
      const e = a._edge();
      edges.push(e);
      meta.push(e ? { shape: a.shape, dtype: a.dtype } : null);
    });
    const record = isGradEnabled() && edges.some((e) => e !== null);
    const results = outs.map((o) => {
      if (args.includes(o) && !ctx._dirty.has(o)) return new Tensor(o.data);
      return o;
    });
    if (!record) return (Array.isArray(out) ? results : results[0]) as ReturnType<C["forward"]>;
    const node = new FunctionNode(this, ctx, edges, meta, argIndex, args.length);
    node.outputMeta = results.map((o) => ({ shape: o.shape, dtype: o.dtype }));
    results.forEach((o, i) => {
      if (ctx._nonDifferentiable.has(o) || !o.isFloatingPoint()) return;
      if (ctx._dirty.has(o) && o.isLeaf && o.requiresGrad) {
        throw new RuntimeError(
          "a leaf Variable that requires grad has been used in an in-place operation.",
        );
      }
      o._setGradFn(node, i);
    });
    ctx._save(node, results);
    return (Array.isArray(out) ? results : results[0]) as ReturnType<C["forward"]>;
  }
}
