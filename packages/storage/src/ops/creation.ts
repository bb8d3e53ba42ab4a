/**
 * Creating arrays: from JS data, filled, ranges, identity.
 */
import { castScalar, type DType, getDefaultDType, type TypedArray } from "../dtype.js";
import { ValueError } from "../errors.js";
import { flatShape, type NestedArray, NDArray } from "../ndArray.js";
import type { Shape } from "../shape.js";
import { kernels } from "./prepare.js";

/** Data accepted by `fromArray`: nested arrays, a number, or a typed array (1-d). */
export type ArrayData = NestedArray | TypedArray | Int8Array | Int16Array | Uint16Array | Uint32Array;

function dtypeOfTyped(a: ArrayData): DType | null {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array || a instanceof Uint16Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  if (a instanceof Uint32Array) return "int64";
  return null;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  return shape;
}

function containsBoolOnly(data: NestedArray): boolean {
  if (Array.isArray(data)) return data.length > 0 && data.every(containsBoolOnly);
  return typeof data === "boolean";
}

/**
 * An array from JS data. Numbers default to `float32` (JavaScript has no int/float
 * distinction), booleans to `bool`, typed arrays to their own type.
 * @example fromArray([[1, 2], [3, 4]]).shape // [2, 2]
 */
export function fromArray(data: ArrayData, dtype?: DType): NDArray {
  if (ArrayBuffer.isView(data)) {
    const typed = data as Exclude<ArrayData, NestedArray>;
    const dt = dtype ?? dtypeOfTyped(typed) ?? getDefaultDType();
    const out = NDArray.empty([typed.length], dt);
    const od = out.typed();
    for (let i = 0; i < typed.length; i++) od[i] = castScalar(typed[i]!, dt);
    return out;
  }
  const nested = data as NestedArray;
  const shape = inferShape(nested);
  const dt = dtype ?? (containsBoolOnly(nested) ? "bool" : getDefaultDType());
  const out = NDArray.empty(shape, dt);
  const od = out.typed();
  let k = 0;
  const walk = (v: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new ValueError("expected a sequence of numbers at the innermost level");
      od[k++] = castScalar(Number(v), dt);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new ValueError(
        `expected sequence of length ${shape[d]} at dim ${d} (got ${Array.isArray(v) ? v.length : "a scalar"})`,
      );
    }
    for (const e of v) walk(e, d + 1);
  };
  walk(nested, 0);
  return out;
}

/** An array of `shape` with every element `value`. */
export function full(shape: Shape, value: number | boolean, dtype?: DType): NDArray {
  const dt = dtype ?? (typeof value === "boolean" ? "bool" : getDefaultDType());
  const out = NDArray.empty(shape, dt);
  const v = castScalar(Number(value), dt);
  if (v !== 0) kernels().fill(out, v);
  return out;
}

export function zeros(shape: Shape, dtype?: DType): NDArray {
  return NDArray.empty(shape, dtype ?? getDefaultDType());
}

export function ones(shape: Shape, dtype?: DType): NDArray {
  return full(shape, 1, dtype);
}

/** `[start, end)` in steps of `step` (`torch.arange`); the dtype follows the arguments. */
export function arange(start: number, end?: number, step = 1, dtype?: DType): NDArray {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ValueError("step must be nonzero");
  if ((end - start) / step < 0) {
    throw new ValueError("upper bound and larger bound inconsistent with step sign");
  }
  const allInt = [start, end, step].every(Number.isInteger);
  const dt = dtype ?? (allInt ? "int64" : getDefaultDType());
  const n = Math.ceil((end - start) / step);
  const out = NDArray.empty([n], dt);
  const od = out.typed();
  for (let i = 0; i < n; i++) od[i] = castScalar(start + i * step, dt);
  return out;
}

/** `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`). */
export function linspace(start: number, end: number, steps: number, dtype?: DType): NDArray {
  if (steps < 0) throw new ValueError("number of steps must be non-negative");
  const dt = dtype ?? getDefaultDType();
  const out = NDArray.empty([steps], dt);
  const od = out.typed();
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  // PyTorch fills the first half from `start` and the second half back from `end`.
  for (let i = 0; i < steps; i++) {
    od[i] = castScalar(i < half ? start + step * i : end - step * (steps - 1 - i), dt);
  }
  return out;
}

/** The `n`×`m` identity (`torch.eye`). */
export function eye(n: number, m: number = n, dtype?: DType): NDArray {
  const out = NDArray.empty([n, m], dtype ?? getDefaultDType());
  const od = out.typed();
  for (let i = 0; i < Math.min(n, m); i++) od[i * m + i] = 1;
  return out;
}

/** Sizes given as `(2, 4)` or `([2, 4])`. */
export { flatShape };
