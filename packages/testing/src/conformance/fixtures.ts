/**
 * Reading the conformance fixtures in place (`../shared/conformance` beside the repository),
 * decoding their tensors, and comparing within a tolerance.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DType, fromArray, type NDArray } from "@x/storage";

/** `../shared/conformance` relative to the repository root. */
export const FIXTURES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/conformance",
);

/** Parses one fixture file (read in place, never copied). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES_DIR, name), "utf8")) as T;
}

/** A tensor as the fixtures write it. */
export interface FixtureTensor {
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  shape: number[];
  data: (number | string | boolean)[];
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Decodes `"nan"`, `"inf"`, `"-inf"` and booleans to numbers. */
export function fixtureValues(t: FixtureTensor): number[] {
  return t.data.map((v) =>
    v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v),
  );
}

/** The fixture tensor as an NDArray of its own dtype (or `dtype`). */
export function toNDArray(t: FixtureTensor, dtype?: DType): NDArray {
  const flat = fromArray(fixtureValues(t), dtype ?? t.dtype);
  return flat.reshape(t.shape);
}

/**
 * Compares actual values and shape with a fixture tensor: `|a - e| <= atol + rtol * |e|`, NaN
 * matching NaN and infinities matching exactly. Returns null when equal, else what differs.
 */
export function compareTensor(
  actual: { shape: readonly number[]; values: ArrayLike<number>; dtype?: string },
  expected: FixtureTensor,
  tol: Tolerance,
): string | null {
  const es = expected.shape;
  if (actual.shape.length !== es.length || actual.shape.some((s, i) => s !== es[i])) {
    return `shape [${actual.shape.join(", ")}] != expected [${es.join(", ")}]`;
  }
  const ev = fixtureValues(expected);
  if (actual.values.length !== ev.length) return `length ${actual.values.length} != ${ev.length}`;
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < ev.length; i++) {
    const a = actual.values[i]!;
    const e = ev[i]!;
    if (
      Number.isNaN(e)
        ? Number.isNaN(a)
        : !Number.isFinite(e)
          ? a === e
          : Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e)
    ) {
      continue;
    }
    const err = Number.isFinite(a - e) ? Math.abs(a - e) : Infinity;
    if (worst < 0 || err > worstErr || Number.isNaN(a)) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    return `element ${worst}: got ${actual.values[worst]}, expected ${ev[worst]} (|diff| ${worstErr.toExponential(3)})`;
  }
  return null;
}
