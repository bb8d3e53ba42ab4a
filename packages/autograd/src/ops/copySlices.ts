/**
 * In-place ops on views (PyTorch's `CopySlices`): writing into a view changes its base, so the
 * base's history is rebased onto a node that routes the base's gradient through the op for the
 * viewed region; the view then becomes an `as_strided` view of the new base. Views whose base
 * changed after they were taken regenerate their `gradFn` the same way, lazily.
 *
 * Under `createGraph` the gradient is computed with recorded ops (as PyTorch's CopySlices does:
 * a copy into a buffer laid out like the base, the op's backward on a clone of the viewed
 * region, a copy back into that region), so second derivatives flow through it; otherwise on
 * raw arrays.
 */
import {
  copyInto,
  type NDArray,
  clone as rawClone,
  zeros as rawZeros,
  sameShape,
} from "@x/storage";
import type { DiffOp, OpArgs } from "../derivatives/index.js";
import { type Edge, Node } from "../graph.js";
import { isGradEnabled } from "../gradMode.js";
import { createNode, type OpNode } from "../opNode.js";
import { Tensor } from "../tensor.js";
import { OWN, setViewRegenerator } from "../tensorBase.js";

/** Shape, strides and offset of an array in its storage. */
export interface Geometry {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

function geometry(d: NDArray): Geometry {
  return { shape: d.shape.slice(), strides: d.strides.slice(), offset: d.offset };
}

function extent(g: Geometry): number {
  let m = g.offset;
  for (let i = 0; i < g.shape.length; i++) {
    if (g.shape[i] === 0) return 0;
    m += (g.shape[i]! - 1) * Math.max(g.strides[i]!, 0);
  }
  return m + 1;
}

/** A buffer laid out like the storage: `a` and `b` are geometries inside it. */
function buffer(dtype: NDArray["dtype"], a: Geometry, b: Geometry): NDArray {
  return rawZeros([Math.max(extent(a), extent(b))], dtype);
}

function at(buf: NDArray, g: Geometry): NDArray {
  return buf.asStrided(g.shape, g.strides, g.offset);
}

/**
 * Zeros laid out as `input` with `grad` written into the region `view` (both geometries in one
 * storage): the gradient of an `as_strided` view.
 */
export function embedGrad(grad: Tensor, view: Geometry, input: Geometry): Tensor {
  if (isGradEnabled() && grad.requiresGrad) {
    // recorded (`createGraph`): a copy into the region of a zero buffer
    const rec = new Tensor(buffer(grad.dtype, view, input), undefined, OWN);
    stridedView(rec, view).copy_(grad);
    return stridedView(rec, input);
  }
  const buf = buffer(grad.dtype, view, input);
  const region = at(buf, view);
  copyInto(region, grad.data);
  region.dispose();
  const out = at(buf, input);
  buf.dispose();
  return new Tensor(out, undefined, OWN);
}

/** Routes a base's gradient through an in-place op applied to one of its views. */
class CopySlices extends Node {
  readonly #fn: OpNode;
  readonly #base: Geometry;
  readonly #view: Geometry;

  constructor(baseEdge: Edge | null, base: Tensor, view: Tensor, fn: OpNode) {
    super();
    this.#fn = fn;
    this.#base = geometry(base.data);
    this.#view = geometry(view.data);
    this.nextEdges = [baseEdge, ...fn.nextEdges.slice(1)];
    this.inputMeta = [{ shape: base.shape, dtype: base.dtype }, ...fn.inputMeta.slice(1)];
    this.outputMeta = [{ shape: base.shape, dtype: base.dtype }];
  }

  get name(): string {
    return "CopySlices";
  }

  override get _builtin(): boolean {
    return true;
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const g = grads[0]!;
    if (isGradEnabled()) return this.#recorded(g);
    const buf = buffer(g.dtype, this.#base, this.#view);
    const whole = at(buf, this.#base);
    copyInto(whole, g.data);
    const region = at(buf, this.#view);
    const res = this.#fn.apply([new Tensor(rawClone(region), undefined, OWN)]);
    let r0 = res[0] ?? null;
    if (r0 && !sameShape(r0.shape, this.#view.shape)) r0 = r0.sumToSize(this.#view.shape);
    copyInto(region, r0 ? r0.data : 0);
    region.dispose();
    buf.dispose();
    return [new Tensor(whole, undefined, OWN), ...res.slice(1)];
  }

  /** The same gradient by recorded ops (`createGraph`): differentiable in g and the op's inputs. */
  #recorded(g: Tensor): (Tensor | null)[] {
    const buf = new Tensor(buffer(g.dtype, this.#base, this.#view), undefined, OWN);
    stridedView(buf, this.#base).copy_(g);
    const region = stridedView(buf, this.#view);
    const res = this.#fn.apply([region.clone()]);
    let r0 = res[0] ?? null;
    if (r0 && !sameShape(r0.shape, this.#view.shape)) r0 = r0.sumToSize(this.#view.shape);
    if (r0) region.copy_(r0);
    else region.zero_();
    return [stridedView(buf, this.#base), ...res.slice(1)];
  }

  override release(): void {
    this.#fn.release();
  }
}

/** A view of `base` (a non-view) with geometry `g` in its storage, with its `as_strided` history. */
function stridedView(base: Tensor, g: Geometry): Tensor {
  const v = new Tensor(at(base.data, g), undefined, OWN);
  v._setBase(base);
  regenerate(v);
  return v;
}

/** Gives `view` the history "as_strided view of its base's current history". */
export function regenerate(view: Tensor): void {
  const base = view._base!;
  view._setViewOf(base.gradFn);
  if (!base.requiresGrad) {
    view._setGradFn(null);
    return;
  }
  const d = view.data;
  const b = base.data;
  const node = createNode(
    "asStrided",
    {
      self: base,
      size: d.shape,
      stride: d.strides,
      storageOffset: d.offset,
      inputShape: b.shape,
      inputStrides: b.strides,
      inputOffset: b.offset,
    },
    [view],
    undefined,
    true,
  );
  view._setGradFn(node, 0);
}

/** The rebase of an in-place op's history when `self` is a view of `self._base`. */
export function rebaseView<K extends DiffOp>(
  op: K,
  self: Tensor,
  args: OpArgs[K],
  original?: Tensor,
): void {
  const base = self._base!;
  const fn = createNode(op, args, [self], original, true);
  if (!fn) return;
  const cs = new CopySlices(base._edge(), base, self, fn);
  base._setGradFn(cs, 0);
  regenerate(self);
  fn.saveResults([self]);
}

setViewRegenerator(regenerate);
