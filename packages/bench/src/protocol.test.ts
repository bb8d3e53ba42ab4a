import { describe, expect, it } from "vitest";
import { decodeSamples, encodeSample, type Sample } from "./protocol.js";

describe("sample lines", () => {
  it("round-trip, ignoring whatever else a library prints", () => {
    const s: Sample = {
      system: "jax-js",
      threads: 2,
      caseId: "matmul:128",
      status: "ok",
      seconds: 0.5,
      times: [0.5],
    };
    const out = [
      "Hi there from a library",
      encodeSample(s),
      "",
      encodeSample({ ...s, status: "na", note: "no" }),
    ].join("\n");
    const got = decodeSamples(out);
    expect(got).toEqual([s, { ...s, status: "na", note: "no" }]);
  });
});
