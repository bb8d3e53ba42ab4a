/**
 * Decoding the conformance fixtures (PyTorch's values, `../shared/conformance`) into this
 * package's values — tensors, plain arguments, camelCase keyword options — and comparing
 * results within a tolerance. Pure functions over parsed JSON; reading the files is the
 * caller's business.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import type { DType } from "@x/storage";

/** A tensor as the fixtures write it. */
export interface FixtureTensor {
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  shape: number[];
  data: (number | string | boolean)[];
}

/** `|actual - expected| <= atol + rtol·|expected|`. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** One encoded argument (`{"tensor": …}`, `{"scalar": 0.1}`, `{"list": […]}`, …). */
export type FixtureValue = Record<string, unknown>;

/** Decodes `"nan"`, `"inf"`, `"-inf"` and booleans to numbers. */
export function fixtureValues(t: FixtureTensor): number[] {
  return t.data.map((v) =>
    v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v),
  );
}

/** A fixture tensor as a `Tensor` of its dtype (`requiresGrad` for inputs marked so). */
export function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  const flat = A.tensor(fixtureValues(t), { dtype: t.dtype as DType });
  const shaped = flat.reshape(t.shape).detach();
  if (requiresGrad) shaped.requiresGrad_(true);
  return shaped;
}

/** PyTorch's snake_case keyword → camelCase with a lowercase first letter (`T_max` → `tMax`). */
export function camelKey(k: string): string {
  const parts = k.split("_").filter((p) => p !== "");
  return parts
    .map((p, i) =>
      i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1),
    )
    .join("");
}

/** Decodes one argument: tensors become `Tensor`s, `none` becomes null. */
export function decodeValue(v: FixtureValue): unknown {
  if ("tensor" in v) return toTensor(v.tensor as FixtureTensor, v.requires_grad === true);
  if ("tensor_list" in v) {
    return (v.tensor_list as FixtureTensor[]).map((t) => toTensor(t, v.requires_grad === true));
  }
  if ("scalar" in v) return v.scalar;
  if ("int" in v) return v.int;
  if ("bool" in v) return v.bool;
  if ("str" in v) return v.str;
  if ("list" in v) return v.list;
  if ("none" in v) return null;
  throw new Error(`unknown fixture value: ${JSON.stringify(v).slice(0, 80)}`);
}

/** Keyword arguments as a camelCase options object. */
export function decodeKwargs(
  kwargs: Record<string, FixtureValue> | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) out[camelKey(k)] = decodeValue(v);
  return out;
}

/**
 * Compares a tensor with a fixture tensor (shape, then values within `tol`; NaN matches NaN,
 * infinities match exactly). Null when equal, else what differs.
 */
export function compareTensor(
  actual: Tensor | null | undefined,
  expected: FixtureTensor,
  tol: Tolerance,
): string | null {
  if (!actual) return "missing (null)";
  const es = expected.shape;
  const as = actual.shape;
  if (as.length !== es.length || as.some((s, i) => s !== es[i])) {
    return `shape [${as.join(", ")}] != expected [${es.join(", ")}]`;
  }
  const av = actual.data.toArray();
  const ev = fixtureValues(expected);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < ev.length; i++) {
    const a = av[i]!;
    const e = ev[i]!;
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (ok) continue;
    const err = Number.isNaN(a) ? Infinity : Math.abs(a - e);
    if (worst < 0 || err > worstErr) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    return `element ${worst}: got ${av[worst]}, expected ${ev[worst]} (|diff| ${worstErr.toExponential(3)})`;
  }
  return null;
}

/** Runs `fn`; a thrown error becomes its message (a failing case), else `fn`'s result. */
export function attempt(fn: () => string | null): string | null {
  try {
    return fn();
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}
