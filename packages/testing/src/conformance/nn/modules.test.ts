import { describe, expect, it } from "vitest";
import { loadFixture } from "../fixtures.js";
import { Report, runCases } from "../report.js";
import { SKIPS } from "../skips.js";
import type { Tolerance } from "../tensorCase.js";
import { type ModuleCase, runModuleCase } from "./modules.js";

describe("conformance: modules.json", () => {
  it("every layer matches PyTorch: output, input and parameter grads, state, names", () => {
    const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: ModuleCase[] }>(
      "modules.json",
    );
    const report = runCases(new Report("modules.json", "nn"), fx.cases, SKIPS, (c) =>
      runModuleCase(c, fx.tolerance.float32),
    );
    console.log(report.toString());
    expect(report.results.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.count("pass") + report.count("skip")).toBe(fx.cases.length);
  });
});
