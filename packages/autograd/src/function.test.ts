import { describe, expect, it } from "vitest";
import { autograd, type FunctionCtx, ones, type Tensor, tensor, zeros } from "./index.js";

class Scale extends autograd.Function {
  static override forward(ctx: FunctionCtx, x: Tensor, k: number): Tensor {
    ctx.k = k;
    return x.mul(k);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    return [g.mul(ctx.k as number), null];
  }
}

describe("autograd.Function", () => {
  it("passes non-tensor arguments and free-form ctx state; needsInputGrad", () => {
    const x = ones(2, { requiresGrad: true });
    let needs: boolean[] = [];
    class Probe extends autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor, b: Tensor, k: number): Tensor {
        needs = ctx.needsInputGrad;
        return a.mul(b).mul(k);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
        return [g, g, null];
      }
    }
    Probe.apply(x, ones(2), 3);
    expect(needs).toEqual([true, false, false]);
    const y = Scale.apply(x, 3);
    expect(y.gradFn!.name).toBe("ScaleBackward");
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it("checks the number and shape of returned gradients with PyTorch's messages", () => {
    const x = ones(2, { requiresGrad: true });
    class Two extends autograd.Function {
      static override forward(_ctx: FunctionCtx, a: Tensor, k: number): Tensor {
        return a.mul(k);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    expect(() => Two.apply(x, 3).sum().backward()).toThrow(
      "function TwoBackward returned an incorrect number of gradients (expected 2, got 1)",
    );
    class Bad extends autograd.Function {
      static override forward(_ctx: FunctionCtx, a: Tensor): Tensor {
        return a.mul(2);
      }
      static override backward(): Tensor {
        return ones(3);
      }
    }
    expect(() => Bad.apply(x).sum().backward()).toThrow(
      "Function BadBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible with [2]",
    );
    class Bad2 extends autograd.Function {
      static override forward(_ctx: FunctionCtx, a: Tensor, _k: number): Tensor {
        return a.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    expect(() => Bad2.apply(x, 2).sum().backward()).toThrow(
      "function Bad2Backward returned a gradient different than None at position 2, but the corresponding forward input was not a Variable",
    );
  });

  it("markDirty rebases an input modified in place; markNonDifferentiable", () => {
    const x = ones(2, { requiresGrad: true });
    class Dirty extends autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor): Tensor {
        a.mul_(2);
        ctx.markDirty(a);
        return a;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    const y = x.mul(1);
    const z = Dirty.apply(y);
    expect(z).toBe(y);
    expect(y.gradFn!.name).toBe("DirtyBackward");
    z.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);

    class ArgMax extends autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor): Tensor[] {
        const { values, indices } = a.max(0);
        ctx.markNonDifferentiable(indices);
        ctx.saveForBackward(indices);
        return [values, indices];
      }
      static override backward(ctx: FunctionCtx, gv: Tensor, gi: Tensor): Tensor {
        expect(gi.dtype).toBe("int64");
        const [i] = ctx.savedTensors;
        return zeros(3).scatter(0, i!.reshape(1), gv.reshape(1));
      }
    }
    const w = tensor([1, 5, 2], { requiresGrad: true });
    const [v, i] = ArgMax.apply(w) as Tensor[];
    expect([v!.requiresGrad, i!.requiresGrad]).toEqual([true, false]);
    v!.backward();
    expect(w.grad!.tolist()).toEqual([0, 1, 0]);
  });

  it("saved tensors are freed after backward; nothing is recorded without grad", () => {
    class Sq extends autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor): Tensor {
        ctx.saveForBackward(a);
        return a.mul(a);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
        const [a] = ctx.savedTensors;
        return a!.mul(2).mul(g);
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Sq.apply(x);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
    expect(() => y.sum().backward()).toThrow(/Trying to backward through the graph a second time/);
    expect(Sq.apply(ones(2)).requiresGrad).toBe(false);
    // double backward through a Function whose backward uses differentiable ops
    const x2 = tensor([3], { requiresGrad: true });
    const [g] = autograd.grad(Sq.apply(x2), x2, { createGraph: true });
    const [h] = autograd.grad(g!, x2);
    expect([g!.item(), h!.item()]).toEqual([6, 2]);
  });
});
