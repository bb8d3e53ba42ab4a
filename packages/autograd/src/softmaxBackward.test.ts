import { describe, expect, it } from "vitest";
import { autograd, randn, type Tensor, tensor } from "./index.js";
import { logSoftmaxBackwardData, softmaxBackwardData } from "./ops/softmaxBackward.js";

const names = (t: Tensor) => t.gradFn!.nextFunctions.map(([n]) => n?.name ?? null);
const close = (a: Tensor, b: Tensor, tol: number) => {
  const [x, y] = [a.flatten().tolist() as number[], b.flatten().tolist() as number[]];
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => {
    expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (Math.abs(y[i]!) + 1));
  });
};

describe("softmax / log-softmax backward as one op", () => {
  const x = () => randn([2, 3], { dtype: "float64" }).requiresGrad_();

  it("records SoftmaxBackwardDataBackward0 / LogSoftmaxBackwardDataBackward0 as PyTorch", () => {
    // from torch 1.13: grad_fn and next_functions of the gradient under create_graph
    for (const [op, fwd, node] of [
      ["logSoftmax", "LogSoftmaxBackward0", "LogSoftmaxBackwardDataBackward0"],
      ["softmax", "SoftmaxBackward0", "SoftmaxBackwardDataBackward0"],
    ] as const) {
      const a = x();
      const w = randn([2, 3], { dtype: "float64" }).requiresGrad_();
      const [g] = autograd.grad(a[op](1).mul(w).sum(), a, { createGraph: true });
      expect(g!.gradFn!.name).toBe(node);
      expect(names(g!)).toEqual(["MulBackward0", fwd]);
      const [g1] = autograd.grad(a[op](1).sum(), a, { createGraph: true });
      expect(g1!.gradFn!.name).toBe(node);
      expect(names(g1!)).toEqual([null, fwd]);
      const [g2] = autograd.grad(g!.mul(g!).sum(), a, { createGraph: true });
      expect(g2!.gradFn!.name).toBe(node);
      expect(names(g2!)).toEqual([op === "softmax" ? "SubBackward0" : "MulBackward0", fwd]);
    }
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: first derivatives match the composed formulas`, () => {
      const tol = dtype === "float32" ? 2e-6 : 1e-14;
      for (const dim of [0, 1, -1]) {
        const a = randn([4, 7], { dtype }).requiresGrad_();
        const w = randn([4, 7], { dtype });
        const y = a.logSoftmax(dim).detach();
        const s = a.softmax(dim).detach();
        const [gl] = autograd.grad(a.logSoftmax(dim).mul(w).sum(), a);
        const [gs] = autograd.grad(a.softmax(dim).mul(w).sum(), a);
        close(gl!, w.sub(y.exp().mul(w.sum([dim], { keepdim: true }))), tol);
        close(gs!, s.mul(w.sub(w.mul(s).sum([dim], { keepdim: true }))), tol);
      }
    });
  }

  it("second and third derivatives match those through logsumexp and exp/sum", () => {
    const data = [
      [0.5, -1.2, 2, 0.1],
      [-0.3, 0.7, 1.1, -2],
      [3, 0.2, -0.4, 0.9],
    ];
    const w = tensor(
      [
        [1, -0.5, 2, 0.3],
        [0.2, 1.5, -1, 0.8],
        [-0.7, 0.4, 0.6, -1.3],
      ],
      { dtype: "float64" },
    );
    const orders = (f: (t: Tensor) => Tensor) => {
      const a = tensor(data, { dtype: "float64", requiresGrad: true });
      const out: Tensor[] = [];
      let [g] = autograd.grad(f(a).mul(w).sum(), a, { createGraph: true });
      out.push(g!);
      for (let k = 0; k < 2; k++) {
        [g] = autograd.grad(g!.mul(g!).sum(), a, { createGraph: true });
        out.push(g!);
      }
      return out;
    };
    const viaLse = orders((t) => t.sub(t.logsumexp(1, { keepdim: true })));
    const viaOp = orders((t) => t.logSoftmax(1));
    for (const [i, g] of viaOp.entries()) close(g, viaLse[i]!, 1e-10);
    const viaExp = orders((t) => t.exp().div(t.exp().sum([1], { keepdim: true })));
    for (const [i, g] of orders((t) => t.softmax(1)).entries()) close(g, viaExp[i]!, 1e-10);
  });

  it("the ops take 0-d tensors and refuse mismatched shapes", () => {
    const g = tensor(2, { dtype: "float64", requiresGrad: true });
    expect(softmaxBackwardData(g, tensor(1, { dtype: "float64" }), 0).item()).toBe(0);
    expect(logSoftmaxBackwardData(g, tensor(0, { dtype: "float64" }), -1).item()).toBe(0);
    expect(() => softmaxBackwardData(randn([2, 3]), randn([3, 2]), 1)).toThrow(
      "does not equal [3, 2] (while checking arguments for softmax_backward)",
    );
  });
});
