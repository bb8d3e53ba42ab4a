/**
 * `F.linear`, `F.bilinear`, `F.embedding`, `F.oneHot` and the dropout family. Dropout draws its
 * mask from the generator exactly as PyTorch's CPU dropout does: `bernoulli_(1 - p)` on a fresh
 * tensor of the input's shape, divided by `1 - p`, multiplied into the input.
 */

import type { Generator, Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { IndexError, RuntimeError, ValueError } from "@x/storage";

/**
 * `input @ weight.T + bias`: `input` [..., in], `weight` [out, in], `bias` [out]. A matrix
 * input with a bias is one `addmm` (`AddmmBackward0`), as in PyTorch.
 * @example F.linear(x.randn(2, 3), x.randn(4, 3), x.zeros(4)).shape // [2, 4]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (bias && input.ndim === 2) return A.addmm(bias, input, weight.t());
  const inF = input.shape[input.ndim - 1];
  const wIn = weight.ndim === 2 ? weight.shape[1] : weight.shape[0];
  if (input.ndim === 0 || inF !== wIn) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${input.ndim <= 1 ? `1x${inF ?? 1}` : `${input.numel() / (inF || 1)}x${inF}`} and ${weight.ndim === 2 ? `${weight.shape[1]}x${weight.shape[0]}` : `${weight.shape[0]}x1`})`,
    );
  }
  const out = input.matmul(weight.ndim === 2 ? weight.t() : weight);
  return bias ? out.add(bias) : out;
}

/**
 * `x1ᵀ A x2 + b` for each output feature: `x1` [..., in1], `x2` [..., in2], `weight`
 * [out, in1, in2], `bias` [out].
 * @example F.bilinear(x.randn(5, 2), x.randn(5, 3), x.randn(4, 2, 3)).shape // [5, 4]
 */
export function bilinear(
  input1: Tensor,
  input2: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
): Tensor {
  const out = A.einsum("...i,oij,...j->...o", input1, weight, input2);
  return bias ? out.add(bias) : out;
}

/** Options of `F.embedding`. */
export interface EmbeddingOptions {
  /** Row whose gradient stays zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up whose norm exceeds this are renormalized in place first. */
  maxNorm?: number | null;
  normType?: number;
}

/**
 * Rows of `weight` [num, dim] picked by the integer `input`: output `[...input.shape, dim]`.
 * @example F.embedding(x.tensor([[0, 2]], { dtype: "int64" }), x.randn(5, 3)).shape // [1, 2, 3]
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  if (input.dtype !== "int64" && input.dtype !== "int32") {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${input.dtype === "float64" ? "Double" : "Float"}Tensor instead (while checking arguments for embedding)`,
    );
  }
  const n = weight.shape[0]!;
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (pad >= n || pad < -n) throw new ValueError("Padding_idx must be within num_embeddings");
    if (pad < 0) pad += n;
  }
  const flat = input.reshape([-1]);
  const vals = flat.data.toArray();
  for (const v of vals) {
    if (v < 0 || v >= n) throw new IndexError("index out of range in self");
  }
  if (opts.maxNorm != null) renorm(weight, vals, opts.maxNorm, opts.normType ?? 2);
  let rows = weight.indexSelect(0, flat);
  if (pad !== null && vals.includes(pad)) {
    // Rows looked up at paddingIdx pass their values but no gradient.
    const keep = flat.ne(pad).unsqueeze(1);
    rows = A.where(keep, rows, rows.detach());
  }
  return rows.view([...input.shape, weight.shape[1]!]);
}

// Rescales in place (not recorded) the looked-up rows whose norm exceeds maxNorm.
function renorm(weight: Tensor, indices: number[], maxNorm: number, p: number): void {
  const w = weight.data;
  for (const i of new Set(indices)) {
    const row = w.select(0, i);
    const norm = row.toArray().reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
    if (norm > maxNorm) row.mul_(maxNorm / (norm + 1e-7));
    row.dispose();
  }
}

/**
 * One-hot `int64` encoding with a new last dim of `numClasses` (inferred as `max + 1` when -1).
 * @example F.oneHot(x.tensor([0, 2], { dtype: "int64" }), 3) // tensor([[1, 0, 0], [0, 0, 1]])
 */
export function oneHot(input: Tensor, numClasses: number | { numClasses?: number } = -1): Tensor {
  return A.oneHot(
    input,
    typeof numClasses === "number" ? numClasses : (numClasses.numClasses ?? -1),
  );
}

/** Options of the dropout functions. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Dropout applies only when true (default true, as `F.dropout`). */
  training?: boolean;
  inplace?: boolean;
  generator?: Generator;
}

function checkP(p: number): void {
  if (p < 0 || p > 1) {
    throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
}

// PyTorch's `_dropout_impl`: noise of `noiseShape`, bernoulli_(1 - p), divided by 1 - p.
function dropoutWith(input: Tensor, noiseShape: readonly number[], opts: DropoutOptions): Tensor {
  const p = opts.p ?? 0.5;
  checkP(p);
  if (p === 0 || !(opts.training ?? true) || input.numel() === 0) return input;
  let out: Tensor;
  if (p === 1) out = input.mul(A.zeros([], { dtype: input.dtype }));
  else {
    const noise = A.empty([...noiseShape], { dtype: input.dtype });
    A.bernoulli_(noise, 1 - p, opts.generator ? { generator: opts.generator } : {});
    noise.data.div_(1 - p);
    out = input.mul(noise);
  }
  return opts.inplace ? input.copy_(out) : out;
}

/**
 * Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` (training only).
 * @example F.dropout(t, { p: 0.2, training: model.training })
 */
export function dropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  return dropoutWith(input, input.shape, opts);
}

/**
 * Zeroes whole channels: one draw per (sample, channel) of an [N, C, …] (or [C, …]) input.
 * @example F.dropout2d(x.randn(2, 3, 4, 4), { p: 0.5 })
 */
export function featureDropout(
  input: Tensor,
  opts: DropoutOptions = {},
  batched = input.ndim > 2,
): Tensor {
  const lead = batched ? 2 : 1;
  const shape = input.shape.map((s, i) => (i < lead ? s : 1));
  return dropoutWith(input, shape, opts);
}

/** Channel dropout of [N, C, L] (or [C, L]) inputs. @example F.dropout1d(t, { p: 0.5 }) */
export function dropout1d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new RuntimeError(
      `dropout1d: Expected 2D or 3D input, but received a ${input.ndim}D input.`,
    );
  }
  return featureDropout(input, opts, input.ndim === 3);
}

/** Channel dropout of [N, C, H, W] (or [C, H, W]) inputs. @example F.dropout2d(t, { p: 0.5 }) */
export function dropout2d(input: Tensor, opts: DropoutOptions = {}): Tensor {
  return featureDropout(input, opts, input.ndim !== 3);
}
