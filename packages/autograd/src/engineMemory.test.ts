import { storageStats } from "@x/storage";
import { describe, expect, it } from "vitest";
import { autograd, type FunctionCtx, maxPool2d, randn, type Tensor, tensor } from "./index.js";

/** Storages alive now minus `before`. */
const grown = (before: number) => storageStats.storages - before;

describe("engine memory: intermediate gradients are freed as soon as they are consumed", () => {
  it("leaves only the root gradient and the leaf's .grad behind", () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    const y = x.mul(2).exp().mul(x).tanh().sum();
    const before = storageStats.storages;
    y.backward();
    // the implicit ones of the root, and x.grad; every gradient in between is gone
    expect(grown(before)).toBe(2);
    const expected = [0.5, -1, 2].map((v) => {
      const e = Math.exp(2 * v);
      const u = e * v;
      return (1 - Math.tanh(u) ** 2) * (2 * e * v + e);
    });
    (x.grad!.tolist() as number[]).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i]!, 4);
    });
  });

  it("moves an exclusive gradient into .grad, which stays contiguous and accumulates", () => {
    const w = randn(4, 3, { requiresGrad: true });
    const a = randn(5, 3);
    const g1 = autograd.grad(a.matmul(w.t()).sum(), w)[0]!.tolist();
    a.matmul(w.t()).sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
    expect(w.grad!.tolist()).toEqual(g1);
    a.matmul(w.t()).sum().backward();
    expect(w.grad!.tolist()).toEqual(
      (g1 as number[][]).map((r) => r.map((v) => Math.fround(2 * v))),
    );
  });

  it("adds gradients that meet in place without changing them (a + a, a·a)", () => {
    const a = tensor([1.5, -2], { requiresGrad: true });
    a.add(a).mul(a).sum().backward(); // d(2a²) = 4a
    expect(a.grad!.tolist()).toEqual([6, -8]);
  });

  it("keeps what hooks, retained grads and autograd.grad hand to user code valid", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seen: Tensor[] = [];
    const h = x.mul(3);
    h.retainGrad();
    h.registerHook((g) => void seen.push(g));
    const z = h.exp();
    z.gradFn!.registerHook((gradInputs) => void seen.push(gradInputs[0]!));
    z.sum().backward();
    for (const t of seen) expect(t.isDisposed).toBe(false);
    const e = [1, 2, 3].map((v) => Math.fround(Math.exp(3 * v)));
    expect(seen[0]!.tolist()).toEqual(e);
    expect(h.grad!.tolist()).toEqual(e);

    const [g] = autograd.grad(x.mul(x).mul(2).sum(), x);
    expect(g!.isDisposed).toBe(false);
    expect(g!.tolist()).toEqual([4, 8, 12]);
  });

  it("never frees what a custom Function's backward receives", () => {
    const kept: Tensor[] = [];
    class Keep extends autograd.Function {
      static override forward(_ctx: FunctionCtx, t: Tensor): Tensor {
        return t.mul(1);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        kept.push(g);
        return g.mul(2);
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    (Keep.apply(x.mul(3)) as Tensor).mul(x).sum().backward();
    expect(kept[0]!.isDisposed).toBe(false);
    expect(kept[0]!.tolist()).toEqual([1, 2]);
    expect(x.grad!.tolist()).toEqual([2 * 3 * 1 + 3, 2 * 3 * 2 + 6]);
  });

  it("frees a cleared .grad that was never handed out, and keeps one that was", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(x).sum().backward();
    const before = storageStats.storages;
    expect(x._rawGrad!.tolist()).toEqual([2, 4]);
    x.grad = null; // as an optimizer's zeroGrad: nobody else can hold it
    expect(grown(before)).toBe(-1);

    x.mul(x).sum().backward();
    const mine = x.grad!;
    x.grad = null;
    expect(mine.isDisposed).toBe(false);
    expect(mine.tolist()).toEqual([2, 4]);
  });

  it("max pooling's indices are held by the graph alone, and freed by backward", () => {
    const x = randn(1, 2, 4, 4, { requiresGrad: true });
    const before = storageStats.storages;
    const y = maxPool2d(x, 2);
    expect(grown(before)).toBe(2); // values and indices
    y.sum().backward();
    expect(grown(before)).toBe(4); // values, the sum, its gradient (ones) and x.grad
    expect(x.grad!.sum().item()).toBe(8);
  });

  it("records the backward pass as before under createGraph", () => {
    const x = tensor([1.5], { requiresGrad: true });
    const [g] = autograd.grad(x.pow(3).sum(), x, { createGraph: true });
    const [h] = autograd.grad(g!.sum(), x);
    expect(g!.item()).toBeCloseTo(6.75, 5);
    expect(h!.item()).toBeCloseTo(9, 5);
  });
});
