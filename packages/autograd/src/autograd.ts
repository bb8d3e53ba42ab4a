/**
 * The entry points of the engine: `backward(tensors, gradTensors, opts)` (what `t.backward()`
 * calls) and `grad(outputs, inputs, opts)` (`torch.autograd.grad`), with PyTorch's checks of
 * the roots and their gradients.
 */
import { RuntimeError, sameShape } from "@x/storage";
import { runBackward } from "./engine.js";
import type { Edge } from "./graph.js";
import { onesLike } from "./ops/creation.js";
import type { Tensor } from "./tensor.js";

type Many<T> = T | readonly T[];

function list<T>(v: Many<T>): T[] {
  return Array.isArray(v) ? (v as T[]).slice() : [v as T];
}

function sizeText(s: readonly number[]): string {
  return `torch.Size([${s.join(", ")}])`;
}

function roots(
  outputs: readonly Tensor[],
  grads: readonly (Tensor | number | null | undefined)[],
): [Edge[], Tensor[]] {
  const edges: Edge[] = [];
  const gs: Tensor[] = [];
  outputs.forEach((t, i) => {
    const e = t._edge();
    if (!e)
      throw new RuntimeError(
        `element ${i} of tensors does not require grad and does not have a grad_fn`,
      );
    let g = grads[i];
    if (g === null || g === undefined) {
      if (t.numel() !== 1)
        throw new RuntimeError("grad can be implicitly created only for scalar outputs");
      g = onesLike(t);
    } else if (typeof g === "number") g = onesLike(t).mul(g);
    else if (!sameShape(g.shape, t.shape)) {
      throw new RuntimeError(
        `Mismatch in shape: grad_output[${i}] has a shape of ${sizeText(g.shape)} and output[${i}] has a shape of ${sizeText(t.shape)}.`,
      );
    }
    if (g.dtype !== t.dtype) g = g.to(t.dtype);
    edges.push(e);
    gs.push(g);
  });
  return [edges, gs];
}

/** Options of `backward`. */
export interface BackwardOpts {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/**
 * Accumulates into the leaves' `.grad` the gradient of `tensors` (weighted by `gradTensors`),
 * as `torch.autograd.backward`.
 *
 * @example
 * backward(loss); // same as loss.backward()
 */
export function backward(
  tensors: Many<Tensor>,
  gradTensors: Many<Tensor | number | null> | null = null,
  opts: BackwardOpts = {},
): void {
  const outs = list(tensors);
  const gs = gradTensors === null ? outs.map(() => null) : list(gradTensors);
  const createGraph = opts.createGraph ?? false;
  const [edges, grads] = roots(outs, gs);
  runBackward(edges, grads, { retainGraph: opts.retainGraph ?? createGraph, createGraph });
}

/** Options of `grad`. */
export interface GradOpts {
  gradOutputs?: Many<Tensor | null> | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
  /** Return zeros instead of null for unused inputs (PyTorch's `materialize_grads`). */
  materializeGrads?: boolean;
}

/**
 * The gradients of `outputs` w.r.t. `inputs`, without touching `.grad`
 * (`torch.autograd.grad`). With `createGraph` the results are differentiable again.
 *
 * @example
 * const x = tensor(2, { requiresGrad: true });
 * const [g] = grad(x.pow(3), x, { createGraph: true }); // 12
 * const [h] = grad(g!, x); // 12
 */
export function grad(
  outputs: Many<Tensor>,
  inputs: Many<Tensor>,
  opts: GradOpts = {},
): (Tensor | null)[] {
  const outs = list(outputs);
  const ins = list(inputs);
  const go =
    opts.gradOutputs === undefined || opts.gradOutputs === null
      ? outs.map(() => null)
      : list(opts.gradOutputs);
  const createGraph = opts.createGraph ?? false;
  for (const t of ins) {
    if (!t.requiresGrad)
      throw new RuntimeError("One of the differentiated Tensors does not require grad");
  }
  const [edges, grads] = roots(outs, go);
  const allowUnused = (opts.allowUnused ?? false) || (opts.materializeGrads ?? false);
  const res = runBackward(edges, grads, {
    retainGraph: opts.retainGraph ?? createGraph,
    createGraph,
    capture: ins,
    allowUnused,
  });
  if (opts.materializeGrads) return res.map((g, i) => g ?? onesLike(ins[i]!).mul(0));
  return res;
}
