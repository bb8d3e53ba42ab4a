// Tensor printing as PyTorch's `repr(tensor)` does it (`torch/_tensor_str.py`, 1.13 / 2.x):
// the print options, the element formatter (int mode, scientific mode, common width),
// line wrapping, nested brackets, summarization with `...`, and the trailing suffixes.
// Standalone on purpose: it takes flat values, a shape and a dtype name, and imports nothing.

/** The dtypes this printer knows, named as PyTorch names them after `torch.`. */
export type FormatDType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8";

/** The options of `torch.set_printoptions`; `sciMode: null` lets the formatter decide. */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

/** The live print options (PyTorch's `PRINT_OPTS`); change them with {@link setPrintOptions}. */
export const printOptions: PrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
};

const PROFILES: Record<"default" | "short" | "full", Omit<PrintOptions, "sciMode">> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Number.POSITIVE_INFINITY, edgeitems: 3, linewidth: 80 },
};

/**
 * Sets the print options, as `torch.set_printoptions` does: a `profile` first resets precision,
 * threshold, edgeitems and linewidth, then the given options apply. Like PyTorch, `sciMode` is
 * always assigned, so leaving it out resets it to `null` (automatic).
 *
 * @example
 * setPrintOptions({ precision: 2 });
 * formatTensor([1.12345], [1], "float32"); // "tensor([1.12])"
 * setPrintOptions({ profile: "default" });
 */
export function setPrintOptions(
  opts: Partial<PrintOptions> & { profile?: "default" | "short" | "full" },
): void {
  if (opts.profile !== undefined) Object.assign(printOptions, PROFILES[opts.profile]);
  if (opts.precision !== undefined) printOptions.precision = opts.precision;
  if (opts.threshold !== undefined) printOptions.threshold = opts.threshold;
  if (opts.edgeitems !== undefined) printOptions.edgeitems = opts.edgeitems;
  if (opts.linewidth !== undefined) printOptions.linewidth = opts.linewidth;
  printOptions.sciMode = opts.sciMode ?? null;
}

// ---------------------------------------------------------------------------------------------
// Python's float formatting ("{:.Nf}", "{:.Ne}"): exact decimal value of the double, rounded
// half to even. JavaScript's toFixed/toExponential round ties away from zero, hence BigInt.

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Splits a finite positive double into `mant * 2 ** exp2` with an integer mantissa. */
function decompose(x: number): [bigint, number] {
  f64[0] = x;
  const bits = u64[0] ?? 0n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  return biased === 0 ? [frac, -1074] : [frac | (1n << 52n), biased - 1075];
}

/** `mant * 2 ** exp2 * 10 ** k`, rounded half to even to an integer. */
function roundScaled(mant: bigint, exp2: number, k: number): bigint {
  let num = mant;
  let den = 1n;
  if (exp2 >= 0) num <<= BigInt(exp2);
  else den <<= BigInt(-exp2);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const r2 = (num % den) * 2n;
  return r2 > den || (r2 === den && (q & 1n) === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return undefined;
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/** Python's `"{:.<prec>f}".format(x)`. */
function pyFixed(x: number, prec: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  let q = 0n;
  if (x !== 0) {
    const [mant, exp2] = decompose(Math.abs(x));
    q = roundScaled(mant, exp2, prec);
  }
  const digits = q.toString().padStart(prec + 1, "0");
  const body = prec > 0 ? `${digits.slice(0, -prec)}.${digits.slice(-prec)}` : digits;
  return signOf(x) + body;
}

/** Python's `"{:.<prec>e}".format(x)`. */
function pyExp(x: number, prec: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  let digits = "0".repeat(prec + 1);
  let e = 0;
  if (x !== 0) {
    const [mant, exp2] = decompose(Math.abs(x));
    const low = 10n ** BigInt(prec);
    const high = low * 10n;
    e = Math.floor(Math.log10(Math.abs(x)));
    let q = roundScaled(mant, exp2, prec - e);
    // log10 may be off by one near powers of ten, and rounding may carry into a new digit.
    while (q < low || q >= high) {
      e += q < low ? -1 : 1;
      q = roundScaled(mant, exp2, prec - e);
    }
    digits = q.toString();
  }
  const mantissa = prec > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expStr = `${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return `${signOf(x)}${mantissa}e${expStr}`;
}

/** Python's `str(int)` for an integer-valued number, exact beyond 2**53. */
function intString(v: number): string {
  if (Number.isSafeInteger(v)) return String(v);
  if (!Number.isFinite(v)) return nonFinite(v) ?? String(v);
  return BigInt(Math.trunc(v)).toString();
}

// ---------------------------------------------------------------------------------------------
// The element formatter (PyTorch's `_Formatter`).

interface Formatter {
  readonly width: number;
  format(value: number): string;
}

function isFloating(dtype: FormatDType): boolean {
  return dtype === "float32" || dtype === "float64";
}

function plainString(value: number, dtype: FormatDType): string {
  if (dtype === "bool") return value ? "True" : "False";
  return intString(value);
}

/** Builds the formatter from the values it will have to show (all, or the summarized ones). */
function makeFormatter(values: readonly number[], dtype: FormatDType): Formatter {
  const precision = printOptions.precision;
  let width = 1;
  if (!isFloating(dtype)) {
    for (const v of values) width = Math.max(width, plainString(v, dtype).length);
    return {
      width,
      format: (v) => plainString(v, dtype).padStart(width, " "),
    };
  }
  let intMode = true;
  let sciMode = false;
  const nonzeroFinite = values.filter((v) => Number.isFinite(v) && v !== 0);
  if (nonzeroFinite.length > 0) {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const v of nonzeroFinite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) intMode = false;
    }
    sciMode = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of nonzeroFinite) {
      const len = sciMode
        ? pyExp(v, precision).length
        : intMode
          ? pyFixed(v, 0).length + 1
          : pyFixed(v, precision).length;
      width = Math.max(width, len);
    }
    // PyTorch returns early (ignoring the sciMode option) when no value is nonzero and finite.
    if (printOptions.sciMode !== null) sciMode = printOptions.sciMode;
  }
  const format = (v: number): string => {
    let s: string;
    if (sciMode) s = pyExp(v, precision);
    else if (intMode) s = Number.isFinite(v) ? `${pyFixed(v, 0)}.` : pyFixed(v, 0);
    else s = pyFixed(v, precision);
    return s.padStart(width, " ");
  };
  return { width, format };
}

// ---------------------------------------------------------------------------------------------
// Layout: nested brackets, line wrapping and summarization over a flat row-major buffer.

interface Layout {
  readonly values: ArrayLike<number>;
  /** float32 values are read through Math.fround, so printing starts from the float32 value. */
  readonly float32: boolean;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly summarize: boolean;
  readonly edgeitems: number;
  readonly linewidth: number;
}

/**
 * The indices shown along a dimension of `size`; `null` stands for `...`. For a vector PyTorch
 * takes the tail as `self[-edgeitems:]`, which is the whole vector when edgeitems is 0.
 */
function shownIndices(layout: Layout, size: number, isVector: boolean): (number | null)[] {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const e = layout.edgeitems;
  if (!layout.summarize || size <= 2 * e) return range(0, size);
  const tailStart = isVector && e === 0 ? 0 : size - e;
  return [...range(0, e), null, ...range(tailStart, size)];
}

function read(layout: Layout, index: number): number {
  const v = layout.values[index] ?? Number.NaN;
  return layout.float32 ? Math.fround(v) : v;
}

/** The values the formatter is built from (PyTorch's `get_summarized_data`). */
function collectShown(layout: Layout, offset: number, dim: number, out: number[]): void {
  const size = layout.shape[dim];
  if (size === undefined) {
    out.push(read(layout, offset));
    return;
  }
  const stride = layout.strides[dim] ?? 1;
  const isVector = dim === layout.shape.length - 1;
  for (const i of shownIndices(layout, size, isVector)) {
    if (i !== null) collectShown(layout, offset + i * stride, dim + 1, out);
  }
}

function vectorStr(layout: Layout, fmt: Formatter, offset: number, indent: number): string {
  const size = layout.shape[layout.shape.length - 1] ?? 1;
  const perLine = Math.max(1, Math.floor((layout.linewidth - indent) / (fmt.width + 2)));
  const data = shownIndices(layout, size, true).map((i) =>
    i === null ? " ..." : fmt.format(read(layout, offset + i)),
  );
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
  return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
}

function tensorStr(
  layout: Layout,
  fmt: Formatter,
  offset: number,
  dim: number,
  indent: number,
): string {
  const rank = layout.shape.length - dim;
  if (rank === 0) return fmt.format(read(layout, offset));
  if (rank === 1) return vectorStr(layout, fmt, offset, indent);
  const size = layout.shape[dim] ?? 0;
  const stride = layout.strides[dim] ?? 1;
  const slices = shownIndices(layout, size, false).map((i) =>
    i === null ? "..." : tensorStr(layout, fmt, offset + i * stride, dim + 1, indent + 1),
  );
  return `[${slices.join(`,${"\n".repeat(rank - 1)}${" ".repeat(indent + 1)}`)}]`;
}

/** PyTorch's `_add_suffixes`: `, suffix`, or `,\n<indent>suffix` when the line would be long. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  // PyTorch's count is two more than the last line's length; kept for identical wrapping.
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > printOptions.linewidth) {
      out += `,\n${" ".repeat(indent)}${suffix}`;
      lastLineLen = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLen += suffix.length + 2;
    }
  }
  return `${out})`;
}

function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * Formats values (flat, row-major, `length` = product of `shape`) exactly as PyTorch's
 * `repr(tensor)` prints them, using the current {@link printOptions}. `float32` values are
 * rounded to float32 first. A `dtype=torch.…` suffix is added for dtypes PyTorch cannot infer
 * from the printed values (all but float32, int64 and bool; for empty tensors all but float32),
 * before the given `suffixes`.
 *
 * @example
 * formatTensor([1, 2], [2], "float32"); // "tensor([1., 2.])"
 * formatTensor([0.1, 0.2], [1, 2], "float32"); // "tensor([[0.1000, 0.2000]])"
 * formatTensor([1, 2], [2], "float64", { suffixes: ["requires_grad=True"] });
 * // "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"
 * formatTensor([], [0, 3], "float32"); // "tensor([], size=(0, 3))"
 */
export function formatTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: FormatDType,
  opts: { prefix?: string; suffixes?: string[] } = {},
): string {
  const prefix = opts.prefix ?? "tensor(";
  const indent = prefix.length;
  const numel = shape.reduce((a, b) => a * b, 1);
  if (values.length !== numel) {
    throw new RangeError(
      `formatTensor: got ${values.length} values for shape ${pyTuple(shape)} (${numel} elements)`,
    );
  }
  const suffixes: string[] = [];
  let body: string;
  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== "float32") suffixes.push(`dtype=torch.${dtype}`);
    body = "[]";
  } else {
    if (dtype !== "float32" && dtype !== "int64" && dtype !== "bool") {
      suffixes.push(`dtype=torch.${dtype}`);
    }
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const layout: Layout = {
      values,
      float32: dtype === "float32",
      shape,
      strides,
      summarize: numel > printOptions.threshold,
      edgeitems: printOptions.edgeitems,
      linewidth: printOptions.linewidth,
    };
    const shown: number[] = [];
    collectShown(layout, 0, 0, shown);
    body = tensorStr(layout, makeFormatter(shown, dtype), 0, 0, indent);
  }
  return addSuffixes(prefix + body, [...suffixes, ...(opts.suffixes ?? [])], indent);
}
