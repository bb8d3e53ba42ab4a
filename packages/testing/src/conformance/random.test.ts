import { describe, expect, it } from "vitest";
import { runInitCase } from "./nn/init.js";
import { runRandomConformance } from "./random.js";

describe("conformance: random.json", () => {
  it("reproduces PyTorch's generator exactly, and every layer's default initialization", () => {
    const report = runRandomConformance("storage + nn.init", {
      "init/nn.Linear(4, 3)": runInitCase,
      "init/nn.Conv2d(2, 3, 3)": runInitCase,
      "init/nn.Embedding(5, 2)": runInitCase,
      "init/nn.LayerNorm(3)": runInitCase,
    } as never);
    console.log(report.toString());
    expect(report.results.filter((r) => r.status !== "pass")).toEqual([]);
    expect(report.count("pass")).toBe(14);
  });
});
