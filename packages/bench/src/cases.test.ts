import { describe, expect, it } from "vitest";
import { makeCases, metric, speedup } from "./cases.js";

describe("makeCases", () => {
  it("has every workload of issue 5 at full size", () => {
    const ids = makeCases({ quick: false }).map((c) => c.id);
    expect(ids).toEqual([
      "matmul:128",
      "matmul:256",
      "matmul:512",
      "matmul:1024",
      "mlp",
      "cnn",
      "add:nograd",
      "add:grad",
      "elementwise:1000000",
      "elementwise:10000000",
      "digits:10ep",
    ]);
  });
  it("keeps --quick small", () => {
    const q = makeCases({ quick: true });
    expect(
      Math.max(...q.filter((c) => c.workload === "matmul").map((c) => c.params.n!)),
    ).toBeLessThanOrEqual(256);
    expect(q.find((c) => c.workload === "digits")!.params.epochs).toBe(1);
  });
  it("filters by workload", () => {
    expect(makeCases({ quick: true, workloads: ["add"] }).map((c) => c.id)).toEqual([
      "add:nograd",
      "add:grad",
    ]);
  });
  it("marks the threaded workloads", () => {
    const threaded = makeCases({ quick: false })
      .filter((c) => c.threaded)
      .map((c) => c.workload);
    expect(new Set(threaded)).toEqual(new Set(["matmul", "mlp", "cnn", "elementwise", "digits"]));
  });
});

describe("metric and speedup", () => {
  const [mm] = makeCases({ quick: false, workloads: ["matmul"] });
  const add = makeCases({ quick: false, workloads: ["add"] })[0]!;
  const ew = makeCases({ quick: false, workloads: ["elementwise"] })[0]!;
  it("converts seconds per iteration into the unit", () => {
    expect(metric(mm!, (2 * 128 ** 3) / 1e9)).toBeCloseTo(1); // 1 GFLOP/s
    expect(metric(add, 0.01)).toBeCloseTo(1); // 10,000 ops in 10 ms: 1 µs/op
    expect(metric(ew, 16e6 / 1e9)).toBeCloseTo(1); // 16 bytes per element
  });
  it("is > 1 when the first is faster, whichever way the unit goes", () => {
    expect(speedup(mm!, 20, 10)).toBe(2);
    expect(speedup(add, 1, 2)).toBe(2);
  });
});
