/**
 * Python's spelling of values in module printing (`extraRepr`): floats as `repr(float)`
 * (`1e-05`, `0.1`, `1.0`), tuples as `(3, 3)` / `(3,)`, booleans as `True`/`False`, strings
 * quoted as `'none'`.
 */

/** Python's `repr` of a float. @example pyFloat(1e-5) // "1e-05" */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = v.toExponential().split("e") as [string, string];
    const sign = e[0] === "-" ? "-" : "+";
    return `${m}e${sign}${e.slice(1).replace("+", "").padStart(2, "0")}`;
  }
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** Python's `repr` of a tuple of ints. @example pyTuple([3]) // "(3,)" */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`;
}

/** `True` / `False`. */
export function pyBool(v: boolean): string {
  return v ? "True" : "False";
}

/** A number as Python prints it: ints as ints, others as floats. */
export function pyNum(v: number, isFloat = !Number.isInteger(v)): string {
  return isFloat ? pyFloat(v) : String(v);
}

/** An `int | tuple` argument as Python prints it (`2` or `(2, 1)`). */
export function pyIntArg(v: number | readonly number[]): string {
  return typeof v === "number" ? String(v) : pyTuple(v);
}
