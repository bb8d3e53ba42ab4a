/**
 * The UCI digits set from ../shared/data/digits.csv.gz: 1797 rows of 64 pixels (0..16) and a
 * label. Pixels are scaled by 1/16 as the fixtures do.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { FIXTURES_DIR } from "./conformance/fixtures.js";

export interface Digits {
  /** Row-major pixels / 16, `rows × 64`. */
  pixels: Float32Array;
  labels: Int32Array;
  rows: number;
}

let cached: Digits | null = null;

export function loadDigits(): Digits {
  if (cached) return cached;
  const text = gunzipSync(readFileSync(resolve(FIXTURES_DIR, "../data/digits.csv.gz"))).toString(
    "utf8",
  );
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const pixels = new Float32Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, r) => {
    const v = line.split(",").map(Number);
    for (let j = 0; j < 64; j++) pixels[r * 64 + j] = v[j]! / 16;
    labels[r] = v[64]!;
  });
  cached = { pixels, labels, rows: lines.length };
  return cached;
}
