import { describe, expect, it } from "vitest";
import { flopsPerIteration, makeCases } from "./cases.js";
import type { SystemId } from "./protocol.js";
import {
  buildRows,
  type Cell,
  combine,
  fmt,
  formatTable,
  type RoundSample,
  resultLines,
} from "./report.js";

const mm = makeCases({ quick: true, workloads: ["matmul"] })[0]!; // matmul 128³, threaded
const add = makeCases({ quick: true, workloads: ["add"] })[0]!; // µs/op, lower is better
const gflop = (2 * 128 ** 3) / 1e9;

function sample(
  system: SystemId,
  caseId: string,
  seconds: number,
  round = 0,
  threads = 1,
): RoundSample {
  return { system, threads, caseId, status: "ok", seconds, round };
}

const na = (): Cell => ({ status: "na", rounds: 0, note: "one thread" });

describe("combine", () => {
  it("takes the median of the rounds in the case's unit", () => {
    const cell = combine(mm, [
      sample("x-wasm", mm.id, gflop / 10),
      sample("x-wasm", mm.id, gflop / 30, 1),
      sample("x-wasm", mm.id, gflop / 20, 2),
    ]);
    expect(cell.status).toBe("ok");
    expect(cell.value).toBeCloseTo(20);
    expect(cell.rounds).toBe(3);
  });
  it("keeps the notes of measured rounds and says how many failed", () => {
    const cell = combine(mm, [
      { ...sample("x-wasm", mm.id, gflop / 10), note: "raw ops" },
      { system: "x-wasm", threads: 1, caseId: mm.id, status: "error", note: "boom", round: 1 },
    ]);
    expect(cell.value).toBeCloseTo(10);
    expect(cell.note).toBe("raw ops; 1 round(s) failed: boom");
  });
  it("keeps the status and note when no round measured", () => {
    const cell = combine(mm, [
      { system: "x-wasm", threads: 1, caseId: mm.id, status: "notyet", note: "later", round: 0 },
    ]);
    expect(cell).toEqual({ status: "notyet", rounds: 0, note: "later" });
  });
});

describe("buildRows", () => {
  const systems: SystemId[] = ["x-wasm", "x-ref", "pytorch", "tfjs-wasm", "jax-js"];
  const samples = [
    sample("x-wasm", mm.id, gflop / 40),
    sample("x-ref", mm.id, gflop / 1),
    sample("pytorch", mm.id, gflop / 80),
    sample("tfjs-wasm", mm.id, gflop / 30),
    sample("jax-js", mm.id, gflop / 20),
    sample("x-ref", add.id, 0.02), // 2 µs/op
    sample("tfjs-wasm", add.id, 0.03),
    sample("jax-js", add.id, 0.5),
  ];
  const rows = buildRows([mm, add], systems, 2, samples, na);

  it("makes a 1-thread and an all-threads row for threaded cases", () => {
    expect(rows.map((r) => [r.case.id, r.threads])).toEqual([
      [mm.id, 1],
      [mm.id, 2],
      [add.id, 1],
    ]);
    expect(rows[1]!.cells.get("x-wasm")!.status).toBe("na");
  });
  it("ratios x-wasm to the best npm peer and to PyTorch", () => {
    const r = rows[0]!;
    expect(r.x).toBe("x-wasm");
    expect(r.bestPeer).toBe("tfjs-wasm");
    expect(r.vsBestPeer).toBeCloseTo(40 / 30);
    expect(r.vsPytorch).toBeCloseTo(0.5);
  });
  it("falls back to x-ref, and handles lower-is-better units", () => {
    const r = rows[2]!;
    expect(r.x).toBe("x-ref");
    expect(r.bestPeer).toBe("tfjs-wasm");
    expect(r.vsBestPeer).toBeCloseTo(1.5); // 3 µs / 2 µs
    expect(r.vsPytorch).toBeUndefined();
  });
  it("prints the table with statuses, ratios and notes, and JSON lines", () => {
    const text = formatTable(rows, systems);
    expect(text).toContain("matmul 128³, 1 thr (GFLOP/s)");
    expect(text).toContain("1.33×");
    expect(text).toContain("1.50× ref");
    expect(text).toContain("n/a");
    expect(text).toContain("one thread");
    const lines = resultLines(rows).map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === "ratio").length).toBe(rows.length);
    expect(lines.filter((l) => l.type === "median").length).toBe(rows.length * systems.length);
  });
});

describe("fmt", () => {
  it("gives three significant digits", () => {
    expect(fmt(1234.5)).toBe("1235");
    expect(fmt(12.345)).toBe("12.3");
    expect(fmt(1.2345)).toBe("1.23");
    expect(fmt(0.012345)).toBe("0.0123");
  });
});

describe("x/ceil", () => {
  const mlp = makeCases({ quick: true, workloads: ["mlp"] })[0]!;
  it("counts the MLP step's products: forward, weight and input gradients", () => {
    expect(flopsPerIteration(mlp)).toBe(2 * 64 * (784 * 256 * 2 + 256 * 128 * 3 + 128 * 10 * 3));
  });
  it("puts x-wasm's GFLOP/s over the ceiling times the threads", () => {
    const flops = flopsPerIteration(mlp)!;
    const samples = [
      sample("x-wasm", mlp.id, flops / 20e9), // 20 GFLOP/s on 1 thread
      sample("x-wasm", mlp.id, flops / 30e9, 0, 2), // 30 on 2
    ];
    const rows = buildRows([mlp], ["x-wasm"], 2, samples, na, 40);
    expect(rows.map((r) => r.ofCeiling)).toEqual([0.5, 0.375]);
    const text = formatTable(rows, ["x-wasm"], 40);
    expect(text).toContain("50%");
    expect(text).toContain("38%");
    expect(text).toContain("40.0 GFLOP/s per");
    // no ceiling measured: no share
    expect(buildRows([mlp], ["x-wasm"], 2, samples, na)[0]!.ofCeiling).toBeUndefined();
  });
  it("gives no share to cases without a flop count", () => {
    const rows = buildRows([add], ["x-wasm"], 1, [sample("x-wasm", add.id, 0.01)], na, 40);
    expect(rows[0]!.ofCeiling).toBeUndefined();
  });
});
