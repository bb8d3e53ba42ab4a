/**
 * Recording ops in the graph: `record` wraps an op's output arrays in tensors and, when grad
 * mode is on and an input requires grad, attaches an `OpNode` that evaluates the op's rule
 * from the derivative table at backward time. Only what the needed formulas `use` is saved.
 */
import { isFloatingPoint, type NDArray, RuntimeError } from "@x/storage";
import { DERIVATIVES, type DiffOp, type OpArgs } from "./derivatives/index.js";
import type { Formula, Rule } from "./derivatives/rule.js";
import { isAnomalyEnabled, isGradEnabled } from "./gradMode.js";
import { type Edge, Node, type TensorMeta } from "./graph.js";
import { zeros } from "./ops/creation.js";
import { BACKWARD_TWICE, SavedTensor } from "./saved.js";
import { Tensor } from "./tensor.js";
import { OWN } from "./tensorBase.js";

/** One differentiable input of a rule: its edges `start … start+count-1`, its formula. */
interface Slot {
  start: number;
  count: number;
  list: boolean;
  formula: Formula<any>;
}

/** The saved tensors of a list argument (`cat`'s tensors), null where none was needed. */
class SavedList {
  constructor(readonly items: (SavedTensor | null)[]) {}
}

/** What a node keeps of one forward argument: a saved tensor or list, or the value itself. */
type Kept = SavedTensor | SavedList | unknown;

/** A node whose backward is a rule of the derivative table. */
export class OpNode extends Node {
  readonly op: DiffOp;
  readonly #name: string;
  readonly #slots: readonly Slot[];
  // The forward's arguments that formulas may read (non-tensors, and the saved tensors), in
  // the argument order: names and values side by side.
  readonly #keys: string[];
  readonly #kept: Kept[];
  #savedResults: SavedTensor[] | null = null;
  readonly #hasSaved: boolean;
  #released = false;

  constructor(
    op: DiffOp,
    info: RuleInfo,
    args: Record<string, unknown>,
    outputs: readonly Tensor[],
    savedSelf?: Tensor,
  ) {
    super();
    this.op = op;
    this.#name = info.nameOf === null ? info.name : info.nameOf(args);
    const slots = hasList(info, args) ? slotsOf(info, args) : info.slots;
    this.#slots = slots;
    const edges = new Array<Edge | null>(slots.length === 0 ? 0 : lastEdge(slots));
    const meta = new Array<TensorMeta | null>(edges.length);
    let all = true;
    for (let i = 0; i < slots.length; i++) {
      const sl = slots[i]!;
      const v = args[info.keys[i]!];
      if (sl.list) {
        const list = v as readonly unknown[];
        for (let j = 0; j < sl.count; j++) all = setEdge(list[j], sl.start + j, edges, meta) && all;
      } else all = setEdge(v, sl.start, edges, meta) && all;
    }
    this.nextEdges = edges;
    this.inputMeta = meta;
    const outputMeta: TensorMeta[] = new Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      const d = outputs[i]!.data;
      outputMeta[i] = { shape: d.shape, dtype: d.dtype };
    }
    this.outputMeta = outputMeta;
    const uses = all ? info.allUses : usesOf(slots, edges);
    this.#hasSaved = uses.size > 0;
    const keys: string[] = [];
    const kept: Kept[] = [];
    for (const k in args) {
      const v = args[k];
      if (v instanceof Tensor) {
        if (!uses.has(k)) continue;
        kept.push(new SavedTensor(k === "self" && savedSelf ? savedSelf : v, null, false));
      } else if (isTensorList(v)) {
        if (!uses.has(k)) continue;
        kept.push(
          new SavedList(
            v.map((e) => (e instanceof Tensor ? new SavedTensor(e, null, false) : null)),
          ),
        );
      } else kept.push(v);
      keys.push(k);
    }
    this.#keys = keys;
    this.#kept = kept;
    if (uses.has("result")) this.#savedResults = [];
    if (isAnomalyEnabled()) this.anomalyStack = new Error().stack ?? null;
  }

  get name(): string {
    return this.#name;
  }

  override get _builtin(): boolean {
    return true;
  }

  /** Saves the outputs when a formula uses `result` (after they were attached to this node). */
  saveResults(outputs: readonly Tensor[]): void {
    const saved = this.#savedResults;
    if (saved === null) return;
    for (let i = 0; i < outputs.length; i++) saved.push(new SavedTensor(outputs[i]!, this, true));
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.#released && this.#hasSaved) throw new RuntimeError(BACKWARD_TWICE);
    const outputMeta = this.outputMeta;
    const gs: Tensor[] = new Array(outputMeta.length);
    for (let i = 0; i < gs.length; i++) gs[i] = grads[i] ?? zerosFor(outputMeta[i]!);
    // The formulas' context: the kept arguments (saved tensors unpacked and checked), the
    // gradients, and the outputs when saved.
    const ctx: Record<string, unknown> = { grad: gs[0], grads: gs };
    const keys = this.#keys;
    const kept = this.#kept;
    for (let i = 0; i < keys.length; i++) {
      const v = kept[i];
      if (v instanceof SavedTensor) ctx[keys[i]!] = v.unpack();
      else if (v instanceof SavedList) ctx[keys[i]!] = v.items.map((s) => s?.unpack() ?? null);
      else ctx[keys[i]!] = v;
    }
    const savedResults = this.#savedResults;
    if (savedResults !== null && savedResults.length > 0) {
      const rs = savedResults.map((s) => s.unpack());
      ctx.result = rs[0];
      ctx.results = rs;
    }
    const edges = this.nextEdges;
    const out: (Tensor | null)[] = new Array(edges.length).fill(null);
    for (const s of this.#slots) {
      if (!needed(s, edges)) continue;
      const r = s.formula.grad(ctx as never);
      if (s.list) {
        const arr = r as readonly (Tensor | null)[];
        for (let i = 0; i < s.count; i++) out[s.start + i] = arr[i] ?? null;
      } else out[s.start] = r as Tensor | null;
    }
    return out;
  }

  override release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const v of this.#kept) {
      if (v instanceof SavedTensor) v.release();
      else if (v instanceof SavedList) for (const s of v.items) s?.release();
    }
    if (this.#savedResults) for (const s of this.#savedResults) s.release();
  }
}

/** Whether some input of `s` needs a gradient. */
function needed(s: Slot, edges: readonly (Edge | null)[]): boolean {
  for (let i = s.start; i < s.start + s.count; i++) if (edges[i] !== null) return true;
  return false;
}

function isTensorList(v: unknown): v is readonly unknown[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (v[i] instanceof Tensor) return true;
  return false;
}

function lastEdge(slots: readonly Slot[]): number {
  const s = slots[slots.length - 1]!;
  return s.start + s.count;
}

/** What the formulas of the inputs that need a gradient use. */
function usesOf(slots: readonly Slot[], edges: readonly (Edge | null)[]): Set<string> {
  const uses = new Set<string>();
  for (const s of slots) {
    if (needed(s, edges)) for (const u of s.formula.uses) uses.add(u);
  }
  return uses;
}

function zerosFor(m: TensorMeta): Tensor {
  return zeros(m.shape, { dtype: m.dtype });
}

/** What recording needs of a rule, computed once per op. */
interface RuleInfo {
  /** The node name (`${Op}Backward0` by default), or how the arguments give it. */
  name: string;
  nameOf: ((args: any) => string) | null;
  /** The differentiable inputs, in order, and their formulas. */
  keys: string[];
  formulas: Formula<any>[];
  /** One edge per input, when no input is a list. */
  slots: Slot[];
  /** What the formulas use when every input needs a gradient. */
  allUses: Set<string>;
}

const ruleInfos = new Map<string, RuleInfo>();

function infoOf(op: string): RuleInfo {
  let info = ruleInfos.get(op);
  if (info === undefined) {
    const rule = (DERIVATIVES as unknown as Record<string, Rule<any>>)[op]!;
    const keys: string[] = [];
    const formulas: Formula<any>[] = [];
    for (const [k, f] of Object.entries(rule.inputs as Record<string, Formula<any> | string>)) {
      if (typeof f === "string") continue;
      keys.push(k);
      formulas.push(f);
    }
    const slots = keys.map((_, i) => ({ start: i, count: 1, list: false, formula: formulas[i]! }));
    const allUses = new Set<string>();
    for (const f of formulas) for (const u of f.uses) allUses.add(u);
    const name =
      typeof rule.name === "string" ? rule.name : `${op[0]!.toUpperCase()}${op.slice(1)}Backward0`;
    const nameOf = typeof rule.name === "function" ? rule.name : null;
    info = { name, nameOf, keys, formulas, slots, allUses };
    ruleInfos.set(op, info);
  }
  return info;
}

function hasList(info: RuleInfo, args: Record<string, unknown>): boolean {
  for (let i = 0; i < info.keys.length; i++) if (Array.isArray(args[info.keys[i]!])) return true;
  return false;
}

/** The slots of a call where some input is a list (one edge per tensor of a list). */
function slotsOf(info: RuleInfo, args: Record<string, unknown>): Slot[] {
  const slots: Slot[] = [];
  let start = 0;
  for (let i = 0; i < info.keys.length; i++) {
    const v = args[info.keys[i]!];
    const list = Array.isArray(v);
    const count = list ? v.length : 1;
    slots.push({ start, count, list, formula: info.formulas[i]! });
    start += count;
  }
  return slots;
}

/** Sets the edge and gradient meta of one input; true when it needs a gradient. */
function setEdge(
  v: unknown,
  i: number,
  edges: (Edge | null)[],
  meta: (TensorMeta | null)[],
): boolean {
  const e = v instanceof Tensor ? v._edge() : null;
  edges[i] = e;
  if (e === null) {
    meta[i] = null;
    return false;
  }
  const d = (v as Tensor).data;
  meta[i] = { shape: d.shape, dtype: d.dtype };
  return true;
}

/** Whether an input among `keys` of `args` requires grad (no allocation: on every op's path). */
function anyNeedsGrad(info: RuleInfo, args: Record<string, unknown>): boolean {
  const keys = info.keys;
  for (let i = 0; i < keys.length; i++) if (needsGrad(args[keys[i]!])) return true;
  return false;
}

/**
 * The node recording `op` on `args` for `outputs` (or null when no input needs a gradient or
 * no output is floating point). `savedSelf` replaces `args.self` in what is saved (in-place
 * ops save a copy of the original). `force` records even when grad mode is off.
 */
export function createNode<K extends DiffOp>(
  op: K,
  args: OpArgs[K],
  outputs: readonly Tensor[],
  savedSelf?: Tensor,
  force = false,
): OpNode | null {
  if (!force && !isGradEnabled()) return null;
  const info = infoOf(op);
  const a = args as unknown as Record<string, unknown>;
  if (!anyNeedsGrad(info, a)) return null;
  let float = false;
  for (let i = 0; i < outputs.length && !float; i++) float = isFloatingPoint(outputs[i]!.dtype);
  if (!float) return null;
  return new OpNode(op, info, a, outputs, savedSelf);
}

/**
 * Attaches existing output tensors to the graph for `op` when grad mode is on and some input
 * requires grad. Returns the node, or null when nothing was recorded.
 */
export function attach<K extends DiffOp>(
  op: K,
  args: OpArgs[K],
  outputs: readonly Tensor[],
  savedSelf?: Tensor,
): OpNode | null {
  const node = createNode(op, args, outputs, savedSelf);
  if (!node) return null;
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i]!;
    if (isFloatingPoint(o.dtype)) o._setGradFn(node, i);
  }
  node.saveResults(outputs);
  return node;
}

/** Whether recording `op` on these arguments would create a node (grad mode on, an input requiring grad). */
export function wouldRecord<K extends DiffOp>(op: K, args: OpArgs[K]): boolean {
  if (!isGradEnabled()) return false;
  return anyNeedsGrad(infoOf(op), args as unknown as Record<string, unknown>);
}

function needsGrad(v: unknown): boolean {
  if (v instanceof Tensor) return v.requiresGrad;
  if (!Array.isArray(v)) return false;
  for (const e of v) if (e instanceof Tensor && e.requiresGrad) return true;
  return false;
}

/** Whether recording `op` on these arguments would save `self` (in-place ops copy it first). */
export function savesSelf<K extends DiffOp>(op: K, args: OpArgs[K]): boolean {
  const info = infoOf(op);
  const a = args as unknown as Record<string, unknown>;
  for (let i = 0; i < info.keys.length; i++) {
    if (needsGrad(a[info.keys[i]!]) && info.formulas[i]!.uses.includes("self")) return true;
  }
  return false;
}

/**
 * Wraps the output arrays of `op` in tensors and records the op. `viewOf`: the outputs alias
 * that tensor's storage (views track their base).
 */
export function record<K extends DiffOp>(
  op: K,
  args: OpArgs[K],
  outs: readonly NDArray[],
  viewOf?: Tensor,
): Tensor[] {
  const outputs = outs.map((o) => new Tensor(o, undefined, OWN));
  if (viewOf) {
    const base = viewOf._base ?? viewOf;
    for (const t of outputs) t._setBase(base);
  }
  attach(op, args, outputs);
  return outputs;
}

/** `record` for single-output ops. */
export function record1<K extends DiffOp>(
  op: K,
  args: OpArgs[K],
  out: NDArray,
  viewOf?: Tensor,
): Tensor {
  const t = new Tensor(out, undefined, OWN);
  if (viewOf) t._setBase(viewOf._base ?? viewOf);
  if (isGradEnabled()) attach(op, args, [t]);
  return t;
}
