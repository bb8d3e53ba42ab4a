/**
 * Slicing views described as data (`ViewSpec`), and `viewScatter`: zeros of a given shape with
 * a tensor written into such a view — the backward of `slice`, `select`, `narrow` and
 * `diagonal`, and differentiable itself (its derivative takes the view again).
 */
import { copyInto, type NDArray, zeros as rawZeros } from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/** A slicing view: `slice(dim, start, end, step)`, `select(dim, index)`, `diagonal(…)`. */
export type ViewSpec =
  | {
      readonly kind: "slice";
      readonly dim: number;
      readonly start: number;
      readonly end: number;
      readonly step: number;
    }
  | { readonly kind: "select"; readonly dim: number; readonly index: number }
  | {
      readonly kind: "diagonal";
      readonly offset: number;
      readonly dim1: number;
      readonly dim2: number;
    };

/** The view of a raw array. */
export function applyViewNd(x: NDArray, v: ViewSpec): NDArray {
  switch (v.kind) {
    case "slice":
      return x.slice(v.dim, v.start, v.end, v.step);
    case "select":
      return x.select(v.dim, v.index);
    case "diagonal":
      return x.diagonal(v.offset, v.dim1, v.dim2);
  }
}

/** The view of a tensor (recorded, so it is differentiable). */
export function applyView(x: Tensor, v: ViewSpec): Tensor {
  switch (v.kind) {
    case "slice":
      return x.slice(v.dim, v.start, v.end, v.step);
    case "select":
      return x.select(v.dim, v.index);
    case "diagonal":
      return x.diagonal(v.offset, v.dim1, v.dim2);
  }
}

/**
 * Zeros of `shape` with `grad` written into the view `view` of them.
 *
 * @example
 * viewScatter(ones(2), [3, 2], { kind: "select", dim: 0, index: 1 }); // [[0,0],[1,1],[0,0]]
 */
export function viewScatter(grad: Tensor, shape: readonly number[], view: ViewSpec): Tensor {
  const out = rawZeros(shape, grad.dtype);
  const region = applyViewNd(out, view);
  copyInto(region, grad.data);
  region.dispose();
  return record1("viewScatter", { gradOutput: grad, inputShape: shape, view }, out);
}
