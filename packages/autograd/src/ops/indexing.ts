/**
 * Index ops: `indexSelect`, `indexAdd`, `gather`, `scatter`, `scatterAdd`, `maskedFill` (and
 * their in-place forms), `oneHot`. Indices are `int64` (or `int32`) tensors; masks are `bool`.
 */
import * as S from "@x/storage";
import { record1 } from "../opNode.js";
import type { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { inplace } from "./inplace.js";
import { plain, raw } from "./operands.js";

/** Rows (entries of `dim`) listed by the 1-d `index`. @example indexSelect(x, 0, tensor([2, 0], { dtype: "int64" })) */
export function indexSelect(self: Tensor, dim: number, index: Tensor): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return record1(
    "indexSelect",
    { self, dim: d, index, inputShape: self.shape },
    S.indexSelect(self.data, d, index.data),
  );
}

/** `self` with `alpha·source` added at `index` along `dim`. */
export function indexAdd(
  self: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  opts: { alpha?: number } = {},
): Tensor {
  const alpha = opts.alpha ?? 1;
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return record1(
    "indexAdd",
    { self, dim: d, index, source, alpha },
    S.indexAdd(self.data, d, index.data, source.data, alpha),
  );
}

/** In-place `indexAdd`. */
export function indexAdd_(
  self: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  opts: { alpha?: number } = {},
): Tensor {
  const alpha = opts.alpha ?? 1;
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return inplace("indexAdd", self, { self, dim: d, index, source, alpha }, () => {
    S.indexAdd_(self.data, d, index.data, source.data, alpha);
  });
}

/** `out[i][j] = self[i][index[i][j]]` for `dim = 1` (`torch.gather`). */
export function gather(self: Tensor, dim: number, index: Tensor): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return record1(
    "gather",
    { self, dim: d, index, inputShape: self.shape },
    S.gather(self.data, d, index.data),
  );
}

/** `self` with `src` (a tensor or a number) written at `index` along `dim`. */
export function scatter(self: Tensor, dim: number, index: Tensor, src: Operand): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return record1(
    "scatter",
    { self, dim: d, index, src },
    S.scatter(self.data, d, index.data, raw(src)),
  );
}

/** In-place `scatter`. */
export function scatter_(self: Tensor, dim: number, index: Tensor, src: Operand): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return inplace("scatter", self, { self, dim: d, index, src }, () => {
    S.scatter_(self.data, d, index.data, raw(src));
  });
}

/** `self` with `src` added at `index` along `dim` (repeats accumulate). */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return record1(
    "scatterAdd",
    { self, dim: d, index, src },
    S.scatterAdd(self.data, d, index.data, src.data),
  );
}

/** In-place `scatterAdd`. */
export function scatterAdd_(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = self.ndim === 0 ? 0 : S.normalizeDim(dim, self.ndim);
  return inplace("scatterAdd", self, { self, dim: d, index, src }, () => {
    S.scatterAdd_(self.data, d, index.data, src.data);
  });
}

/** `value` where `mask` is set (`mask` broadcasts). @example maskedFill(x, x.lt(0), 0) */
export function maskedFill(self: Tensor, mask: Tensor, value: Operand): Tensor {
  return record1(
    "maskedFill",
    { self, mask, value },
    S.maskedFill(self.data, mask.data, raw(value)),
  );
}

/** In-place `maskedFill`. */
export function maskedFill_(self: Tensor, mask: Tensor, value: Operand): Tensor {
  return inplace("maskedFill", self, { self, mask, value }, () => {
    S.maskedFill_(self.data, mask.data, raw(value));
  });
}

/** One-hot `int64` encoding with a new last dim (`F.one_hot`). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  return plain(S.oneHot(indices.data, numClasses));
}
