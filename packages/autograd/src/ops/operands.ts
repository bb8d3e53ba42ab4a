/**
 * Internal helpers of the op functions (not exported from the package): operands to raw
 * arrays, non-differentiable results, `clamp`'s bounds.
 */
import { binary, type NDArray, type Operand as RawOperand } from "@x/storage";
import { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { OWN } from "../tensorBase.js";

/** The raw value of an operand: a tensor's array or the number itself. */
export function raw(v: Operand): RawOperand {
  return v instanceof Tensor ? v.data : v;
}

/** A non-differentiable result (comparisons, logical and integer ops). */
export function plain(nd: NDArray): Tensor {
  return new Tensor(nd, undefined, OWN);
}

/** A bound of `clamp`: a number, or null/undefined for none. */
export type Bound = number | null | undefined;

/** `clamp`'s bounds as numbers (NaN for none), with PyTorch's error for none. */
export function clampBounds(
  min?: Bound | { min?: Bound; max?: Bound },
  max?: Bound,
): [number, number] {
  let lo: Bound = min as Bound;
  let hi: Bound = max;
  if (min !== null && typeof min === "object") {
    lo = min.min;
    hi = min.max;
  }
  if ((lo === null || lo === undefined) && (hi === null || hi === undefined)) {
    throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  return [lo ?? Number.NaN, hi ?? Number.NaN];
}

/** The raw values of `addcmul` / `addcdiv`: `self + value·(t1 ∘ t2)` with `∘` = `mul` or `div`. */
export function addcRaw(
  op: "mul" | "div",
  self: NDArray,
  t1: NDArray,
  t2: NDArray,
  value: number,
): NDArray {
  const p = binary(op, t1, t2);
  const q = binary("mul", p, value);
  p.dispose();
  const out = binary("add", self, q);
  q.dispose();
  return out;
}
