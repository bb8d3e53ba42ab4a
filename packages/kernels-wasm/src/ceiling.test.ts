import { describe, expect, it } from "vitest";
import { simdCeilingGflops } from "./ceiling";

describe("simdCeilingGflops", () => {
  it("builds and runs its SIMD128 loop, giving a positive finite rate", () => {
    const rate = simdCeilingGflops(2, 1e5);
    expect(Number.isFinite(rate)).toBe(true);
    expect(rate).toBeGreaterThan(0);
  });
});
