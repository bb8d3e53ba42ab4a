/**
 * ops.json on the raw layer: the forward output of every case whose call maps to a storage
 * primitive, run on `NDArray`s. Composite ops (losses, normalizations, activations built from
 * primitives) are checked at the autograd and nn layers.
 */

import type { NDArray } from "@x/storage";
import * as S from "@x/storage";
import { camelKey } from "./decode.js";
import {
  compareTensor,
  type FixtureTensor,
  loadFixture,
  type Tolerance,
  toNDArray,
} from "./fixtures.js";
import { Report } from "./report.js";

/** One case of ops.json. */
export interface OpCase {
  id: string;
  call: string;
  inputs: Record<string, unknown>[];
  kwargs?: Record<string, Record<string, unknown>>;
  output: FixtureTensor | FixtureTensor[];
  grad_output?: FixtureTensor | FixtureTensor[];
  grads?: (FixtureTensor | null)[];
  grad2?: { v: FixtureTensor[]; grads: (FixtureTensor | null)[] } & Record<string, unknown>;
}

export interface OpsFixture {
  tolerance: { float32: Tolerance };
  cases: OpCase[];
}

type A = any[];
type K = Record<string, any>;
type Out = NDArray | NDArray[];

const un =
  (op: S.UnaryOp) =>
  ([x]: A) =>
    S.unary(op, x);
const bin =
  (op: S.BinaryOp) =>
  ([a, b]: A) =>
    S.binary(op, a, b);
const cmp =
  (op: S.CompareOp) =>
  ([a, b]: A) =>
    S.compare(op, a, b);

/** Fixture calls → raw-layer functions (arguments decoded, keyword names in camelCase). */
export const RAW_CALLS: Record<string, (args: A, kw: K) => Out> = {
  ...Object.fromEntries(
    (
      [
        "neg",
        "abs",
        "exp",
        "sin",
        "cos",
        "tanh",
        "sigmoid",
        "relu",
        "square",
        "sign",
        "floor",
        "ceil",
        "round",
        "erf",
        "expm1",
        "atan",
        "sinh",
        "cosh",
        "asinh",
        "log",
        "sqrt",
        "rsqrt",
        "reciprocal",
        "log1p",
        "log2",
        "log10",
        "asin",
        "acos",
        "atanh",
        "isnan",
      ] as const
    ).map((op) => [`torch.${op}`, un(op)]),
  ),
  "torch.clamp": ([x], kw) => S.unaryParam("clamp", x, kw.min ?? Number.NaN, kw.max ?? Number.NaN),
  "torch.pow": ([a, b]) => S.binary("pow", a, b),
  "torch.add": ([a, b], kw) =>
    S.binary("add", a, kw.alpha === undefined ? b : S.binary("mul", b, kw.alpha)),
  "torch.sub": bin("sub"),
  "torch.mul": bin("mul"),
  "torch.div": ([a, b], kw) =>
    S.binary(
      kw.roundingMode === "floor" ? "divFloor" : kw.roundingMode === "trunc" ? "divTrunc" : "div",
      a,
      b,
    ),
  "torch.maximum": bin("maximum"),
  "torch.minimum": bin("minimum"),
  "torch.atan2": bin("atan2"),
  "torch.rsub": ([a, b]) => S.binary("sub", b, a),
  "torch.remainder": bin("remainder"),
  "torch.where": ([c, a, b]) => S.where(c, a, b),
  "torch.eq": cmp("eq"),
  "torch.ne": cmp("ne"),
  "torch.lt": cmp("lt"),
  "torch.le": cmp("le"),
  "torch.gt": cmp("gt"),
  "torch.ge": cmp("ge"),
  "torch.logical_and": bin("logicalAnd"),
  "torch.sum": ([x, dim], kw) => S.sum(x, dim, kw.keepdim),
  "torch.mean": ([x, dim], kw) => S.mean(x, dim, kw.keepdim),
  "torch.prod": ([x, dim], kw) => S.prod(x, dim, kw.keepdim),
  "torch.var": ([x, dim], kw) => S.variance(x, dim, kw.unbiased === false ? 0 : 1, kw.keepdim),
  "torch.std": ([x, dim], kw) => S.std(x, dim, kw.unbiased === false ? 0 : 1, kw.keepdim),
  "torch.amax": ([x, dim], kw) => S.amax(x, dim, kw.keepdim),
  "torch.amin": ([x, dim], kw) => S.amin(x, dim, kw.keepdim),
  "torch.max": ([x, dim], kw) => (dim === undefined ? S.max(x) : S.maxDim(x, dim, kw.keepdim)),
  "torch.min": ([x, dim], kw) => (dim === undefined ? S.min(x) : S.minDim(x, dim, kw.keepdim)),
  "torch.argmax": ([x, dim], kw) => S.argmax(x, dim, kw.keepdim),
  "torch.argmin": ([x, dim], kw) => S.argmin(x, dim, kw.keepdim),
  "torch.logsumexp": ([x, dim], kw) => S.logsumexp(x, dim, kw.keepdim),
  "torch.norm": ([x, p], kw) => S.norm(x, p ?? "fro", kw.dim, kw.keepdim),
  "torch.cumsum": ([x, dim]) => S.cumsum(x, dim),
  "torch.cumprod": ([x, dim]) => S.cumprod(x, dim),
  "torch.softmax": ([x, dim]) => S.softmax(x, dim),
  "torch.log_softmax": ([x, dim]) => S.logSoftmax(x, dim),
  "F.softmax": ([x, dim]) => S.softmax(x, dim),
  "torch.all": ([x, dim], kw) => S.all(x, dim, kw.keepdim),
  "torch.any": ([x, dim], kw) => S.any(x, dim, kw.keepdim),
  "Tensor.reshape": ([x, s]) => x.reshape(s),
  "Tensor.view": ([x, s]) => x.view(s),
  "Tensor.transpose": ([x, a, b]) => x.transpose(a, b),
  "Tensor.permute": ([x, d]) => x.permute(d),
  "Tensor.t": ([x]) => x.t(),
  "Tensor.squeeze": ([x, d]) => x.squeeze(d),
  "Tensor.unsqueeze": ([x, d]) => x.unsqueeze(d),
  "Tensor.expand": ([x, s]) => x.expand(s),
  "Tensor.repeat": ([x, s]) => S.repeat(x, s),
  "torch.flatten": ([x, s, e]) => x.flatten(s, e),
  "torch.flip": ([x, d]) => S.flip(x, d),
  "torch.cat": ([xs], kw) => S.cat(xs, kw.dim),
  "torch.stack": ([xs], kw) => S.stack(xs, kw.dim),
  "torch.split": ([x, s], kw) => S.split(x, s, kw.dim),
  "torch.chunk": ([x, c], kw) => S.chunk(x, c, kw.dim),
  "torch.narrow": ([x, d, s, l]) => x.narrow(d, s, l),
  "torch.index_select": ([x, d, i]) => S.indexSelect(x, d, i),
  "torch.gather": ([x, d, i]) => S.gather(x, d, i),
  "torch.scatter_add": ([x, d, i, s]) => S.scatterAdd(x, d, i, s),
  "torch.masked_fill": ([x, m, v]) => S.maskedFill(x, m, v),
  "torch.tril": ([x, d]) => S.tril(x, d),
  "torch.triu": ([x, d]) => S.triu(x, d),
  "torch.topk": ([x, k], kw) => S.topk(x, k, kw.dim, kw.largest, kw.sorted),
  "torch.sort": ([x, d], kw) => S.sort(x, d ?? kw.dim, kw.descending),
  "torch.matmul": ([a, b]) => S.matmul(a, b),
  "torch.mm": ([a, b]) => S.mm(a, b),
  "torch.bmm": ([a, b]) => S.bmm(a, b),
  "torch.outer": ([a, b]) => S.outer(a, b),
  "torch.einsum": ([eq, ...xs]) => S.einsum(eq, ...xs),
  "torch.clone": ([x]) => S.clone(x),
  "F.linear": ([x, w, b]) => S.linear(x, w, b),
  "F.conv1d": ([x, w, b], kw) => S.conv1d(x, w, b, kw),
  "F.conv2d": ([x, w, b], kw) => S.conv2d(x, w, b, kw),
  "F.conv_transpose2d": ([x, w, b], kw) => S.convTranspose2d(x, w, b, kw),
  "F.max_pool2d": ([x, k], kw) => S.maxPool2d(x, k, kw) as NDArray,
  "F.max_pool1d": ([x, k], kw) => S.maxPool1d(x, k, kw) as NDArray,
  "F.avg_pool2d": ([x, k], kw) => S.avgPool2d(x, k, kw),
  "F.adaptive_avg_pool2d": ([x, s]) => S.adaptiveAvgPool2d(x, s),
  "F.interpolate": ([x], kw) => S.interpolate(x, kw),
  "F.pad": ([x, p], kw) => S.pad(x, p, kw.mode, kw.value),
  "F.one_hot": ([x, n]) => S.oneHot(x, n),
  "F.relu6": un("relu6"),
  "F.hardsigmoid": un("hardsigmoid"),
  "F.hardswish": un("hardswish"),
  "F.mish": un("mish"),
  "F.logsigmoid": un("logSigmoid"),
  "F.softsign": un("softsign"),
  "F.tanhshrink": un("tanhshrink"),
  "F.selu": un("selu"),
  "F.silu": un("silu"),
  "F.gelu": ([x], kw) => S.unary(kw.approximate === "tanh" ? "geluTanh" : "gelu", x),
};

/** Decodes one fixture argument for the raw layer. */
export function rawArg(i: Record<string, unknown>): unknown {
  if ("tensor" in i) return toNDArray(i.tensor as FixtureTensor);
  if ("tensor_list" in i) return (i.tensor_list as FixtureTensor[]).map((t) => toNDArray(t));
  if ("none" in i) return undefined;
  for (const k of ["scalar", "int", "bool", "list", "str"]) if (k in i) return i[k];
  throw new Error(`unknown fixture input ${JSON.stringify(i).slice(0, 60)}`);
}

/** Compares one output or a list of outputs with the fixture. */
export function compareOutputs(
  got: { shape: readonly number[]; values: number[] }[],
  expected: FixtureTensor | FixtureTensor[],
  tol: Tolerance,
): string | null {
  const exp = Array.isArray(expected) ? expected : [expected];
  if (got.length !== exp.length) return `${got.length} outputs, expected ${exp.length}`;
  for (let i = 0; i < exp.length; i++) {
    const d = compareTensor(got[i]!, exp[i]!, tol);
    if (d !== null) return exp.length > 1 ? `output ${i}: ${d}` : d;
  }
  return null;
}

/** Runs the forward of every ops.json case that maps to a raw-layer primitive. */
export function runRawOpsConformance(): Report {
  const fx = loadFixture<OpsFixture>("ops.json");
  const tol = fx.tolerance.float32;
  const raw = fx.cases.filter((c) => RAW_CALLS[c.call] !== undefined);
  const composites = fx.cases.length - raw.length;
  // Composites (losses, normalizations…) are not skipped: they run at the autograd and nn layers.
  const report = new Report(
    "ops.json",
    `storage: forward of raw primitives; ${composites} composite cases run at the autograd/nn layers`,
  );
  for (const c of raw) {
    const fn = RAW_CALLS[c.call]!;
    try {
      const args = c.inputs.map(rawArg);
      const kw: K = {};
      for (const [k, v] of Object.entries(c.kwargs ?? {})) kw[camelKey(k)] = rawArg(v);
      const out = fn(args, kw);
      const outs = Array.isArray(out) ? out : [out];
      const d = compareOutputs(
        outs.map((o) => ({ shape: o.shape, values: o.toArray() })),
        c.output,
        tol,
      );
      d === null ? report.pass(c.id) : report.fail(c.id, d);
    } catch (e) {
      report.fail(c.id, `threw ${(e as Error).message}`);
    }
  }
  return report;
}
