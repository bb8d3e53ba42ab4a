/**
 * nn.init: every initializer draws what PyTorch draws after the same seed (bit for bit, except
 * `orthogonal_`, whose QR differs from LAPACK's in the last bit), and every layer's default
 * initialization draws in PyTorch's order.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "./index.js";
import { maxDiff, REF } from "./testdata/reference.js";

const values = (t: A.Tensor) => t.data.toArray();

describe("init", () => {
  it("draws xavier, kaiming and truncated normal values exactly as PyTorch after manualSeed(3)", () => {
    A.manualSeed(3);
    const w = A.empty(3, 5);
    expect(values(nn.init.xavierUniform_(w))).toEqual(REF.xavier_uniform);
    expect(values(nn.init.xavierNormal_(w, 2))).toEqual(REF.xavier_normal);
    nn.init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" });
    expect(values(w)).toEqual(REF.kaiming_normal);
    expect(maxDiff(values(nn.init.truncNormal_(w, 0, 0.5)), REF.trunc_normal)).toBeLessThan(1e-7);
    // orthogonal_ draws its normals next: the stream must still be aligned.
    expect(maxDiff(values(nn.init.orthogonal_(w)), REF.orthogonal)).toBeLessThan(3e-7);
    expect(
      maxDiff(values(nn.init.orthogonal_(A.empty(5, 3), 2)), REF.orthogonal_tall),
    ).toBeLessThan(3e-7);
  });

  it("orthogonal_ gives orthonormal rows (wide) and columns (tall)", () => {
    A.manualSeed(11);
    const wide = nn.init.orthogonal_(A.empty(3, 6));
    const gram = wide.matmul(wide.t()).data.toArray();
    expect(maxDiff(gram, A.eye(3).data.toArray())).toBeLessThan(1e-6);
    const tall = nn.init.orthogonal_(A.empty(6, 2, 1));
    const t2 = tall.reshape([6, 2]);
    expect(maxDiff(t2.t().matmul(t2).data.toArray(), A.eye(2).data.toArray())).toBeLessThan(1e-6);
  });

  it("calculateGain and fans follow PyTorch", () => {
    expect([
      nn.init.calculateGain("leaky_relu", 0.2),
      nn.init.calculateGain("tanh"),
      nn.init.calculateGain("selu"),
    ]).toEqual(REF.gain);
    expect(nn.init.calculateGain("relu")).toBe(Math.SQRT2);
    expect(nn.init.calculateFanInAndFanOut(A.empty(4, 3, 2, 5))).toEqual([30, 40]);
    expect(() => nn.init.calculateFanInAndFanOut(A.empty(3))).toThrow(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
    expect(() => nn.init.calculateGain("swish" as never)).toThrow("Unsupported nonlinearity swish");
  });

  it("fills constants and the identity without recording anything", () => {
    const p = new nn.Parameter(A.empty(2, 3));
    nn.init.constant_(p, 0.5);
    expect(values(p)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    nn.init.eye_(p);
    expect(p.tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
    expect(values(nn.init.zeros_(A.ones(2)))).toEqual([0, 0]);
    expect(values(nn.init.ones_(A.zeros(2)))).toEqual([1, 1]);
  });

  it("every layer's default initialization draws in PyTorch's order", () => {
    const ctors: Record<string, () => nn.Module> = {
      conv_t: () => new nn.ConvTranspose2d(2, 3, 3),
      conv1d: () => new nn.Conv1d(2, 4, 3, { groups: 2 }),
      mha: () => new nn.MultiheadAttention(4, 2),
      gru2: () => new nn.GRU(3, 4, { numLayers: 2, bidirectional: true }),
      lstm_proj: () => new nn.LSTM(3, 4, { projSize: 2 }),
      bilinear: () => new nn.Bilinear(2, 3, 2),
      embpad: () => new nn.Embedding(4, 2, { paddingIdx: 1 }),
    };
    for (const [name, make] of Object.entries(ctors)) {
      A.manualSeed(5);
      const sd = make().stateDict();
      const ref = REF[`init_${name}`]!;
      expect([...sd.keys()], name).toEqual(Object.keys(ref));
      for (const [k, v] of Object.entries(ref))
        expect(values(sd.get(k)!), `${name} ${k}`).toEqual(v);
    }
  });
});
