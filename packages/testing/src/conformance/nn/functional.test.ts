import { describe, expect, it } from "vitest";
import { loadFixture } from "../fixtures.js";
import { Report, runCases } from "../report.js";
import { SKIPS } from "../skips.js";
import type { Tolerance } from "../tensorCase.js";
import { type OpsCase, runFunctionalCase } from "./functional.js";

describe("conformance: ops.json F.* cases through nn.functional", () => {
  it("forward, grads and grad2 match PyTorch for every case", () => {
    const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: OpsCase[] }>("ops.json");
    const cases = fx.cases.filter((c) => c.call.startsWith("F."));
    const report = runCases(new Report("ops.json", "nn.functional: F.*"), cases, SKIPS, (c) =>
      runFunctionalCase(c, fx.tolerance.float32),
    );
    console.log(report.toString());
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.count("pass") + report.count("skip")).toBe(70);
  });
});
