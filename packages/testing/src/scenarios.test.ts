/**
 * The scenarios of ../shared/spec/pytorch-observed.md that need nn/optim, written as a PyTorch
 * user writes them, through the meta-package, with the outputs the spec expects (and the
 * deliberate differences of semantics.md).
 */
import { describe, expect, it } from "vitest";
import * as x from "x";

describe("pytorch-observed scenarios (nn and optim)", () => {
  it("the forum snippet: .data is an NDArray with no requiresGrad at all", () => {
    const t1 = x.rand(2, 4);
    expect(t1.requiresGrad).toBe(false);
    t1.requiresGrad = true;
    expect(t1.requiresGrad).toBe(true);
    const l = new x.nn.Linear(4, 2);
    expect("requiresGrad" in l.weight.data).toBe(false);
    expect(() => {
      (l.weight.data as unknown as { requiresGrad: boolean }).requiresGrad = true;
    }).toThrow(TypeError);
    expect(l.weight.requiresGrad).toBe(true);
    expect(t1).toBeInstanceOf(x.Tensor);
    expect(l.weight).toBeInstanceOf(x.nn.Parameter);
    expect(l.weight.data).toBeInstanceOf(x.NDArray);
  });

  it(".data aliases the parameter's storage", () => {
    const l = new x.nn.Linear(4, 2);
    const a = l.weight.data;
    a.fill_(1);
    expect(l.weight.data.select(0, 0).select(0, 0).item()).toBe(1);
  });

  it("Parameter wraps a tensor, aliases its storage, requires grad by default", () => {
    const t = x.zeros(3);
    const p = new x.nn.Parameter(t);
    expect([p.requiresGrad, p.isLeaf, p instanceof x.Tensor, p.constructor.name]).toEqual([
      true,
      true,
      true,
      "Parameter",
    ]);
    t.data.add_(5);
    expect(p.detach().tolist()).toEqual([5, 5, 5]);
    expect(new x.nn.Parameter(x.ones(2), false).requiresGrad).toBe(false);
    expect(String(new x.nn.Parameter(x.tensor([1.0, 2.0])))).toBe(
      "Parameter containing:\ntensor([1., 2.], requires_grad=True)",
    );
  });

  it("a Module registers Parameters and sub-Modules, not plain tensors", () => {
    class M extends x.nn.Module {
      w = new x.nn.Parameter(x.ones(2));
      t = x.ones(2, { requiresGrad: true });
      sub = new x.nn.Linear(2, 1);
      constructor() {
        super();
        this.registerBuffer("running", x.zeros(2));
      }
      forward(input: x.Tensor) {
        return this.sub(input.mul(this.w));
      }
    }
    const m = new M();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["w", "sub.weight", "sub.bias"]);
    expect([...m.stateDict().keys()]).toEqual(["w", "running", "sub.weight", "sub.bias"]);
    m.requiresGrad_(false);
    expect(m.parameters().map((p) => p.requiresGrad)).toEqual([false, false, false]);
  });

  it("in-place through .data on a saved tensor is caught, naming the parameter (differs from PyTorch)", () => {
    class Net extends x.nn.Module {
      fc1 = new x.nn.Linear(2, 2);
      forward(input: x.Tensor) {
        return this.fc1(input).sigmoid().sum().add(this.fc1.weight.pow(2).sum());
      }
    }
    const net = new Net();
    const out = net(x.ones(1, 2)).sum();
    net.fc1.weight.data.mul_(0);
    expect(() => out.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation/,
    );
    const out2 = net(x.ones(1, 2));
    const y = out2.sum();
    net.fc1.weight.data.add_(1);
    expect(() => y.backward()).toThrow(/fc1\.weight/);
    // A saved view of a parameter (Linear saves weight.t() when its input requires grad) is
    // named through its base.
    const z = net.fc1(x.ones(1, 2, { requiresGrad: true })).sum();
    net.fc1.weight.data.mul_(2);
    expect(() => z.backward()).toThrow(/\(a view of fc1\.weight\)/);
  });

  it("the usual parameter update: under noGrad, or refused on a leaf", () => {
    const lin = new x.nn.Linear(2, 1);
    lin.weight.grad = x.ones(1, 2);
    const before = lin.weight.detach().clone();
    x.noGrad(() => {
      lin.weight.sub_(lin.weight.grad!.mul(0.5));
    });
    const diff = before.sub(lin.weight.detach()).tolist() as number[][];
    expect(diff[0]![0]).toBeCloseTo(0.5, 6);
    expect(diff[0]![1]).toBeCloseTo(0.5, 6);
    expect([lin.weight.requiresGrad, lin.weight.isLeaf]).toEqual([true, true]);
    expect(() => lin.weight.sub_(1)).toThrow(
      "a leaf Variable that requires grad is being used in an in-place operation.",
    );
  });

  it("assigning .data swaps the storage, even to another shape", () => {
    const p = new x.nn.Parameter(x.zeros(2));
    p.data = x.ones(3).data;
    expect([p.shape, p.requiresGrad, p.constructor.name]).toEqual([[3], true, "Parameter"]);
  });

  it("zeroGrad sets grads to null (PyTorch 2 default)", () => {
    const lin = new x.nn.Linear(2, 1);
    lin(x.ones(1, 2)).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    const opt = new x.optim.SGD(lin.parameters(), { lr: 0.1 });
    opt.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    lin(x.ones(1, 2)).sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect(lin.weight.grad!.tolist()).toEqual([[0, 0]]);
  });

  it("optimizer steps keep parameters leaves that require grad, and refuse non-leaves", () => {
    const lin = new x.nn.Linear(2, 1);
    const opt = new x.optim.SGD(lin.parameters(), { lr: 0.1 });
    lin(x.ones(1, 2)).sum().backward();
    const v = lin.weight.version;
    opt.step();
    expect([lin.weight.isLeaf, lin.weight.requiresGrad, lin.weight.version > v]).toEqual([
      true,
      true,
      true,
    ]);
    expect(() => new x.optim.SGD([lin.weight.mul(2)], { lr: 0.1 })).toThrow(
      "can't optimize a non-leaf Tensor",
    );
    expect(() => new x.optim.SGD([], { lr: 0.1 })).toThrow("optimizer got an empty parameter list");
  });

  it("loadStateDict lists missing and unexpected keys and changes nothing when it throws", () => {
    const lin = new x.nn.Linear(4, 3);
    const before = lin.weight.detach().clone().tolist();
    const sd = new Map([
      ["weight", x.zeros(3, 4)],
      ["extra", x.zeros(1)],
    ]);
    expect(() => lin.loadStateDict(sd)).toThrow(
      'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". \n\tUnexpected key(s) in state_dict: "extra". ',
    );
    expect(lin.weight.detach().tolist()).toEqual(before);
    expect(() =>
      lin.loadStateDict(
        new Map([
          ["weight", x.zeros(2, 4)],
          ["bias", x.zeros(3)],
        ]),
      ),
    ).toThrow(
      "size mismatch for weight: copying a param with shape torch.Size([2, 4]) from checkpoint, the shape in current model is torch.Size([3, 4]).",
    );
    expect(lin.weight.detach().tolist()).toEqual(before);
    const r = lin.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(lin.weight.detach().sum().item()).toBe(0);
  });
});
