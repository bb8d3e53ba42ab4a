/**
 * Joining and rearranging: `cat`, `stack`, `flip`, `repeat`, `tril`, `triu`, `pad` (`F.pad`).
 */

import type { PadMode } from "@x/storage";
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";

/**
 * Concatenates along `dim` (`torch.cat`).
 * @example cat([ones(2, 1), zeros(2, 2)], 1).shape // [2, 3]
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const d0 = typeof dim === "object" ? (dim.dim ?? 0) : dim;
  const out = S.cat(
    tensors.map((t) => t.data),
    d0,
  );
  const first = tensors.find((t) => t.ndim > 0) ?? tensors[0]!;
  const d = S.normalizeDim(d0, first.ndim);
  // PyTorch skips legacy empty 1-d inputs; they get a zero-size slice of the gradient.
  const sizes = tensors.map((t) =>
    t.ndim === 1 && t.shape[0] === 0 && first.ndim !== 1 ? 0 : t.shape[d]!,
  );
  return record1("cat", { tensors, dim: d, sizes }, out);
}

/** Alias of `cat`. */
export const concat = cat;

/**
 * Stacks along a new dim (`torch.stack`).
 * @example stack([ones(2), zeros(2)]).shape // [2, 2]
 */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  const d0 = typeof dim === "object" ? (dim.dim ?? 0) : dim;
  const out = S.stack(
    tensors.map((t) => t.data),
    d0,
  );
  const d = S.normalizeDim(d0, out.ndim);
  return record1("stack", { tensors, dim: d }, out);
}

/** Reverses the order along `dims`. @example flip(arange(3), [0]) // tensor([2, 1, 0]) */
export function flip(self: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  const list = S.flatShape(dims).map((d) => S.normalizeDim(d, self.ndim));
  return record1("flip", { self, dims: list }, S.flip(self.data, list));
}

/** Tiles the tensor `repeats` times along each dim. @example repeat(tensor([1, 2]), 2) // tensor([1., 2., 1., 2.]) */
export function repeat(self: Tensor, ...repeats: number[] | [readonly number[]]): Tensor {
  const r = S.flatShape(repeats);
  return record1("repeat", { self, repeats: r, inputShape: self.shape }, S.repeat(self.data, r));
}

/** The lower triangle (`diagonal` shifts it). @example tril(ones(2, 2)) // [[1, 0], [1, 1]] */
export function tril(self: Tensor, diagonal = 0): Tensor {
  return record1("tril", { self, diagonal }, S.tril(self.data, diagonal));
}

/** The upper triangle (`diagonal` shifts it). @example triu(ones(2, 2)) // [[1, 1], [0, 1]] */
export function triu(self: Tensor, diagonal = 0): Tensor {
  return record1("triu", { self, diagonal }, S.triu(self.data, diagonal));
}

/**
 * Pads the last dims (`F.pad`): `pad` lists (left, right) of the last dim, then the dim before…
 * Negative values crop.
 * @example pad(ones(1, 2), [1, 1]) // tensor([[0., 1., 1., 0.]])
 */
export function pad(
  self: Tensor,
  padding: readonly number[],
  opts: { mode?: PadMode; value?: number } | PadMode = {},
  value?: number,
): Tensor {
  const o = typeof opts === "string" ? { mode: opts, value } : opts;
  const mode = o.mode ?? "constant";
  const v = o.value ?? 0;
  const out = S.pad(self.data, padding, mode, mode === "constant" ? v : undefined);
  return record1(
    "pad",
    { self, pad: padding.slice(), mode, value: v, inputShape: self.shape },
    out,
  );
}

/** The gradient of a non-constant `pad` w.r.t. its input of shape `inputShape` (differentiable). */
export function padBackward(
  grad: Tensor,
  padding: readonly number[],
  mode: PadMode,
  inputShape: readonly number[],
): Tensor {
  return record1(
    "padBackward",
    { gradOutput: grad, pad: padding.slice(), mode, inputShape },
    S.padBackward(grad.data, padding, mode, inputShape),
  );
}
