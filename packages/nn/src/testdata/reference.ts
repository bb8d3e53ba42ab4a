/// <reference types="node" />
/**
 * Reference values computed by real PyTorch (1.13, CPU) with `reference.py` beside this file
 * (`python3 reference.py > reference.json`), for behaviour the shared conformance fixtures do
 * not cover: seeded initializations, dropout masks, recurrent and attention variants, clipping,
 * printing.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The parsed `reference.json` (keys as `reference.py` writes them). */
export const REF: Record<string, any> = JSON.parse(
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "reference.json"), "utf8"),
);

/** Max |a - b| over two equally long lists (Infinity when the lengths differ). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Number.POSITIVE_INFINITY : m;
}
