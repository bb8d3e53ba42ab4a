/**
 * `nn.init`: in-place initializations of parameters, drawing from the generator exactly as
 * PyTorch's `torch.nn.init` does (same draws, same order, same float64 bounds), so that after
 * `manualSeed(s)` a layer starts from PyTorch's weights. They write through `.data` and record
 * nothing in the graph (PyTorch runs them under `no_grad`).
 */
import type { Generator, Tensor } from "@x/autograd";
import {
  copyInto,
  fromArray,
  NDArray,
  normal_ as rawNormal,
  uniform_ as rawUniform,
  unary,
  ValueError,
} from "@x/storage";

/** `{ generator }`: draw from this generator instead of the default one. */
export interface GeneratorOptions {
  generator?: Generator;
}

/** Nonlinearities known to `calculateGain`. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/**
 * The recommended gain for a nonlinearity (`param` is leaky_relu's negative slope, default 0.01).
 * @example init.calculateGain("leaky_relu", 0.2) // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || Number.isNaN(slope)) {
        throw new ValueError(`negative_slope ${slope} not a valid number`);
      }
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case "selu":
      return 3.0 / 4;
    default:
      throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

/**
 * `[fanIn, fanOut]` of a weight: `size(1)·receptive` and `size(0)·receptive`, where the
 * receptive field is the product of the sizes after the first two.
 * @example init.calculateFanInAndFanOut(x.empty(3, 4)) // [4, 3]
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const s = tensor.shape;
  if (s.length < 2) {
    throw new ValueError(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
  }
  let receptive = 1;
  for (let i = 2; i < s.length; i++) receptive *= s[i]!;
  return [s[1]! * receptive, s[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: "fan_in" | "fan_out"): number {
  if (mode !== "fan_in" && mode !== "fan_out") {
    throw new ValueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return mode === "fan_in" ? fanIn : fanOut;
}

/** Fills with values uniform in `[a, b)` (default `[0, 1)`). @example init.uniform_(w, -0.1, 0.1) */
export function uniform_<T extends Tensor>(
  tensor: T,
  a = 0,
  b = 1,
  opts: GeneratorOptions = {},
): T {
  rawUniform(tensor.data, a, b, opts.generator);
  return tensor;
}

/** Fills with normal values (default mean 0, std 1). @example init.normal_(w, 0, 0.02) */
export function normal_<T extends Tensor>(
  tensor: T,
  mean = 0,
  std = 1,
  opts: GeneratorOptions = {},
): T {
  rawNormal(tensor.data, mean, std, opts.generator);
  return tensor;
}

/** Fills with `val`. @example init.constant_(b, 0.1) */
export function constant_<T extends Tensor>(tensor: T, val: number): T {
  copyInto(tensor.data, val);
  return tensor;
}

/** Fills with zeros. @example init.zeros_(b) */
export function zeros_<T extends Tensor>(tensor: T): T {
  return constant_(tensor, 0);
}

/** Fills with ones. @example init.ones_(w) */
export function ones_<T extends Tensor>(tensor: T): T {
  return constant_(tensor, 1);
}

/** Fills a 2-d tensor with the identity matrix. @example init.eye_(x.empty(3, 5)) */
export function eye_<T extends Tensor>(tensor: T): T {
  if (tensor.ndim !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  const [n, m] = tensor.shape as [number, number];
  const d = tensor.data;
  copyInto(d, 0);
  for (let i = 0; i < Math.min(n, m); i++) {
    const cell = d.asStrided([], [], d.offset + i * d.strides[0]! + i * d.strides[1]!);
    copyInto(cell, 1);
    cell.dispose();
  }
  return tensor;
}

/**
 * Glorot uniform: `U(-a, a)` with `a = gain·sqrt(6 / (fanIn + fanOut))`.
 * @example init.xavierUniform_(w, init.calculateGain("tanh"))
 */
export function xavierUniform_<T extends Tensor>(
  tensor: T,
  gain = 1,
  opts: GeneratorOptions = {},
): T {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, opts);
}

/** Glorot normal: `N(0, gain²·2 / (fanIn + fanOut))`. @example init.xavierNormal_(w) */
export function xavierNormal_<T extends Tensor>(
  tensor: T,
  gain = 1,
  opts: GeneratorOptions = {},
): T {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std, opts);
}

/** Options of the Kaiming initializations. */
export interface KaimingOptions extends GeneratorOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, opts: KaimingOptions): number | null {
  if (tensor.numel() === 0) {
    console.warn("UserWarning: Initializing zero-element tensors is a no-op");
    return null;
  }
  const fan = correctFan(tensor, opts.mode ?? "fan_in");
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * He uniform: `U(-bound, bound)` with `bound = gain·sqrt(3 / fan)`.
 * @example init.kaimingUniform_(w, { a: Math.sqrt(5) })
 */
export function kaimingUniform_<T extends Tensor>(tensor: T, opts: KaimingOptions = {}): T {
  const std = kaimingStd(tensor, opts);
  if (std === null) return tensor;
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound, opts);
}

/** He normal: `N(0, gain² / fan)`. @example init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }) */
export function kaimingNormal_<T extends Tensor>(tensor: T, opts: KaimingOptions = {}): T {
  const std = kaimingStd(tensor, opts);
  if (std === null) return tensor;
  return normal_(tensor, 0, std, opts);
}

function erf(v: number): number {
  const a = fromArray([v], "float64");
  const r = unary("erf", a);
  const out = r.item();
  a.dispose();
  r.dispose();
  return out;
}

/**
 * Normal values truncated to `[a, b]` (default mean 0, std 1, `[-2, 2]`), by PyTorch's inverse
 * CDF method: uniform in the CDF's range, `erfinv`, scale, shift, clamp.
 * @example init.truncNormal_(w, 0, 0.02)
 */
export function truncNormal_<T extends Tensor>(
  tensor: T,
  mean = 0,
  std = 1,
  a = -2,
  b = 2,
  opts: GeneratorOptions = {},
): T {
  const cdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn(
      "UserWarning: mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.",
    );
  }
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  const d = tensor.data;
  rawUniform(d, 2 * l - 1, 2 * u - 1, opts.generator);
  unary("erfinv", d, d);
  d.mul_(std * Math.sqrt(2))
    .add_(mean)
    .clamp_(a, b);
  return tensor;
}

// Householder QR of an m×n matrix (m ≥ n) in float64: Q (m×n) with orthonormal columns.
function thinQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = k; i < m; i++) v[i] = r[i * n + k]!;
    v[k] = x0 - alpha;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    if (vn > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i]! * r[i * n + j]!;
        const f = (2 * dot) / vn;
        for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - f * v[i]!;
      }
    }
    vs.push(v);
    diag[k] = r[k * n + k]!;
  }
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    if (vn === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * q[i * n + j]!;
      const f = (2 * dot) / vn;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - f * v[i]!;
    }
  }
  // Make R's diagonal positive (PyTorch multiplies Q by sign(diag(R))).
  for (let j = 0; j < n; j++) {
    if (diag[j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a normal draw, times `gain`; tensors
 * of more than 2 dims are flattened after the first.
 * @example init.orthogonal_(x.empty(3, 5))
 */
export function orthogonal_<T extends Tensor>(tensor: T, gain = 1, opts: GeneratorOptions = {}): T {
  if (tensor.ndim < 2) throw new ValueError("Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  const flat = NDArray.empty([rows, cols], tensor.dtype);
  rawNormal(flat, 0, 1, opts.generator);
  const vals = Float64Array.from(flat.toArray());
  flat.dispose();
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) a[tall ? i * n + j : j * n + i] = vals[i * cols + j]!;
  }
  const q = thinQ(a, m, n);
  const out = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[tall ? i * n + j : j * n + i]!;
  }
  const src = fromArray(out, tensor.dtype);
  const dst = tensor.data.view([rows, cols]);
  const srcView = src.view([rows, cols]);
  copyInto(dst, srcView);
  for (const t of [src, dst, srcView]) t.dispose();
  return tensor;
}
