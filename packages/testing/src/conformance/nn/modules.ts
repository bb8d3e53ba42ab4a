/**
 * The cases of modules.json mapped to this package's layers: `nn.Linear(4, 3)` with PyTorch's
 * keyword arguments becomes `new nn.Linear(4, 3, { … })`, the state is loaded with
 * `loadStateDict`, the module is run in the case's mode and backpropagated, and the output,
 * gradients, state after the call and parameter/buffer names are compared.
 */
import type { Tensor } from "@x/autograd";
import type { Module } from "@x/nn";
import * as layers from "@x/nn";
import { Sequential } from "@x/nn";
import {
  compareTensor,
  decodeKwargs,
  decodeValue,
  type FixtureTensor,
  type FixtureValue,
  type Tolerance,
  toTensor,
} from "../tensorCase.js";

/** One case of modules.json. */
export interface ModuleCase {
  id: string;
  module: string;
  args: unknown[];
  kwargs?: Record<string, FixtureValue> | null;
  train: boolean;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  attn_weights?: FixtureTensor;
  grad_output: FixtureTensor;
  grad_input: FixtureTensor | null;
  grad_params: Record<string, FixtureTensor | null> | null;
  state_after?: Record<string, FixtureTensor> | null;
  parameter_names: string[];
  buffer_names: string[];
  structure?: string[];
  note?: string;
}

type LayerClass = new (...args: any[]) => Module;

/** The layer class of a PyTorch name (`nn.Linear` → `Linear`). */
export function layerClass(name: string): LayerClass {
  const short = name.replace(/^nn\./, "");
  const cls = (layers as unknown as Record<string, LayerClass>)[short];
  if (typeof cls !== "function") throw new Error(`nn.${short} is not implemented`);
  return cls;
}

/** `"nn.Linear(4, 8)"` → `["nn.Linear", [4, 8]]` (positional numbers, strings, booleans). */
export function parseStructure(s: string): [string, unknown[]] {
  const m = /^([\w.]+)\((.*)\)$/.exec(s.trim());
  if (!m) throw new Error(`cannot parse module structure "${s}"`);
  const inner = m[2]!.trim();
  const args =
    inner === ""
      ? []
      : inner.split(",").map((a) => {
          const t = a.trim();
          if (t === "True" || t === "False") return t === "True";
          if (/^['"].*['"]$/.test(t)) return t.slice(1, -1);
          return Number(t);
        });
  return [m[1]!, args];
}

/**
 * Builds the module of a case: `new Layer(...args, kwargs)`, or a `Sequential` of its
 * `structure`.
 * @example buildModule({ module: "nn.Linear", args: [4, 3], kwargs: { bias: { bool: false } } })
 */
export function buildModule(
  c: Pick<ModuleCase, "module" | "args" | "kwargs" | "structure">,
): Module {
  if (c.module === "nn.Sequential") {
    return new Sequential(
      ...(c.structure ?? []).map((s) => {
        const [name, args] = parseStructure(s);
        return new (layerClass(name))(...args);
      }),
    );
  }
  const kwargs = decodeKwargs(c.kwargs);
  const Cls = layerClass(c.module);
  return Object.keys(kwargs).length ? new Cls(...c.args, kwargs) : new Cls(...c.args);
}

function sameList(got: string[], want: string[], what: string): string | null {
  if (got.length === want.length && got.every((g, i) => g === want[i])) return null;
  return `${what} [${got.join(", ")}] != expected [${want.join(", ")}]`;
}

/**
 * Runs one case of modules.json. Null when everything matches PyTorch, else what differs.
 * @example runModuleCase(fixture.cases[0], fixture.tolerance.float32) // null
 */
export function runModuleCase(c: ModuleCase, tol: Tolerance): string | null {
  const m = buildModule(c);
  const names =
    sameList(
      m.namedParameters().map(([n]) => n),
      c.parameter_names,
      "parameter_names",
    ) ??
    sameList(
      m.namedBuffers().map(([n]) => n),
      c.buffer_names,
      "buffer_names",
    );
  if (names) return names;
  const state = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(c.state)) state.set(k, toTensor(t));
  m.loadStateDict(state);
  m.train(c.train);
  const isFloat = c.input.dtype === "float32" || c.input.dtype === "float64";
  const input = toTensor(c.input, isFloat);
  const selfAttention = c.module === "nn.MultiheadAttention";
  const result = selfAttention
    ? (m as layers.MultiheadAttention)(input, input, input)
    : (m as unknown as (x: Tensor) => unknown)(input);
  const out = (Array.isArray(result) ? result[0] : result) as Tensor;
  let d = compareTensor(out, c.output, tol);
  if (d) return `output: ${d}`;
  if (c.attn_weights) {
    d = compareTensor((result as [Tensor, Tensor | null])[1], c.attn_weights, tol);
    if (d) return `attn_weights: ${d}`;
  }
  out.backward(decodeValue({ tensor: c.grad_output }) as Tensor);
  if (c.grad_input) {
    d = compareTensor(input.grad, c.grad_input, tol);
    if (d) return `grad_input: ${d}`;
  }
  const params = new Map(m.namedParameters());
  for (const [name, g] of Object.entries(c.grad_params ?? {})) {
    const p = params.get(name);
    if (!p) return `grad_params: no parameter ${name}`;
    if (g === null) {
      if (p.grad?.data.toArray().some((v) => v !== 0)) return `grad ${name}: expected none`;
      continue;
    }
    d = compareTensor(p.grad, g, tol);
    if (d) return `grad ${name}: ${d}`;
  }
  const after = m.stateDict();
  for (const [name, t] of Object.entries(c.state_after ?? {})) {
    d = compareTensor(after.get(name), t, tol);
    if (d) return `state_after ${name}: ${d}`;
  }
  return null;
}
