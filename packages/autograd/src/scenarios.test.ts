/**
 * The scenarios of shared/spec/pytorch-observed.md that need no `nn`/`optim`, in TypeScript,
 * with the output PyTorch printed (or this project's documented difference). Scenarios built
 * on `nn.Linear`/`nn.Parameter` are reproduced on plain leaf tensors where the point is the
 * autograd behaviour; the `nn` versions belong to `@x/nn`.
 */
import { binary, copyInto, NDArray, RuntimeError } from "@x/storage";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  autograd,
  enableGrad,
  type FunctionCtx,
  inferenceMode,
  noGrad,
  ones,
  rand,
  setGradEnabled,
  Tensor,
  tensor,
  zeros,
} from "./index.js";

const VERSION_MSG = (shape: string, node: string, now: number, want: number) =>
  `one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [${shape}]], which is output 0 of ${node}, is at version ${now}; expected version ${want} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`;

afterEach(() => vi.restoreAllMocks());

describe("pytorch-observed scenarios", () => {
  it("the forum snippet: requires_grad on a tensor; .data is raw and not extensible", () => {
    const t1 = rand(2, 4);
    expect(t1.requiresGrad).toBe(false);
    t1.requiresGrad = true;
    expect(t1.requiresGrad).toBe(true);
    // differs: `.data` is an NDArray with no autograd state; assigning requiresGrad throws.
    const d = t1.data as unknown as Record<string, unknown>;
    expect(d instanceof NDArray).toBe(true);
    expect(d.requiresGrad).toBeUndefined();
    expect(() => {
      d.requiresGrad = true;
    }).toThrow(TypeError);
    expect(d.requiresGrad).toBeUndefined();
    expect(t1 instanceof Tensor).toBe(true);
  });

  it(".data aliases the tensor's storage: writes through it show in the tensor", () => {
    const w = rand(2, 4, { requiresGrad: true });
    const a = w.data;
    copyInto(a, 1);
    expect(w.select(0, 0).select(0, 0).item()).toBe(1);
  });

  it("how requires_grad spreads", () => {
    const x = ones(2, { requiresGrad: true });
    const c = ones(2);
    const y = x.mul(c);
    expect([y.requiresGrad, y.isLeaf, y.gradFn!.name]).toEqual([true, false, "MulBackward0"]);
    const z = c.mul(2);
    expect([z.requiresGrad, z.isLeaf, z.gradFn]).toEqual([false, true, null]);
  });

  it("only leaves may change requires_grad", () => {
    const x = ones(2, { requiresGrad: true });
    const y = x.mul(2);
    y.requiresGrad = true;
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(new RuntimeError("you can only change requires_grad flags of leaf variables."));
  });

  it("integer tensors cannot require grad", () => {
    expect(() => tensor([1, 2], { dtype: "int64" }).requiresGrad_()).toThrow(
      "only Tensors of floating point dtype can require gradients",
    );
  });

  it("gradients accumulate on leaves; non-leaves keep no .grad unless retainGrad()", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.retainGrad();
    const z = x.mul(x).sum();
    const w = y.sum();
    z.backward();
    w.backward();
    expect([x.grad!.tolist(), y.grad!.tolist()]).toEqual([
      [5, 7],
      [1, 1],
    ]);
    const v = x.mul(2);
    expect(v.grad).toBe(null);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(
      String(warn.mock.calls[0]![0]).slice("UserWarning: ".length, "UserWarning: ".length + 160),
    ).toBe(
      "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed wa",
    );
  });

  it("backward twice through the same graph", () => {
    const x = ones(2, { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(
      "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
    );
  });

  it("backward on a non-scalar needs an explicit gradient", () => {
    const x = ones(2, { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(
      "grad can be implicitly created only for scalar outputs",
    );
  });

  it("no_grad, enable_grad, set_grad_enabled, inference_mode", () => {
    const x = ones(2, { requiresGrad: true });
    let y!: Tensor;
    let z!: Tensor;
    noGrad(() => {
      y = x.mul(2);
      enableGrad(() => {
        z = x.mul(2);
      });
    });
    expect([y.requiresGrad, z.requiresGrad]).toEqual([false, true]);
    setGradEnabled(false, () => expect(x.mul(2).requiresGrad).toBe(false));
    const u = inferenceMode(() => x.mul(2));
    expect([u.requiresGrad, u.isInference()]).toEqual([false, true]);
  });

  it("the same modes as disposables", () => {
    const x = ones(2, { requiresGrad: true });
    {
      using _ = noGrad();
      expect(x.mul(2).requiresGrad).toBe(false);
      {
        using _e = enableGrad();
        expect(x.mul(2).requiresGrad).toBe(true);
      }
      expect(x.mul(2).requiresGrad).toBe(false);
    }
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it("in-place on a leaf that requires grad", () => {
    const x = ones(2, { requiresGrad: true });
    expect(() => x.add_(1)).toThrow(
      "a leaf Variable that requires grad is being used in an in-place operation.",
    );
  });

  it("in-place through .data is caught by the version counter (differs: PyTorch gives [0, 0])", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid();
    binary("mul", y.data, 0, y.data);
    expect(() => y.sum().backward()).toThrow(VERSION_MSG("2", "SigmoidBackward0", 1, 0));
  });

  it("in-place through .detach() is caught by the version counter", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid();
    y.detach().mul_(0);
    expect(y.version).toBe(1);
    expect(y._version).toBe(1);
    expect(() => y.sum().backward()).toThrow(VERSION_MSG("2", "SigmoidBackward0", 1, 0));
  });

  it("in-place on a tensor saved for backward", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.sigmoid();
    y.mul_(2);
    expect(() => y.sum().backward()).toThrow(VERSION_MSG("3", "SigmoidBackward0", 1, 0));
  });

  it("the usual parameter update: under no_grad (on a plain leaf)", () => {
    const w = tensor([[0.25, -0.5]], { requiresGrad: true });
    w.grad = ones(1, 2);
    const before = w.detach().clone();
    noGrad(() => w.sub_(w.grad!.mul(0.5)));
    expect(before.sub(w.detach()).tolist()).toEqual([[0.5, 0.5]]);
    expect([w.requiresGrad, w.isLeaf]).toEqual([true, true]);
    expect(() => w.sub_(1)).toThrow(
      "a leaf Variable that requires grad is being used in an in-place operation.",
    );
  });

  it("assigning .data swaps the storage, even to another shape", () => {
    const p = zeros(2, { requiresGrad: true });
    p.data = ones(3).data;
    expect([p.shape, p.requiresGrad]).toEqual([[3], true]);
    p.data = ones(4);
    expect(p.shape).toEqual([4]);
  });

  it("detach() is a leaf that does not require grad and shares storage", () => {
    const x = ones(2, { requiresGrad: true });
    const d = x.mul(2).detach();
    expect([d.requiresGrad, d.isLeaf, d.gradFn]).toEqual([false, true, null]);
    expect(x.detach().data.storage).toBe(x.data.storage);
  });

  it("tensor hooks see and may replace the gradient", () => {
    const x = ones(3, { requiresGrad: true });
    const h = x.registerHook((g) => g.mul(10));
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([20, 20, 20]);
    h.remove();
    x.grad = null;
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
  });

  it("higher-order gradients with createGraph", () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.pow(3);
    const [g] = autograd.grad(y, x, { createGraph: true });
    const [h] = autograd.grad(g!, x);
    expect([g!.item(), h!.item(), g!.requiresGrad]).toEqual([12, 12, true]);
  });

  it("a custom autograd Function", () => {
    class Square extends autograd.Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
        const [x] = ctx.savedTensors;
        return x!.mul(2).mul(g);
      }
    }
    const x = tensor([3], { requiresGrad: true });
    const y = Square.apply(x);
    y.backward();
    expect([x.grad!.tolist(), y.gradFn!.name]).toEqual([[6], "SquareBackward"]);
  });

  it("grad of a leaf has the leaf's shape and does not itself require grad", () => {
    const w = ones(2, 3, { requiresGrad: true });
    w.mul(2).sum().backward();
    expect([w.grad!.shape, w.grad!.requiresGrad]).toEqual([[2, 3], false]);
  });

  it("printing as PyTorch", () => {
    expect(String(tensor([1, 2], { requiresGrad: true }))).toBe(
      "tensor([1., 2.], requires_grad=True)",
    );
    expect(String(ones(2, { requiresGrad: true }).mul(2))).toBe(
      "tensor([2., 2.], grad_fn=<MulBackward0>)",
    );
    expect(String(tensor(2, { requiresGrad: true }).mul(3))).toBe(
      "tensor(6., grad_fn=<MulBackward0>)",
    );
    expect(String(tensor([1, 2], { dtype: "float64", requiresGrad: true }))).toBe(
      "tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
    );
    expect(String(ones(2, { requiresGrad: true }).sum())).toBe(
      "tensor(2., grad_fn=<SumBackward0>)",
    );
  });
});
