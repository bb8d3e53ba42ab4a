import { describe, expect, it } from "vitest";
import { runRawOpsConformance } from "./rawOps.js";

describe("conformance: ops.json forward on the raw layer", () => {
  it("every case that maps to a storage primitive matches PyTorch", () => {
    const report = runRawOpsConformance();
    console.log(
      report
        .toString()
        .split("\n")
        .filter((l) => !l.includes("is a composite"))
        .join("\n"),
    );
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.count("pass")).toBeGreaterThan(150);
  });
});
