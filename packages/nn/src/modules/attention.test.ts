/**
 * Attention against PyTorch (reference.json): MultiheadAttention with key padding and additive
 * masks (with and without weights), a pre-norm gelu TransformerEncoder of two copied layers
 * with a final norm; scaled dot-product attention against its definition.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "../index.js";
import { maxDiff, REF } from "../testdata/reference.js";

const values = (t: A.Tensor) => t.data.toArray();

describe("attention", () => {
  it("MultiheadAttention with keyPaddingMask and attnMask", () => {
    A.manualSeed(5);
    const mha = new nn.MultiheadAttention(4, 2);
    const q = A.randn(3, 2, 4);
    const kv = A.randn(5, 2, 4);
    const kpm = A.tensor([
      [false, false, true, false, true],
      [false, false, false, false, false],
    ]);
    const am = A.zeros(3, 5);
    am.data.select(0, 0).select(0, 1).fill_(Number.NEGATIVE_INFINITY);
    const [out, w] = mha(q, kv, kv, { keyPaddingMask: kpm, attnMask: am });
    expect(maxDiff(values(out), REF.mha_mask_out)).toBeLessThan(1e-6);
    expect(w!.shape).toEqual([2, 3, 5]);
    expect(maxDiff(values(w!), REF.mha_mask_w)).toBeLessThan(1e-6);
    const [out2, none] = mha(q, kv, kv, { keyPaddingMask: kpm, needWeights: false });
    expect(none).toBeNull();
    expect(maxDiff(values(out2), REF.mha_noweights_out)).toBeLessThan(1e-6);
  });

  it("TransformerEncoder copies its layer (same weights, no draws) and matches PyTorch", () => {
    A.manualSeed(5);
    const layer = new nn.TransformerEncoderLayer(4, 2, {
      dimFeedforward: 6,
      dropout: 0,
      normFirst: true,
      activation: "gelu",
    });
    const enc = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(4) });
    const x = A.randn(3, 2, 4);
    expect([...enc.stateDict().keys()]).toEqual(REF.enc_keys);
    expect(maxDiff(values(enc(x)), REF.enc_out)).toBeLessThan(2e-6);
    const mask = A.tensor([
      [false, true, false],
      [false, false, false],
    ]);
    expect(maxDiff(values(enc(x, { srcKeyPaddingMask: mask })), REF.enc_mask_out)).toBeLessThan(
      2e-6,
    );
    const sd = enc.stateDict();
    expect(values(sd.get("layers.1.linear1.weight")!)).toEqual(
      values(sd.get("layers.0.linear1.weight")!),
    );
    expect(sd.get("layers.1.linear1.weight")!.data.storage).not.toBe(
      sd.get("layers.0.linear1.weight")!.data.storage,
    );
  });

  it("scaledDotProductAttention is softmax(q kᵀ / √E + mask) v, with a causal option", () => {
    A.manualSeed(2);
    const q = A.randn(2, 3, 4);
    const k = A.randn(2, 5, 4);
    const v = A.randn(2, 5, 6);
    const ref = q.matmul(k.transpose(-2, -1)).div(2).softmax(-1).matmul(v);
    expect(maxDiff(values(nn.F.scaledDotProductAttention(q, k, v)), values(ref))).toBeLessThan(
      1e-6,
    );
    const kk = A.randn(2, 3, 4);
    const vv = A.randn(2, 3, 6);
    const causal = nn.F.scaledDotProductAttention(q, kk, vv, { isCausal: true });
    // The first query attends only to the first key: its output is the first value.
    expect(maxDiff(values(causal.select(1, 0)), values(vv.select(1, 0)))).toBeLessThan(1e-6);
    const boolMask = A.ones([3, 3], { dtype: "bool" }).tril();
    expect(
      maxDiff(
        values(nn.F.scaledDotProductAttention(q, kk, vv, { attnMask: boolMask })),
        values(causal),
      ),
    ).toBe(0);
  });
});
