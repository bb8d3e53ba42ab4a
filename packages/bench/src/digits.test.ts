import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { epochBatches, loadDigits, parseDigits, permutation, runEpochs } from "./digits.js";

function csv(rows: number): string {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const px = Array.from({ length: 64 }, (_, j) => (r + j) % 17);
    lines.push([...px, r % 10].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("digits data", () => {
  it("parses pixels / 16 and labels, keeping the first rows", () => {
    const d = parseDigits(csv(5), 3);
    expect(d.rows).toBe(3);
    expect(d.x.length).toBe(3 * 64);
    expect(d.x[64 + 1]).toBeCloseTo(2 / 16);
    expect([...d.y]).toEqual([0, 1, 2]);
  });
  it("reads a gzipped file", () => {
    const dir = mkdtempSync(join(tmpdir(), "digits-"));
    const path = join(dir, "d.csv.gz");
    writeFileSync(path, gzipSync(csv(40)));
    expect(loadDigits(path, 1500).rows).toBe(40);
  });
  it("rejects a malformed line", () => {
    expect(() => parseDigits("1,2,3\n")).toThrow(/expected 65/);
  });
  it("shuffles deterministically, and batches cover every row once", () => {
    const p = permutation(100, 3);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...permutation(100, 3)]).toEqual([...p]);
    expect([...permutation(100, 4)]).not.toEqual([...p]);
    const d = parseDigits(csv(70));
    const batches = [...epochBatches(d, 0, 32)];
    expect(batches.map((b) => b.size)).toEqual([32, 32, 6]);
    const labels = batches.flatMap((b) => [...b.y]).sort();
    expect(labels).toEqual([...d.y].sort());
  });
  it("stops running epochs once the budget is spent", async () => {
    let n = 0;
    expect(await runEpochs(10, Number.POSITIVE_INFINITY, () => n++)).toBe(10);
    const slow = () => new Promise((r) => setTimeout(r, 20));
    expect(await runEpochs(10, 0.01, slow)).toBe(1);
  });
});
