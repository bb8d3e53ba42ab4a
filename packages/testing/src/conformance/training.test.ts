import { describe, expect, it } from "vitest";
import { loadFixture } from "./fixtures.js";
import { runTrainingConformance } from "./training.js";

describe("conformance: training-public.json", () => {
  it("every step's loss within PyTorch's tolerance, and the saved weights give the probe logits", () => {
    const report = runTrainingConformance();
    console.log(`${report.toString()}\n  test accuracy (rows 1500–1796): ${report.accuracy}`);
    expect(report.results.filter((r) => r.status !== "pass")).toEqual([]);
    expect(report.count("pass")).toBe(33);
    const fx = loadFixture<{ final_test_accuracy_rows_1500_to_1797: number }>(
      "training-public.json",
    );
    expect(Math.abs(report.accuracy! - fx.final_test_accuracy_rows_1500_to_1797)).toBeLessThan(
      0.01,
    );
  });
});
