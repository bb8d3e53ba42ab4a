import { describe, expect, it } from "vitest";
import { runRandomConformance } from "./random.js";

describe("conformance: random.json on the raw layer", () => {
  it("reproduces PyTorch's generator exactly", () => {
    const report = runRandomConformance("storage");
    console.log(report.toString());
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.count("pass")).toBeGreaterThanOrEqual(10);
  });
});
