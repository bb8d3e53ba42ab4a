/**
 * The digits data set of the training-run workload: `../shared/data/digits.csv.gz` from the
 * repository root (1797 images of 8×8 pixels valued 0..16, then the label), read with node:zlib.
 * Pixels are divided by 16. Batches follow a fixed per-epoch shuffle shared by the JS systems
 * (the PyTorch script shuffles with its own generator; only the cost matters).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const PIXELS = 64;

export interface Digits {
  /** `rows × 64` pixels / 16, row-major. */
  readonly x: Float32Array;
  /** Labels 0..9. */
  readonly y: Int32Array;
  readonly rows: number;
}

/** The default path of the data: `<repo>/../shared/data/digits.csv.gz`. */
export function defaultDigitsPath(): string {
  // dist/ or src/ → packages/bench → packages → repo root
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, "../../..", "../shared/data/digits.csv.gz");
}

/** Parses the CSV text: 64 pixels then a label per line; keeps the first `rows` lines. */
export function parseDigits(text: string, rows = Number.POSITIVE_INFINITY): Digits {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const n = Math.min(rows, lines.length);
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const cells = lines[r]!.split(",");
    if (cells.length !== PIXELS + 1) {
      throw new Error(`digits: line ${r + 1} has ${cells.length} fields, expected ${PIXELS + 1}`);
    }
    for (let j = 0; j < PIXELS; j++) x[r * PIXELS + j] = Number(cells[j]) / 16;
    y[r] = Number(cells[PIXELS]);
  }
  return { x, y, rows: n };
}

/** Reads and parses a gzipped digits CSV. */
export function loadDigits(path: string = defaultDigitsPath(), rows = 1500): Digits {
  return parseDigits(gunzipSync(readFileSync(path)).toString("utf8"), rows);
}

/** A permutation of `0..n-1`, the same for the same `seed` (Fisher–Yates over mulberry32). */
export function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export interface Batch {
  /** `size × 64` pixels. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/** The batches of one epoch, in the shuffled order of `permutation(rows, epoch + 1)`. */
export function* epochBatches(d: Digits, epoch: number, batch: number): Generator<Batch> {
  const order = permutation(d.rows, epoch + 1);
  for (let start = 0; start < d.rows; start += batch) {
    const size = Math.min(batch, d.rows - start);
    const x = new Float32Array(size * PIXELS);
    const y = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const r = order[start + i]!;
      x.set(d.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      y[i] = d.y[r]!;
    }
    yield { x, y, size };
  }
}

/**
 * Runs `epoch(0)`, `epoch(1)`… up to `epochs`, stopping early once `budgetSeconds` have passed
 * (slow systems would take many minutes); returns the number of epochs run. The caller scales
 * its time by `epochs / ran` and says that it extrapolated.
 */
export async function runEpochs(
  epochs: number,
  budgetSeconds: number,
  epoch: (e: number) => unknown,
): Promise<number> {
  const start = performance.now();
  let e = 0;
  while (e < epochs) {
    await epoch(e);
    e++;
    if ((performance.now() - start) / 1e3 > budgetSeconds) break;
  }
  return e;
}
