/**
 * The backward graph: `Node` (PyTorch's `grad_fn` objects, named `MulBackward0`…), edges to
 * the nodes that produced each input, and `AccumulateGrad`, the node that stores a leaf's
 * gradient in `.grad`. Nodes hold the hooks of the tensors they produced.
 */
import type { DType } from "@x/storage";
import type { Tensor } from "./tensor.js";

/** Where a gradient goes: output `inputNr` of `node` (PyTorch's `(node, input_nr)`). */
export interface Edge {
  readonly node: Node;
  readonly inputNr: number;
}

/** Shape and dtype a gradient must have (validated and reduced by the engine). */
export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** What a hook returns: a replacement, or nothing (`void`: hooks that only observe). */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks that only observe return nothing.
export type HookResult<T> = T | undefined | void;

/** A tensor hook: sees the gradient and may return a replacement. */
export type TensorHook = (grad: Tensor) => HookResult<Tensor>;

/** A node hook (`gradFn.registerHook`): sees input and output gradients. */
export type NodeHook = (
  gradInputs: readonly (Tensor | null)[],
  gradOutputs: readonly (Tensor | null)[],
) => HookResult<(Tensor | null)[]>;

/** A removable hook registration; also disposable (`using h = t.registerHook(f)`). */
export interface RemovableHandle extends Disposable {
  remove(): void;
}

let nextSequenceNr = 0;
let nextHookId = 0;

function addHook<F>(map: Map<number, F>, fn: F): RemovableHandle {
  const id = nextHookId++;
  map.set(id, fn);
  const remove = () => void map.delete(id);
  return { remove, [Symbol.dispose]: remove };
}

/** A function of the backward graph (`tensor.gradFn`). */
export abstract class Node {
  /** Creation order; later nodes run first among those ready, as in PyTorch. */
  readonly sequenceNr = nextSequenceNr++;
  /** One edge per forward input (null where that input needs no gradient). */
  nextEdges: (Edge | null)[] = [];
  /** Shape and dtype expected for the gradient of each input (aligned with `nextEdges`). */
  inputMeta: (TensorMeta | null)[] = [];
  /** Shape and dtype of each forward output (to make zeros for outputs that got no gradient). */
  outputMeta: TensorMeta[] = [];
  /** The forward call's stack, recorded when anomaly detection is on. */
  anomalyStack: string | null = null;
  // Made on first use: most nodes never get a hook (and a node is made for every op).
  #tensorHooks: Map<number, Map<number, TensorHook>> | null = null;
  #retainedTensors: Map<number, Tensor> | null = null;
  #postHooks: Map<number, NodeHook> | null = null;

  /** Hooks of the tensors this node produced, by output number. */
  get tensorHooks(): Map<number, Map<number, TensorHook>> {
    this.#tensorHooks ??= new Map();
    return this.#tensorHooks;
  }

  /** Non-leaf tensors that called `retainGrad()`, by output number. */
  get retainedTensors(): Map<number, Tensor> {
    this.#retainedTensors ??= new Map();
    return this.#retainedTensors;
  }

  /** Hooks run after this node computed its input gradients (`registerHook`). */
  get postHooks(): Map<number, NodeHook> {
    this.#postHooks ??= new Map();
    return this.#postHooks;
  }

  /** @internal Whether a tensor hook or a retained tensor is registered (makes no map). */
  get _hasTensorHooks(): boolean {
    return (
      (this.#tensorHooks !== null && this.#tensorHooks.size > 0) ||
      (this.#retainedTensors !== null && this.#retainedTensors.size > 0)
    );
  }

  /** @internal Whether a post hook is registered (makes no map). */
  get _hasPostHooks(): boolean {
    return this.#postHooks !== null && this.#postHooks.size > 0;
  }

  /** PyTorch's class name of this node: `MulBackward0`, `AccumulateGrad`, `SquareBackward`. */
  abstract get name(): string;

  /**
   * Gradients of the inputs (aligned with `nextEdges`) from the gradients of the outputs.
   * Entries of `grads` are null for outputs that received none.
   */
  abstract apply(grads: (Tensor | null)[]): (Tensor | null)[];

  /** Frees what the node saved for backward (after a backward without `retainGraph`). */
  release(): void {}

  /**
   * @internal True when `apply` runs only this library's code (no user callback): the engine
   * may then free the tensors it creates and does not return, and its inputs once consumed.
   */
  get _builtin(): boolean {
    return false;
  }

  /** `((node, inputNr), …)` for each input, as PyTorch's `next_functions`. */
  get nextFunctions(): (readonly [Node | null, number])[] {
    return this.nextEdges.map((e) => (e ? ([e.node, e.inputNr] as const) : ([null, 0] as const)));
  }

  /** Registers a hook run after this node computed its input gradients. */
  registerHook(fn: NodeHook): RemovableHandle {
    return addHook(this.postHooks, fn);
  }

  /** @internal Registers a tensor hook for output `nr`. */
  _addTensorHook(nr: number, fn: TensorHook): RemovableHandle {
    let m = this.tensorHooks.get(nr);
    if (!m) {
      m = new Map();
      this.tensorHooks.set(nr, m);
    }
    return addHook(m, fn);
  }

  /** `<MulBackward0>`-style display. */
  toString(): string {
    return `<${this.name} object>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `<${this.name}>`;
  }
}

/** The node that accumulates a leaf's gradient into `.grad` (PyTorch's `AccumulateGrad`). */
export class AccumulateGrad extends Node {
  readonly variable: Tensor;

  constructor(variable: Tensor) {
    super();
    this.variable = variable;
    this.inputMeta = [];
    this.outputMeta = [{ shape: variable.shape, dtype: variable.dtype }];
  }

  get name(): string {
    return "AccumulateGrad";
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const g = grads[0];
    if (g) this.variable._accumulateGrad(g);
    return [];
  }
}
