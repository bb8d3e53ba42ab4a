import { describe, expect, it } from "vitest";
import { detectFeatures } from "./features";

describe("detectFeatures", () => {
  it("finds WebAssembly, SIMD and threads on this Node", () => {
    const f = detectFeatures();
    expect(f.wasm).toBe(true);
    expect(f.simd).toBe(true);
    expect(f.threads).toBe(true);
    expect(f.threadsUnavailableReason).toBeUndefined();
  });

  it("reports relaxed SIMD as a boolean and never requires it", () => {
    const f = detectFeatures();
    expect(typeof f.relaxedSimd).toBe("boolean");
    const major = Number((globalThis as { process?: { versions?: { node?: string } } }).process
      ?.versions?.node?.split(".")[0]);
    if (major === 20) expect(f.relaxedSimd).toBe(false);
  });

  it("caches its answer", () => {
    expect(detectFeatures()).toBe(detectFeatures());
  });
});
