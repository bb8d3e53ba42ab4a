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

/** One tensor input of a rule: its edges `start … start+count-1`, its formula. */
interface Slot {
  key: string;
  start: number;
  count: number;
  list: boolean;
  formula: Formula<any> | null;
}

type SavedValue = SavedTensor | (SavedTensor | null)[] | { value: unknown };

function pascal(op: string): string {
  return op[0]!.toUpperCase() + op.slice(1);
}

/** A node whose backward is a rule of the derivative table. */
export class OpNode extends Node {
  readonly op: DiffOp;
  readonly #name: string;
  readonly #slots: Slot[];
  readonly #attrs: Record<string, unknown>;
  #saved: Map<string, SavedValue> | null;
  #savedResults: SavedTensor[] | null = null;
  readonly #hasSaved: boolean;
  readonly #wantsResult: boolean;

  constructor(
    op: DiffOp,
    rule: Rule<any>,
    args: Record<string, unknown>,
    slots: Slot[],
    edges: (Edge | null)[],
    meta: (TensorMeta | null)[],
    outputs: readonly Tensor[],
    savedSelf?: Tensor,
  ) {
    super();
    this.op = op;
    this.#name = typeof rule.name === "function" ? rule.name(args) : staticName(op, rule);
    this.#slots = slots;
    this.nextEdges = edges;
    this.inputMeta = meta;
    const outputMeta: TensorMeta[] = new Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      const d = outputs[i]!.data;
      outputMeta[i] = { shape: d.shape, dtype: d.dtype };
    }
    this.outputMeta = outputMeta;
    const uses = usesOf(rule, slots, edges);
    this.#hasSaved = uses.size > 0;
    const attrs: Record<string, unknown> = {};
    const saved = uses.size > 0 ? new Map<string, SavedValue>() : NOTHING_SAVED;
    this.#saved = saved;
    for (const k in args) {
      const v = args[k];
      if (uses.has(k)) {
        if (k === "self" && savedSelf) saved.set(k, new SavedTensor(savedSelf, null, false));
        else if (v instanceof Tensor) saved.set(k, new SavedTensor(v, null, false));
        else if (Array.isArray(v) && v.some((e) => e instanceof Tensor)) {
          saved.set(
            k,
            v.map((e) => (e instanceof Tensor ? new SavedTensor(e, null, false) : null)),
          );
        } else saved.set(k, { value: v });
      } else if (
        !(v instanceof Tensor) &&
        !(Array.isArray(v) && v.some((e) => e instanceof Tensor))
      ) {
        attrs[k] = v;
      }
    }
    this.#attrs = attrs;
    this.#wantsResult = uses.has("result");
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
    if (this.#wantsResult) this.#savedResults = outputs.map((o) => new SavedTensor(o, this, true));
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const saved = this.#saved;
    if (saved === null && this.#hasSaved) throw new RuntimeError(BACKWARD_TWICE);
    const gs = this.outputMeta.map((m, i) => grads[i] ?? zerosFor(m));
    const ctx: Record<string, unknown> = { ...this.#attrs, grad: gs[0], grads: gs };
    if (saved) {
      for (const [k, v] of saved) {
        if (v instanceof SavedTensor) ctx[k] = v.unpack();
        else if (Array.isArray(v)) ctx[k] = v.map((s) => s?.unpack() ?? null);
        else ctx[k] = v.value;
      }
    }
    if (this.#savedResults) {
      const rs = this.#savedResults.map((s) => s.unpack());
      ctx.result = rs[0];
      ctx.results = rs;
    }
    const out: (Tensor | null)[] = new Array(this.nextEdges.length).fill(null);
    for (const s of this.#slots) {
      if (!s.formula) continue;
      let needed = false;
      for (let i = s.start; i < s.start + s.count; i++) needed ||= this.nextEdges[i] !== null;
      if (!needed) continue;
      const r = s.formula.grad(ctx as never);
      if (s.list) {
        const arr = r as readonly (Tensor | null)[];
        for (let i = 0; i < s.count; i++) out[s.start + i] = arr[i] ?? null;
      } else out[s.start] = r as Tensor | null;
    }
    return out;
  }

  override release(): void {
    const saved = this.#saved;
    if (saved === null) return;
    for (const v of saved.values()) {
      if (v instanceof SavedTensor) v.release();
      else if (Array.isArray(v)) for (const s of v) s?.release();
    }
    if (this.#savedResults) for (const s of this.#savedResults) s.release();
    this.#saved = null;
    this.#savedResults = null;
  }
}

// What nodes that save nothing hold (never written: nothing is saved into it).
const NOTHING_SAVED = new Map<string, SavedValue>();

const names = new Map<string, string>();

/** A rule's fixed node name (`${Op}Backward0` unless it names one), made once per op. */
function staticName(op: string, rule: Rule<any>): string {
  let n = names.get(op);
  if (n === undefined) {
    n = (rule.name as string | undefined) ?? `${pascal(op)}Backward0`;
    names.set(op, n);
  }
  return n;
}

const allUses = new Map<Rule<any>, Set<string>>();

/** What the formulas of the inputs that need a gradient use (shared when all of them do). */
function usesOf(rule: Rule<any>, slots: Slot[], edges: (Edge | null)[]): Set<string> {
  let all = true;
  for (let i = 0; i < edges.length && all; i++) all = edges[i] !== null;
  if (all) {
    let u = allUses.get(rule);
    if (u === undefined) {
      u = new Set();
      for (const s of slots) if (s.formula) for (const x of s.formula.uses) u.add(x);
      allUses.set(rule, u);
    }
    return u;
  }
  const uses = new Set<string>();
  for (const s of slots) {
    if (!s.formula) continue;
    let needed = false;
    for (let i = s.start; i < s.start + s.count; i++) needed ||= edges[i] !== null;
    if (needed) for (const u of s.formula.uses) uses.add(u);
  }
  return uses;
}

function zerosFor(m: TensorMeta): Tensor {
  return zeros(m.shape, { dtype: m.dtype });
}

/** A rule's tensor inputs, and their slots when no input is a list (computed once per rule). */
interface RuleInfo {
  keys: string[];
  formulas: Formula<any>[];
  slots: Slot[];
}

const ruleInfos = new Map<Rule<any>, RuleInfo>();

function infoOf(rule: Rule<any>): RuleInfo {
  let info = ruleInfos.get(rule);
  if (info === undefined) {
    const keys: string[] = [];
    const formulas: Formula<any>[] = [];
    for (const [k, f] of Object.entries(rule.inputs as Record<string, Formula<any> | string>)) {
      if (typeof f === "string") continue;
      keys.push(k);
      formulas.push(f);
    }
    const slots = keys.map((key, i) => ({
      key,
      start: i,
      count: 1,
      list: false,
      formula: formulas[i]!,
    }));
    info = { keys, formulas, slots };
    ruleInfos.set(rule, info);
  }
  return info;
}

/** Appends the edge and gradient meta of one input; true when it needs a gradient. */
function pushEdge(v: unknown, edges: (Edge | null)[], meta: (TensorMeta | null)[]): boolean {
  if (v instanceof Tensor) {
    const e = v._edge();
    edges.push(e);
    if (e === null) {
      meta.push(null);
      return false;
    }
    const d = v.data;
    meta.push({ shape: d.shape, dtype: d.dtype });
    return true;
  }
  edges.push(null);
  meta.push(null);
  return false;
}

function slotsOf(
  rule: Rule<any>,
  args: Record<string, unknown>,
): {
  slots: Slot[];
  edges: (Edge | null)[];
  meta: (TensorMeta | null)[];
  any: boolean;
} {
  const { keys, formulas, slots: single } = infoOf(rule);
  const edges: (Edge | null)[] = [];
  const meta: (TensorMeta | null)[] = [];
  let any = false;
  let lists = false;
  for (let i = 0; i < keys.length; i++) lists ||= Array.isArray(args[keys[i]!]);
  if (!lists) {
    for (let i = 0; i < keys.length; i++) any = pushEdge(args[keys[i]!], edges, meta) || any;
    return { slots: single, edges, meta, any };
  }
  const slots: Slot[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = args[key];
    const list = Array.isArray(v);
    const start = edges.length;
    if (list) for (const e of v) any = pushEdge(e, edges, meta) || any;
    else any = pushEdge(v, edges, meta) || any;
    slots.push({ key, start, count: edges.length - start, list, formula: formulas[i]! });
  }
  return { slots, edges, meta, any };
}

/** Whether an input of `rule` among `args` requires grad (no allocation: on every op's path). */
function anyNeedsGrad(rule: Rule<any>, args: Record<string, unknown>): boolean {
  const keys = infoOf(rule).keys;
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
  const rule = (DERIVATIVES as unknown as Record<string, Rule<any>>)[op]!;
  const a = args as unknown as Record<string, unknown>;
  if (!anyNeedsGrad(rule, a)) return null;
  const { slots, edges, meta, any } = slotsOf(rule, a);
  if (!any) return null;
  if (!outputs.some((o) => isFloatingPoint(o.dtype))) return null;
  return new OpNode(op, rule, a, slots, edges, meta, outputs, savedSelf);
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
  outputs.forEach((o, i) => {
    if (isFloatingPoint(o.dtype)) o._setGradFn(node, i);
  });
  node.saveResults(outputs);
  return node;
}

/** Whether recording `op` on these arguments would create a node (grad mode on, an input requiring grad). */
export function wouldRecord<K extends DiffOp>(op: K, args: OpArgs[K]): boolean {
  if (!isGradEnabled()) return false;
  const rule = (DERIVATIVES as unknown as Record<string, Rule<any>>)[op]!;
  return anyNeedsGrad(rule, args as unknown as Record<string, unknown>);
}

function needsGrad(v: unknown): boolean {
  if (v instanceof Tensor) return v.requiresGrad;
  if (!Array.isArray(v)) return false;
  for (const e of v) if (e instanceof Tensor && e.requiresGrad) return true;
  return false;
}

/** Whether recording `op` on these arguments would save `self` (in-place ops copy it first). */
export function savesSelf<K extends DiffOp>(op: K, args: OpArgs[K]): boolean {
  const rule = (DERIVATIVES as unknown as Record<string, Rule<any>>)[op]!;
  for (const [key, f] of Object.entries(rule.inputs as Record<string, Formula<any> | string>)) {
    if (typeof f === "string") continue;
    if (needsGrad((args as unknown as Record<string, unknown>)[key]) && f.uses.includes("self"))
      return true;
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
