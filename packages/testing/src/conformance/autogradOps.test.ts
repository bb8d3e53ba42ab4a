import { describe, expect, it } from "vitest";
import { type OpsCase, runOpsCase, type Tolerance } from "./autogradOps.js";
import { loadFixture } from "./fixtures.js";
import { Report, runCases } from "./report.js";
import { SKIPS } from "./skips.js";

describe("conformance: ops.json at the autograd level (torch.* and Tensor.*)", () => {
  it("forward, grads and grad2 match PyTorch for every case", () => {
    const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: OpsCase[] }>("ops.json");
    const cases = fx.cases.filter(
      (c) => c.call.startsWith("torch.") || c.call.startsWith("Tensor."),
    );
    const report = runCases(
      new Report("ops.json", "autograd: torch.*, Tensor.*"),
      cases,
      SKIPS,
      (c) => runOpsCase(c, fx.tolerance.float32),
    );
    console.log(report.toString());
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.count("pass") + report.count("skip")).toBe(163);
  });
});
