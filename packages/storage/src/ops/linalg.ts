/**
 * Matrix products on NDArrays with torch's semantics and error messages: `matmul` (dot,
 * matrix-vector, batched with broadcast batch dims), `mm`, `bmm`, `dot`, `outer`, `linear`.
 * Every product runs on the batched `matmul` kernel over 3-d views; results are new arrays.
 * `einsum` lives in `einsum.ts`.
 */
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { broadcastShapes, numel, type Shape } from "../shape.js";
import { binary } from "./elementwise.js";
import { kernels, TORCH_NAME } from "./prepare.js";

/**
 * PyTorch's check that both operands of a product have one dtype.
 * @example checkSameDType(ones([2], "float32"), ones([2], "float64")) // throws "expected scalar type Float but found Double"
 */
export function checkSameDType(a: NDArray, b: NDArray): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `expected scalar type ${TORCH_NAME[a.dtype]} but found ${TORCH_NAME[b.dtype]}`,
    );
  }
}

function checkNotBool(dtype: DType, kernel: string): void {
  if (dtype === "bool") throw new DTypeError(`"${kernel}" not implemented for 'Bool'`);
}

/**
 * `x` viewed (or, when strides forbid it, copied) as `[B, r, c]` after broadcasting its batch:
 * `x` itself when it already is that.
 */
function as3d(x: NDArray, batch: Shape, r: number, c: number): NDArray {
  const n = x.ndim;
  // a matrix: a batch of one (whose batch stride is never used)
  if (batch.length === 0 && n === 2)
    return x.asStrided([1, r, c], [0, x.strides[0]!, x.strides[1]!]);
  if (batch.length === 1 && n === 3 && x.shape[0] === batch[0]) return x;
  const full = x.expand([...batch, r, c]);
  const out = full.reshape([numel(batch), r, c]);
  if (out !== full) full.dispose();
  return out;
}

/**
 * The batched product of `a` [..., M, K] and `b` [..., K, N] (shapes already checked), with
 * batch dims broadcast: a new contiguous `[...batch, M, N]`.
 */
function batchedProduct(a: NDArray, b: NDArray, batch: Shape): NDArray {
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const N = b.shape[b.ndim - 1]!;
  const a3 = as3d(a, batch, M, K);
  const b3 = as3d(b, batch, K, N);
  // every element is written unless the sums are empty (K = 0: zeros)
  const shape = [...batch, M, N];
  const out = K > 0 ? NDArray.uninit(shape, a.dtype) : NDArray.empty(shape, a.dtype);
  const out3 = batch.length === 1 ? out : out.asStrided([numel(batch), M, N], [M * N, N, 1]);
  kernels().matmul(a3, b3, out3);
  if (a3 !== a) a3.dispose();
  if (b3 !== b) b3.dispose();
  if (out3 !== out) out3.dispose();
  return out;
}

/** A new array `x` reshaped to `shape` (the temporary `x` is released). */
function reshaped(x: NDArray, shape: Shape): NDArray {
  const r = x.reshape(shape);
  if (r !== x) x.dispose();
  return r;
}

function mmMessage(m: number, k: number, k2: number, n: number): ShapeError {
  return new ShapeError(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
}

function mvMessage(m: number, k: number, n: number): ShapeError {
  return new ShapeError(`size mismatch, got ${m}, ${m}x${k},${n}`);
}

/**
 * The inner product of two 1-d arrays of one dtype, as a 0-d array (`torch.dot`).
 * @example dot(fromArray([1, 2]), fromArray([3, 4])).item() // 11
 */
export function dot(a: NDArray, b: NDArray): NDArray {
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  }
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `dot : expected both vectors to have same dtype, but found ${TORCH_NAME[a.dtype]} and ${TORCH_NAME[b.dtype]}`,
    );
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  checkNotBool(a.dtype, "dot");
  const row = a.unsqueeze(0);
  const col = b.unsqueeze(1);
  const out = batchedProduct(row, col, []);
  row.dispose();
  col.dispose();
  return reshaped(out, []);
}

/**
 * The product of two matrices (`torch.mm`).
 * @example mm(ones([2, 3]), ones([3, 4])).shape // [2, 4]
 */
export function mm(a: NDArray, b: NDArray): NDArray {
  if (a.ndim !== 2) throw new ShapeError("self must be a matrix");
  if (b.ndim !== 2) throw new ShapeError("mat2 must be a matrix");
  checkSameDType(a, b);
  const [M, K] = a.shape as [number, number];
  const [K2, N] = b.shape as [number, number];
  if (K !== K2) throw mmMessage(M, K, K2, N);
  checkNotBool(a.dtype, "addmm_impl_cpu_");
  return batchedProduct(a, b, []);
}

/**
 * Batched product of `[B, M, K]` and `[B, K, N]` arrays (`torch.bmm`; no broadcasting).
 * @example bmm(ones([2, 3, 4]), ones([2, 4, 5])).shape // [2, 3, 5]
 */
export function bmm(a: NDArray, b: NDArray): NDArray {
  if (a.ndim !== 3) throw new ShapeError("batch1 must be a 3D tensor");
  if (b.ndim !== 3) throw new ShapeError("batch2 must be a 3D tensor");
  checkSameDType(a, b);
  const [B, , K] = a.shape as [number, number, number];
  if (b.shape[0] !== B || b.shape[1] !== K) {
    throw new ShapeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${b.shape[0]}, ${b.shape[1]}].`,
    );
  }
  checkNotBool(a.dtype, "bmm");
  return batchedProduct(a, b, [B]);
}

/**
 * The outer product of two 1-d arrays, with type promotion (`torch.outer`).
 * @example outer(fromArray([1, 2]), fromArray([1, 10, 100])).shape // [2, 3]
 */
export function outer(a: NDArray, b: NDArray): NDArray {
  if (a.ndim !== 1) throw new ShapeError(`outer: Expected 1-D argument self, but got ${a.ndim}-D`);
  if (b.ndim !== 1) throw new ShapeError(`outer: Expected 1-D argument vec2, but got ${b.ndim}-D`);
  const col = a.unsqueeze(1);
  const out = binary("mul", col, b);
  col.dispose();
  return out;
}

// PyTorch folds the batch of a ≥3-d operand into the rows of a matrix product when the other
// operand is 1-d or 2-d, except for a [B, M, K] whose last two dims are transposed in memory.
// The fold decides which error message a size mismatch gets.
function shouldFold(t: NDArray, otherDim: number): boolean {
  if (t.ndim < 3 || (otherDim !== 1 && otherDim !== 2)) return false;
  const [s0, , s2] = t.strides as [number, number, number];
  return !(t.ndim === 3 && otherDim === 2 && s2 !== 1 && s0 === t.shape[1]! * t.shape[2]!);
}

/** Raises PyTorch's error for `matmul(a, b)` (both ≥1-d, not both 1-d) when sizes do not fit. */
function checkMatmulSizes(a: NDArray, b: NDArray): void {
  const da = a.ndim;
  const db = b.ndim;
  const K = a.shape[da - 1]!;
  const Kb = b.shape[db === 1 ? 0 : db - 2]!;
  const N = db === 1 ? 1 : b.shape[db - 1]!;
  if (shouldFold(a, db)) {
    const rows = numel(a.shape.slice(0, -1));
    if (K !== Kb) throw db === 1 ? mvMessage(rows, K, Kb) : mmMessage(rows, K, Kb, N);
    return;
  }
  if (shouldFold(b, da)) {
    // PyTorch computes (b^T a^T)^T: rows of b^T are the batch of b times N.
    const rows = numel(b.shape.slice(0, -2)) * N;
    if (K !== Kb) throw da === 1 ? mvMessage(rows, Kb, K) : mmMessage(rows, Kb, K, a.shape[0]!);
    return;
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, Math.max(db - 2, 0)));
  if (K !== Kb) {
    if (da <= 2 && db <= 2) throw mmMessage(da === 1 ? 1 : a.shape[0]!, K, Kb, N);
    const B = numel(batch);
    throw new ShapeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${B}, ${K}] but got: [${B}, ${Kb}].`,
    );
  }
}

/**
 * `torch.matmul`: 1-d·1-d is a dot product (0-d result), a 1-d first operand is a row and a
 * 1-d second operand a column (their dim is removed from the result), and ≥3-d operands are
 * batches of matrices whose batch dims broadcast.
 * @example matmul(ones([2, 1, 3, 4]), ones([5, 4, 6])).shape // [2, 5, 3, 6]
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  const da = a.ndim;
  const db = b.ndim;
  if (da === 0 || db === 0) {
    throw new ShapeError(
      `both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`,
    );
  }
  if (da === 1 && db === 1) return dot(a, b);
  checkSameDType(a, b);
  if (da === 2 && db === 1) {
    if (a.shape[1] !== b.shape[0]) throw mvMessage(a.shape[0]!, a.shape[1]!, b.shape[0]!);
  } else checkMatmulSizes(a, b);
  checkNotBool(a.dtype, da >= 3 || db >= 3 ? "bmm" : "addmm_impl_cpu_");
  const a2 = da === 1 ? a.unsqueeze(0) : a;
  const b2 = db === 1 ? b.unsqueeze(1) : b;
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const out = batchedProduct(a2, b2, batch);
  if (a2 !== a) a2.dispose();
  if (b2 !== b) b2.dispose();
  if (da > 1 && db > 1) return out;
  const shape = [...batch];
  if (da > 1) shape.push(a.shape[da - 2]!);
  if (db > 1) shape.push(b.shape[db - 1]!);
  return reshaped(out, shape);
}

/**
 * `F.linear`: `x @ w^T + bias` for `w` [out, in] (and `bias` [out]).
 * @example linear(ones([2, 3]), ones([4, 3]), zeros([4])).shape // [2, 4]
 */
export function linear(x: NDArray, w: NDArray, bias?: NDArray | null): NDArray {
  const wt = w.t();
  const out = matmul(x, wt);
  wt.dispose();
  if (bias) {
    const b = bias.ndim <= out.ndim ? bias.expand(out.shape) : bias;
    binary("add", out, b, out);
    if (b !== bias) b.dispose();
  }
  return out;
}
