import { describe, expect, it } from "vitest";
import { detectFeatures } from "./features";
import { wasmApi } from "./wasmApi";

describe("detectFeatures", () => {
  it("finds WebAssembly, SIMD and threads on this Node", () => {
    const f = detectFeatures();
    expect(f.wasm).toBe(true);
    expect(f.simd).toBe(true);
    expect(f.threads).toBe(true);
    expect(f.threadsUnavailableReason).toBeUndefined();
  });

  it("reports relaxed SIMD exactly when the runtime validates f32x4.relaxed_madd", () => {
    // (func (result v128) v128.const 0 ×3, f32x4.relaxed_madd), encoded by hand
    const zeros = () => [0xfd, 0x0c, ...new Array(16).fill(0)];
    const body = [0x00, ...zeros(), ...zeros(), ...zeros(), 0xfd, 0x85, 0x02, 0x0b];
    const bytes = new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b],
      ...[0x03, 0x02, 0x01, 0x00],
      ...[0x0a, body.length + 2, 0x01, body.length, ...body],
    ]);
    expect(detectFeatures().relaxedSimd).toBe(wasmApi().validate(bytes));
  });

  it("caches its answer", () => {
    expect(detectFeatures()).toBe(detectFeatures());
  });
});
