/**
 * The backward engine: counts dependencies from the roots, then runs each node once, when all
 * its gradients have arrived (latest-created first among those ready, as PyTorch), with an
 * explicit stack and heap — no recursion, so a 100,000-op chain works. Gradients are
 * validated here, once for every node: summed back to each input's shape (broadcast
 * reduction) and cast to its dtype. Hooks, `retainGrad`, capture for `autograd.grad`,
 * releasing saved tensors and anomaly checks live here too.
 */
import { RuntimeError, sameShape } from "@x/storage";
import { isAnomalyEnabled, setGradEnabled } from "./gradMode.js";
import { AccumulateGrad, type Edge, type Node } from "./graph.js";
import { captureTensors } from "./memory.js";
import { exclusive, keepReturned, OwnedGrads } from "./ownedGrads.js";
import type { Tensor } from "./tensor.js";

export interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** `autograd.grad`: capture the gradients of these tensors instead of accumulating. */
  capture?: readonly Tensor[];
  allowUnused?: boolean;
}

/** A node's state during one backward pass: edges still to deliver, gradients received. */
interface Task {
  readonly node: Node;
  readonly seq: number;
  deps: number;
  buffer: (Tensor | null)[];
}

/** A max-heap of tasks by their node's sequence number. */
class ReadyQueue {
  readonly #heap: Task[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(n: Task): void {
    const h = this.#heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.seq >= n.seq) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = n;
  }

  pop(): Task {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.seq > h[l]!.seq ? r : l;
        if (h[c]!.seq <= last.seq) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function shapeText(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

function expandable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const a = from[from.length - i]!;
    if (a !== 1 && a !== to[to.length - i]) return false;
  }
  return true;
}

/**
 * Checks a node's input gradients: shape (summing broadcast dims) and dtype, as PyTorch.
 * Replaces in `grads` those that needed a change; returns the gradients as they were then
 * (null when none changed).
 */
function validate(node: Node, grads: (Tensor | null)[]): (Tensor | null)[] | null {
  let before: (Tensor | null)[] | null = null;
  for (let i = 0; i < grads.length; i++) {
    let g = grads[i];
    const meta = node.inputMeta[i];
    if (!g || !meta) continue;
    if (!sameShape(g.shape, meta.shape)) {
      if (!expandable(meta.shape, g.shape)) {
        throw new RuntimeError(
          `Function ${node.name} returned an invalid gradient at index ${i} - got ${shapeText(g.shape)} but expected shape compatible with ${shapeText(meta.shape)}`,
        );
      }
      g = g.sumToSize(meta.shape);
    }
    if (g.dtype !== meta.dtype) g = g.to(meta.dtype);
    if (g !== grads[i]) {
      before ??= grads.slice();
      grads[i] = g;
    }
  }
  return before;
}

function checkAnomaly(node: Node, grads: (Tensor | null)[]): void {
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g && g.isnan().any().item() !== 0) {
      const where = node.anomalyStack
        ? `\nTraceback of forward call that caused the error:\n${node.anomalyStack}`
        : "";
      throw new RuntimeError(
        `Function '${node.name}' returned nan values in its ${i}th output.${where}`,
      );
    }
  }
}

function runTensorHooks(node: Node, buffer: (Tensor | null)[]): void {
  for (const [nr, hooks] of node.tensorHooks) {
    let g = buffer[nr];
    if (!g) continue;
    for (const fn of hooks.values()) {
      const r = fn(g);
      if (r) g = r;
    }
    buffer[nr] = g;
  }
  for (const [nr, t] of node.retainedTensors) {
    const g = buffer[nr];
    if (!g || t.isDisposed) continue;
    t._accumulateGrad(g);
  }
}

/** Every node reachable from `roots`, with how many edges point at it. */
function dependencies(roots: readonly Edge[]): Map<Node, Task> {
  const tasks = new Map<Node, Task>();
  const stack: Node[] = [];
  const count = (n: Node) => {
    const t = tasks.get(n);
    if (t !== undefined) t.deps++;
    else {
      tasks.set(n, { node: n, seq: n.sequenceNr, deps: 1, buffer: [] });
      stack.push(n);
    }
  };
  for (const e of roots) count(e.node);
  while (stack.length > 0) {
    const edges = stack.pop()!.nextEdges;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i];
      if (e) count(e.node);
    }
  }
  return tasks;
}

/** Nodes from which some capture target can be reached (the rest need not run). */
function neededNodes(
  roots: readonly Edge[],
  tasks: Map<Node, Task>,
  targets: Map<Node, unknown>,
): Set<Node> {
  // Topological order by Kahn's algorithm over a copy of the counts, then a reverse sweep.
  const count = new Map<Node, number>();
  for (const [n, t] of tasks) count.set(n, t.deps);
  const order: Node[] = [];
  const stack: Node[] = [];
  for (const e of roots) {
    const c = count.get(e.node)! - 1;
    count.set(e.node, c);
    if (c === 0) stack.push(e.node);
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    for (const e of n.nextEdges) {
      if (!e) continue;
      const c = count.get(e.node)! - 1;
      count.set(e.node, c);
      if (c === 0) stack.push(e.node);
    }
  }
  const needed = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (targets.has(n) || n.nextEdges.some((e) => e !== null && needed.has(e.node))) needed.add(n);
  }
  return needed;
}

// The buffer of a node that ran (it receives nothing more).
const RAN: (Tensor | null)[] = Object.freeze([]) as unknown as (Tensor | null)[];

function anyGrad(buffer: readonly (Tensor | null)[]): boolean {
  for (let i = 0; i < buffer.length; i++) if (buffer[i]) return true;
  return false;
}

/**
 * Runs backward from `roots` (edges) with their gradients. Returns the captured gradients
 * when `opts.capture` is given.
 */
export function runBackward(
  roots: readonly Edge[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
): (Tensor | null)[] {
  const tasks = dependencies(roots);
  const capture = opts.capture;
  const captured: (Tensor | null)[] = capture ? capture.map(() => null) : [];
  let targets: Map<Node, [number, number][]> | null = null;
  let needed: Set<Node> | null = null;
  if (capture) {
    targets = new Map();
    for (let i = 0; i < capture.length; i++) {
      const e = capture[i]!._edge();
      if (!e) throw new RuntimeError("One of the differentiated Tensors does not require grad");
      const list = targets.get(e.node) ?? [];
      list.push([e.inputNr, i]);
      targets.set(e.node, list);
    }
    needed = neededNodes(roots, tasks, targets);
  }
  // Freeing early is only for backward passes that record nothing (no `createGraph`).
  const owned = opts.createGraph ? null : new OwnedGrads();
  const ready = new ReadyQueue();
  const addGrad = (e: Edge, g: Tensor | null) => {
    const task = tasks.get(e.node)!;
    if (g) {
      const buf = task.buffer;
      const cur = buf[e.inputNr];
      if (!cur) {
        buf[e.inputNr] = g;
        owned?.hold(g);
      } else if (owned === null) buf[e.inputNr] = cur.add(g);
      else if (owned.refs(cur) === 1 && cur !== g && exclusive(cur)) cur._addInPlaceRaw(g);
      else {
        const prev = captureTensors(null);
        const sum = cur.add(g);
        captureTensors(prev);
        owned.own(sum);
        owned.hold(sum);
        buf[e.inputNr] = sum;
        owned.drop(cur);
      }
    }
    if (--task.deps === 0) ready.push(task);
  };
  const anomaly = isAnomalyEnabled();
  const mode = setGradEnabled(opts.createGraph);
  const made: Tensor[] = [];
  try {
    for (let i = 0; i < roots.length; i++) addGrad(roots[i]!, rootGrads[i]!);
    while (ready.size > 0) {
      const task = ready.pop();
      const node = task.node;
      const buffer = task.buffer;
      task.buffer = RAN; // lets go of the gradients as they are consumed
      const hasGrad = anyGrad(buffer);
      if (hasGrad) {
        // user code (hooks, a custom Function's backward) may keep what it is given
        const hooks = node._hasTensorHooks;
        if (owned && (hooks || !(node._builtin || node instanceof AccumulateGrad))) {
          for (const g of buffer) owned.escape(g);
        }
        if (hooks) runTensorHooks(node, buffer);
      }
      const tg = targets?.get(node);
      if (tg) {
        for (const [nr, i] of tg) {
          captured[i] = buffer[nr] ?? null;
          owned?.escape(buffer[nr]);
        }
      }
      const run =
        hasGrad &&
        (needed === null || needed.has(node)) &&
        !(capture && node instanceof AccumulateGrad);
      let out: (Tensor | null)[] = [];
      let produced: (Tensor | null)[] = out;
      if (run) {
        if (owned && node instanceof AccumulateGrad) {
          const g = buffer[0];
          if (g && node.variable._accumulateGrad(g, owned.refs(g) === 1)) owned.forget(g);
        } else {
          const builtin = owned !== null && node._builtin;
          const prev = builtin ? captureTensors(made) : null;
          try {
            out = node.apply(buffer);
          } finally {
            if (builtin) captureTensors(prev);
          }
          if (owned) keepReturned(made, out, owned);
          if (anomaly) checkAnomaly(node, out);
          if (node._hasPostHooks) {
            if (owned) {
              for (const g of out) owned.escape(g);
              for (const g of buffer) owned.escape(g);
            }
            for (const hook of node.postHooks.values()) {
              const r = hook(out, buffer);
              if (r) out = r;
            }
          }
          if (owned) {
            const prev2 = captureTensors(made);
            try {
              produced = validate(node, out) ?? out;
            } finally {
              captureTensors(prev2);
            }
            keepReturned(made, out, owned);
          } else validate(node, out);
        }
        if (!opts.retainGraph) node.release();
      }
      const edges = node.nextEdges;
      for (let i = 0; i < edges.length; i++) {
        const e = edges[i];
        if (e) addGrad(e, out[i] ?? null);
      }
      if (owned) {
        for (const g of buffer) if (g) owned.drop(g);
        for (const g of out) owned.sweep(g);
        if (produced !== out) for (const g of produced) owned.sweep(g);
      }
    }
  } catch (err) {
    for (const t of made) t.dispose();
    owned?.clear();
    throw err;
  } finally {
    mode.exit();
  }
  if (capture && !opts.allowUnused) {
    for (const g of captured) {
      if (g === null) {
        throw new RuntimeError(
          "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
        );
      }
    }
  }
  return captured;
}
