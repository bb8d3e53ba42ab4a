/**
 * `Tensor` methods for views and rearrangements (`view`, `reshape`, `permute`, `slice`, …),
 * joins (`flip`, `repeat`, `tril`, …) and index ops (`gather`, `scatter`, `maskedFill`, …).
 */
import * as X from "./ops/indexing.js";
import * as J from "./ops/join.js";
import * as V from "./ops/shape.js";
import type { Tensor } from "./tensor.js";
import type { Operand } from "./tensorBase.js";
import { TensorMath } from "./tensorMath.js";

type Sizes = number[] | [readonly number[]];

export class TensorShape extends TensorMath {
  view(this: Tensor, ...shape: Sizes): Tensor {
    return V.view(this, ...shape);
  }
  viewAs(this: Tensor, other: Tensor): Tensor {
    return V.view(this, other.shape);
  }
  reshape(this: Tensor, ...shape: Sizes): Tensor {
    return V.reshape(this, ...shape);
  }
  reshapeAs(this: Tensor, other: Tensor): Tensor {
    return V.reshape(this, other.shape);
  }
  permute(this: Tensor, ...dims: Sizes): Tensor {
    return V.permute(this, ...dims);
  }
  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  swapaxes(this: Tensor, dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  t(this: Tensor): Tensor {
    return V.t(this);
  }
  /** The dims reversed (PyTorch's `.T`). */
  get T(): Tensor {
    const self = this as unknown as Tensor;
    return V.permute(
      self,
      self.shape.map((_, i) => self.ndim - 1 - i),
    );
  }
  /** The last two dims swapped (PyTorch's `.mT`). */
  get mT(): Tensor {
    return V.transpose(this as unknown as Tensor, -2, -1);
  }
  squeeze(this: Tensor, dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(this: Tensor, dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  expand(this: Tensor, ...sizes: Sizes): Tensor {
    return V.expand(this, ...sizes);
  }
  expandAs(this: Tensor, other: Tensor): Tensor {
    return V.expandAs(this, other);
  }
  /** Python's `x[start:end:step]` along `dim`. */
  slice(this: Tensor, dim: number, start?: number, end?: number, step?: number): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  select(this: Tensor, dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  diagonal(this: Tensor, offset?: number, dim1?: number, dim2?: number): Tensor {
    return V.diagonal(this, offset, dim1, dim2);
  }
  flatten(this: Tensor, startDim?: number, endDim?: number): Tensor {
    return V.flatten(this, startDim, endDim);
  }
  unflatten(this: Tensor, dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  split(this: Tensor, splitSize: number | readonly number[], dim?: number): Tensor[] {
    return V.split(this, splitSize, dim);
  }
  chunk(this: Tensor, chunks: number, dim?: number): Tensor[] {
    return V.chunk(this, chunks, dim);
  }
  unbind(this: Tensor, dim?: number): Tensor[] {
    return V.unbind(this, dim);
  }
  flip(this: Tensor, ...dims: Sizes): Tensor {
    return J.flip(this, ...dims);
  }
  repeat(this: Tensor, ...repeats: Sizes): Tensor {
    return J.repeat(this, ...repeats);
  }
  tril(this: Tensor, diagonal?: number): Tensor {
    return J.tril(this, diagonal);
  }
  triu(this: Tensor, diagonal?: number): Tensor {
    return J.triu(this, diagonal);
  }
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    return X.indexSelect(this, dim, index);
  }
  indexAdd(
    this: Tensor,
    dim: number,
    index: Tensor,
    source: Tensor,
    opts?: { alpha?: number },
  ): Tensor {
    return X.indexAdd(this, dim, index, source, opts);
  }
  indexAdd_(
    this: Tensor,
    dim: number,
    index: Tensor,
    source: Tensor,
    opts?: { alpha?: number },
  ): Tensor {
    return X.indexAdd_(this, dim, index, source, opts);
  }
  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    return X.gather(this, dim, index);
  }
  scatter(this: Tensor, dim: number, index: Tensor, src: Operand): Tensor {
    return X.scatter(this, dim, index, src);
  }
  scatter_(this: Tensor, dim: number, index: Tensor, src: Operand): Tensor {
    return X.scatter_(this, dim, index, src);
  }
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return X.scatterAdd(this, dim, index, src);
  }
  scatterAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return X.scatterAdd_(this, dim, index, src);
  }
  maskedFill(this: Tensor, mask: Tensor, value: Operand): Tensor {
    return X.maskedFill(this, mask, value);
  }
  maskedFill_(this: Tensor, mask: Tensor, value: Operand): Tensor {
    return X.maskedFill_(this, mask, value);
  }
}
