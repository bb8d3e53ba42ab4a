/**
 * `Tensor` methods for reductions, scans, softmax, sorting and matrix products.
 */
import type { DType } from "@x/storage";
import * as L from "./ops/linalg.js";
import type { Dims, ReduceOptions, ValuesIndices, VarOptions } from "./ops/reduce.js";
import * as R from "./ops/reduce.js";
import type { Tensor } from "./tensor.js";
import { TensorShape } from "./tensorShape.js";

type Keep = { keepdim?: boolean };

export class TensorReduce extends TensorShape {
  sum(this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.sum(this, dim, opts);
  }
  nansum(this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.nansum(this, dim, opts);
  }
  mean(this: Tensor, dim?: Dims | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.mean(this, dim, opts);
  }
  prod(this: Tensor, dim?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor {
    return R.prod(this, dim, opts);
  }
  amax(this: Tensor, dim?: Dims, opts?: Keep): Tensor {
    return R.amax(this, dim, opts);
  }
  amin(this: Tensor, dim?: Dims, opts?: Keep): Tensor {
    return R.amin(this, dim, opts);
  }
  max(this: Tensor): Tensor;
  max(this: Tensor, dim: number, opts?: Keep): ValuesIndices;
  max(this: Tensor, other: Tensor): Tensor;
  max(this: Tensor, dim?: number | Tensor, opts?: Keep): Tensor | ValuesIndices {
    return (R.max as (s: Tensor, d?: number | Tensor, o?: Keep) => Tensor | ValuesIndices)(
      this,
      dim,
      opts,
    );
  }
  min(this: Tensor): Tensor;
  min(this: Tensor, dim: number, opts?: Keep): ValuesIndices;
  min(this: Tensor, other: Tensor): Tensor;
  min(this: Tensor, dim?: number | Tensor, opts?: Keep): Tensor | ValuesIndices {
    return (R.min as (s: Tensor, d?: number | Tensor, o?: Keep) => Tensor | ValuesIndices)(
      this,
      dim,
      opts,
    );
  }
  argmax(this: Tensor, dim?: number | null, opts?: Keep): Tensor {
    return R.argmax(this, dim, opts);
  }
  argmin(this: Tensor, dim?: number | null, opts?: Keep): Tensor {
    return R.argmin(this, dim, opts);
  }
  all(this: Tensor, dim?: Dims, opts?: Keep): Tensor {
    return R.all(this, dim, opts);
  }
  any(this: Tensor, dim?: Dims, opts?: Keep): Tensor {
    return R.any(this, dim, opts);
  }
  /** Variance (`torch.var`): `unbiased`/`correction`, `keepdim`. */
  var(this: Tensor, dim?: Dims | VarOptions, opts?: VarOptions): Tensor {
    return R.variance(this, dim, opts);
  }
  std(this: Tensor, dim?: Dims | VarOptions, opts?: VarOptions): Tensor {
    return R.std(this, dim, opts);
  }
  norm(
    this: Tensor,
    p?: number | "fro",
    dim?: Dims | { dim?: Dims; keepdim?: boolean },
    opts?: Keep,
  ): Tensor {
    return R.norm(this, p, dim, opts);
  }
  logsumexp(this: Tensor, dim: Dims, opts?: Keep): Tensor {
    return R.logsumexp(this, dim, opts);
  }
  cumsum(this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
    return R.cumsum(this, dim, opts);
  }
  cumprod(this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
    return R.cumprod(this, dim, opts);
  }
  softmax(this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
    return R.softmax(this, dim, opts);
  }
  logSoftmax(this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
    return R.logSoftmax(this, dim, opts);
  }
  sort(
    this: Tensor,
    dim?: number | { dim?: number; descending?: boolean; stable?: boolean },
    opts?: { descending?: boolean; stable?: boolean },
  ): ValuesIndices {
    return R.sort(this, dim, opts);
  }
  argsort(this: Tensor, dim?: number, opts?: { descending?: boolean; stable?: boolean }): Tensor {
    return R.argsort(this, dim, opts);
  }
  topk(
    this: Tensor,
    k: number,
    dim?: number,
    opts?: { largest?: boolean; sorted?: boolean },
  ): ValuesIndices {
    return R.topk(this, k, dim, opts);
  }
  /** Sums down to `shape` (PyTorch's `sum_to_size`). */
  sumToSize(this: Tensor, ...shape: number[] | [readonly number[]]): Tensor {
    const s =
      shape.length === 1 && Array.isArray(shape[0])
        ? (shape[0] as readonly number[])
        : (shape as number[]);
    return R.sumToSize(this, s);
  }
  matmul(this: Tensor, other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  /** `beta·this + alpha·(mat1 @ mat2)` (`addmm`). */
  addmm(this: Tensor, mat1: Tensor, mat2: Tensor, opts?: L.AddmmOptions): Tensor {
    return L.addmm(this, mat1, mat2, opts);
  }
  mm(this: Tensor, mat2: Tensor): Tensor {
    return L.mm(this, mat2);
  }
  bmm(this: Tensor, mat2: Tensor): Tensor {
    return L.bmm(this, mat2);
  }
  dot(this: Tensor, other: Tensor): Tensor {
    return L.dot(this, other);
  }
  mv(this: Tensor, vec: Tensor): Tensor {
    return L.mv(this, vec);
  }
  outer(this: Tensor, vec2: Tensor): Tensor {
    return L.outer(this, vec2);
  }
}
