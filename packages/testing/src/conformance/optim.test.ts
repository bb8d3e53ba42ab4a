import { describe, expect, it } from "vitest";
import { runOptimConformance, runSchedulerConformance } from "./optim.js";

describe("conformance: optimizers and schedulers", () => {
  it("optim.json: every optimizer moves parameters as PyTorch did", () => {
    const report = runOptimConformance();
    console.log(report.toString());
    expect(report.results.filter((r) => r.status !== "pass")).toEqual([]);
  });

  it("schedulers.json: every scheduler gives PyTorch's learning rates", () => {
    const report = runSchedulerConformance();
    console.log(report.toString());
    expect(report.results.filter((r) => r.status !== "pass")).toEqual([]);
  });
});
