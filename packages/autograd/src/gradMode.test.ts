import { describe, expect, it } from "vitest";
import {
  autograd,
  enableGrad,
  inferenceMode,
  isGradEnabled,
  isInferenceModeEnabled,
  noGrad,
  ones,
  setGradEnabled,
} from "./index.js";

describe("grad modes", () => {
  it("nest and restore, also when the function throws", () => {
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      enableGrad(() => {
        expect(isGradEnabled()).toBe(true);
        setGradEnabled(false, () => expect(isGradEnabled()).toBe(false));
        expect(isGradEnabled()).toBe(true);
      });
      expect(isGradEnabled()).toBe(false);
    });
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });

  it("disposable scopes, setGradEnabled applying at once, inferenceMode(false)", () => {
    {
      using _ = setGradEnabled(false);
      expect(isGradEnabled()).toBe(false);
    }
    expect(isGradEnabled()).toBe(true);
    const s = noGrad();
    expect(isGradEnabled()).toBe(false);
    s.exit();
    s.exit();
    expect(isGradEnabled()).toBe(true);
    inferenceMode(() => {
      expect([isGradEnabled(), isInferenceModeEnabled()]).toEqual([false, true]);
      inferenceMode(false, () => expect(isInferenceModeEnabled()).toBe(false));
    });
    expect(isInferenceModeEnabled()).toBe(false);
  });

  it("noGrad results are leaves; enableGrad inside noGrad records", () => {
    const x = ones(2, { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect([y.requiresGrad, y.isLeaf, y.gradFn]).toEqual([false, true, null]);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.gradFn!.name).toBe("MulBackward0");
  });

  it("anomaly detection as a global switch", () => {
    expect(autograd.isAnomalyEnabled()).toBe(false);
    autograd.setDetectAnomaly(true);
    expect(autograd.isAnomalyEnabled()).toBe(true);
    autograd.setDetectAnomaly(false);
    {
      using _ = autograd.detectAnomaly();
      expect(autograd.isAnomalyEnabled()).toBe(true);
    }
    expect(autograd.isAnomalyEnabled()).toBe(false);
  });
});
