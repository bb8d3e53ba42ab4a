import { storageStats } from "@x/storage";
import { describe, expect, it } from "vitest";
import { keep, memory, ones, randn, type Tensor, tensor, tidy } from "./index.js";

describe("memory", () => {
  it("dispose frees the storage once no alias is left, and use afterwards throws", () => {
    const before = storageStats.storages;
    const t = ones(1000);
    expect(storageStats.storages).toBe(before + 1);
    const v = t.view(10, 100);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(storageStats.storages).toBe(before + 1); // the view still holds it
    v.dispose();
    expect(storageStats.storages).toBe(before);
    expect(() => t.add(1)).toThrow("Trying to use a tensor whose memory was disposed");
    expect(String(t)).toBe("tensor(<disposed>)");
  });

  it("using disposes at the end of the block", () => {
    const before = memory().tensors;
    {
      using t = ones(3);
      expect(memory().tensors).toBe(before + 1);
      expect(t.sum().item()).toBe(3);
    }
    // the sum above is a live tensor too; the `using` one is gone
    expect(memory().tensors).toBe(before + 1);
  });

  it("tidy disposes what was created inside and not returned", () => {
    const x = randn(4, { requiresGrad: true });
    const before = memory().tensors;
    const [a, b] = tidy(() => {
      const h = x.mul(2).exp();
      return [h.sum(), h.mean()];
    });
    expect(memory().tensors).toBe(before + 2);
    expect(a!.isDisposed || b!.isDisposed).toBe(false);
  });

  it("backward works after tidy disposed the intermediates (the graph holds its own references)", () => {
    const x = tensor([0.5, 1, 1.5], { requiresGrad: true });
    const loss = tidy(() => x.mul(3).sigmoid().mul(x).sum());
    loss.backward();
    const expected = [0.5, 1, 1.5].map((v) => {
      const s = 1 / (1 + Math.exp(-3 * v));
      return s + v * 3 * s * (1 - s);
    });
    (x.grad!.tolist() as number[]).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i]!, 5);
    });
  });

  it("tidy keeps gradients stored on leaves and tensors marked with keep()", () => {
    const x = ones(3, { requiresGrad: true });
    let kept!: Tensor;
    tidy(() => {
      x.mul(2).sum().backward();
      kept = keep(x.mul(5));
    });
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    expect(kept.tolist()).toEqual([5, 5, 5]);
  });

  it("reports saved tensors until backward releases them, and gradient bytes", () => {
    const base = memory().savedTensors;
    const x = ones(10, { requiresGrad: true });
    const y = x.exp().mul(x).sum();
    expect(memory().savedTensors).toBeGreaterThan(base);
    expect(memory().savedBytes).toBeGreaterThan(0);
    y.backward();
    expect(memory().savedTensors).toBe(base);
    expect(memory().gradBytes).toBeGreaterThanOrEqual(40);
  });

  it("stops counting tensors the garbage collector reclaimed (with their storage)", async () => {
    // Node's own modules, named at run time: this package's types do not include Node's
    const node = (m: string) => import(`node:${m}`);
    (await node("v8")).setFlagsFromString("--expose-gc");
    const gc = (await node("vm")).runInNewContext("gc") as () => void;
    // collects until the counts stay put three times (finalizers run in later tasks)
    const settle = async () => {
      let last = -1;
      let stable = 0;
      for (let i = 0; i < 100 && stable < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
        stable = memory().tensors === last ? stable + 1 : 0;
        last = memory().tensors;
      }
    };
    const base = randn(8);
    await settle();
    const before = memory().tensors;
    const storages = storageStats.storages;
    (() => {
      for (let i = 0; i < 50; i++) base.mul(i).exp().view(2, 4); // never disposed
    })();
    expect(memory().tensors).toBe(before + 150);
    await settle();
    expect(memory().tensors).toBe(before);
    expect(storageStats.storages).toBe(storages);
    expect(base.isDisposed).toBe(false);
  });
});
