/// <reference types="node" />
/**
 * Forward outputs of the conformance cases (computed by PyTorch) for the reduction, scan,
 * sort, indexing, joining and padding ops, read in place from shared/conformance/ops.json.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DType } from "../dtype.js";
import type { NDArray } from "../ndArray.js";
import { fromArray } from "./creation.js";
import { gather, indexSelect, maskedFill, oneHot, scatterAdd } from "./indexing.js";
import { cat, chunk, flip, pad, repeat, split, stack, tril, triu } from "./join.js";
import {
  all,
  amax,
  amin,
  any,
  argmax,
  argmin,
  logsumexp,
  max,
  maxDim,
  mean,
  minDim,
  norm,
  prod,
  std,
  sum,
  variance,
} from "./reduce.js";
import { cumprod, cumsum, logSoftmax, softmax } from "./scan.js";
import { sort, topk } from "./sort.js";

interface T {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}
type Input = Record<string, unknown>;
interface Case {
  id: string;
  call: string;
  inputs: Input[];
  kwargs?: Record<string, Input>;
  output: T | T[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../../../shared/conformance/ops.json", import.meta.url), "utf8"),
) as { tolerance: { float32: { rtol: number; atol: number } }; cases: Case[] };
const { rtol, atol } = fixture.tolerance.float32;

function num(v: number | string | boolean): number {
  if (v === "nan") return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return Number(v);
}

function toArray(t: T): NDArray {
  return fromArray(t.data.map(num), t.dtype as DType).reshape(t.shape);
}

function decode(i: Input): unknown {
  if ("tensor" in i) return toArray(i.tensor as T);
  if ("tensor_list" in i) return (i.tensor_list as T[]).map(toArray);
  if ("none" in i) return undefined;
  for (const k of ["scalar", "int", "bool", "list", "str"]) if (k in i) return i[k];
  throw new Error(`unknown input ${JSON.stringify(i)}`);
}

type Args = any[];
type Kw = Record<string, any>;
type Out = NDArray | NDArray[];

// PyTorch's calls in the fixture, mapped to this package's functions.
const CALLS: Record<string, (a: Args, kw: Kw) => Out> = {
  "torch.sum": ([x, dim], kw) => sum(x, dim, kw.keepdim),
  "torch.mean": ([x, dim], kw) => mean(x, dim, kw.keepdim),
  "torch.prod": ([x, dim], kw) => prod(x, dim, kw.keepdim),
  "torch.var": ([x, dim], kw) => variance(x, dim, kw.unbiased === false ? 0 : 1, kw.keepdim),
  "torch.std": ([x, dim], kw) => std(x, dim, kw.unbiased === false ? 0 : 1, kw.keepdim),
  "torch.amax": ([x, dim], kw) => amax(x, dim, kw.keepdim),
  "torch.amin": ([x, dim], kw) => amin(x, dim, kw.keepdim),
  "torch.max": ([x, dim], kw) => (dim === undefined ? max(x) : maxDim(x, dim, kw.keepdim)),
  "torch.min": ([x, dim], kw) => minDim(x, dim, kw.keepdim),
  "torch.argmax": ([x, dim], kw) => argmax(x, dim, kw.keepdim),
  "torch.argmin": ([x, dim], kw) => argmin(x, dim, kw.keepdim),
  "torch.logsumexp": ([x, dim], kw) => logsumexp(x, dim, kw.keepdim),
  "torch.norm": ([x, p], kw) => norm(x, p ?? kw.p, kw.dim, kw.keepdim),
  "torch.cumsum": ([x, dim]) => cumsum(x, dim),
  "torch.cumprod": ([x, dim]) => cumprod(x, dim),
  "torch.softmax": ([x, dim]) => softmax(x, dim),
  "F.softmax": ([x, dim]) => softmax(x, dim),
  "torch.log_softmax": ([x, dim]) => logSoftmax(x, dim),
  "torch.all": ([x, dim], kw) => all(x, dim, kw.keepdim),
  "torch.any": ([x, dim], kw) => any(x, dim, kw.keepdim),
  "torch.flip": ([x, dims]) => flip(x, dims),
  "Tensor.repeat": ([x, sizes]) => repeat(x, sizes),
  "torch.cat": ([xs, dim], kw) => cat(xs, dim ?? kw.dim),
  "torch.stack": ([xs, dim], kw) => stack(xs, dim ?? kw.dim),
  "torch.split": ([x, s, dim], kw) => split(x, s, dim ?? kw.dim),
  "torch.chunk": ([x, c, dim], kw) => chunk(x, c, dim ?? kw.dim),
  "torch.index_select": ([x, dim, index]) => indexSelect(x, dim, index),
  "torch.gather": ([x, dim, index]) => gather(x, dim, index),
  "torch.scatter_add": ([x, dim, index, src]) => scatterAdd(x, dim, index, src),
  "torch.masked_fill": ([x, mask, value]) => maskedFill(x, mask, value),
  "torch.tril": ([x, diagonal]) => tril(x, diagonal),
  "torch.triu": ([x, diagonal]) => triu(x, diagonal),
  "F.pad": ([x, pads, mode, value], kw) => pad(x, pads, mode ?? kw.mode, value ?? kw.value),
  "F.one_hot": ([x, n]) => oneHot(x, n),
  "torch.sort": ([x, dim], kw) => sort(x, dim, kw.descending),
  "torch.topk": ([x, k, dim], kw) => topk(x, k, dim, kw.largest, kw.sorted),
};

function expectClose(actual: NDArray, expected: T, id: string): void {
  expect(actual.dtype, `${id} dtype`).toBe(expected.dtype);
  expect(actual.shape, `${id} shape`).toEqual(expected.shape);
  const a = actual.toArray();
  const e = expected.data.map(num);
  for (let i = 0; i < e.length; i++) {
    const ev = e[i]!;
    const av = a[i]!;
    if (Number.isNaN(ev) || !Number.isFinite(ev)) {
      expect(av, `${id}[${i}]`).toBe(ev);
    } else if (expected.dtype === "float32") {
      expect(Math.abs(av - ev), `${id}[${i}]: ${av} vs ${ev}`).toBeLessThanOrEqual(
        atol + rtol * Math.abs(ev),
      );
    } else {
      expect(av, `${id}[${i}]`).toBe(ev);
    }
  }
}

const cases = fixture.cases.filter((c) => c.call in CALLS);

describe("conformance fixtures (forward)", () => {
  it("covers every case of these ops", () => {
    const wanted = [
      "sum/all",
      "mean/dim",
      "prod/dim",
      "var/unbiased-false",
      "std/all",
      "amax/dim",
      "amin/dims",
      "max/all",
      "max/dim",
      "min/dim-keepdim",
      "argmax/dim",
      "argmin/all",
      "logsumexp/dim",
      "norm/fro",
      "norm/p1-dim",
      "cumsum/dim",
      "cumprod/dim",
      "softmax/dim1",
      "log_softmax/dim-1",
      "all",
      "any/dim",
      "flip",
      "repeat",
      "cat/dim1",
      "stack/dim0",
      "split/2",
      "chunk/3",
      "index_select",
      "gather",
      "scatter_add",
      "masked_fill",
      "tril",
      "triu/diag1",
      "F.pad/constant",
      "F.pad/reflect",
      "F.one_hot",
      "sort/dim",
      "topk",
      "F.softmax/dim",
    ];
    const ids = new Set(cases.map((c) => c.id));
    for (const id of wanted) expect(ids.has(id), id).toBe(true);
  });

  for (const c of cases) {
    it(c.id, () => {
      const args = c.inputs.map(decode);
      const kw: Kw = {};
      for (const [k, v] of Object.entries(c.kwargs ?? {})) kw[k] = decode(v);
      const out = CALLS[c.call]!(args, kw);
      if (Array.isArray(c.output)) {
        const outs = out as NDArray[];
        expect(outs.length, `${c.id} outputs`).toBe(c.output.length);
        c.output.forEach((t, i) => {
          expectClose(outs[i]!, t, `${c.id}#${i}`);
        });
      } else {
        expectClose(out as NDArray, c.output, c.id);
      }
    });
  }
});
