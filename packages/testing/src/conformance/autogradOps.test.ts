import { describe, expect, it } from "vitest";
import { type OpsCase, runOpsCase, type Tolerance } from "./autogradOps.js";
import { loadFixture } from "./fixtures.js";
import { Report } from "./report.js";
import { SKIPS } from "./skips.js";

describe("conformance: ops.json at the autograd level (torch.* and Tensor.*)", () => {
  it("forward, grads and grad2 match PyTorch for every case", () => {
    const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: OpsCase[] }>("ops.json");
    const report = new Report("ops.json", "autograd: torch.*, Tensor.*");
    for (const c of fx.cases) {
      if (!c.call.startsWith("torch.") && !c.call.startsWith("Tensor.")) continue;
      const reason = SKIPS[c.id];
      if (reason) {
        report.skip(c.id, reason);
        continue;
      }
      let d: string | null;
      try {
        d = runOpsCase(c, fx.tolerance.float32);
      } catch (e) {
        d = `threw ${(e as Error).message}`;
      }
      d === null ? report.pass(c.id) : report.fail(c.id, d);
    }
    console.log(report.toString());
    expect(report.results.filter((r) => r.status !== "pass")).toEqual([]);
    expect(report.count("pass")).toBe(163);
  });
});
