/**
 * Printing layers as PyTorch prints them (its `repr`, recorded in reference.json).
 */
import { describe, expect, it } from "vitest";
import * as nn from "../index.js";
import { REF } from "../testdata/reference.js";
import { pyFloat, pyTuple } from "./repr.js";

describe("printing", () => {
  it("prints every layer as PyTorch", () => {
    const layers: Record<string, nn.Module> = {
      conv: new nn.Conv2d(2, 3, [3, 2], { stride: 2, padding: 1, bias: false }),
      convs: new nn.Conv2d(2, 3, 3, { padding: "same", paddingMode: "reflect" }),
      convt: new nn.ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 1 }),
      bn: new nn.BatchNorm2d(3),
      ln: new nn.LayerNorm(4),
      gn: new nn.GroupNorm(2, 4),
      emb: new nn.Embedding(7, 3, { paddingIdx: 0 }),
      drop: new nn.Dropout(0.2),
      lrelu: new nn.LeakyReLU(0.2),
      mp: new nn.MaxPool2d(2),
      ap: new nn.AvgPool2d(3, { stride: 2, padding: 1 }),
      aap: new nn.AdaptiveAvgPool2d([3, 2]),
      lstm: new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }),
      gelu: new nn.GELU(),
      sm: new nn.Softmax(1),
      flat: new nn.Flatten(),
      up: new nn.Upsample({ scaleFactor: 2 }),
      mha: new nn.MultiheadAttention(4, 2),
      seq: new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3)),
      elu: new nn.ELU(),
      ht: new nn.Hardtanh(),
      bn_none: new nn.BatchNorm1d(3, { momentum: null, eps: 1e-3 }),
      tel: new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 }),
    };
    for (const [k, m] of Object.entries(layers)) expect(String(m), k).toBe(REF.repr[k]);
  });

  it("spells Python floats and tuples", () => {
    expect([pyFloat(1e-5), pyFloat(0.1), pyFloat(1), pyFloat(2.5e20), pyFloat(-0.0001)]).toEqual([
      "1e-05",
      "0.1",
      "1.0",
      "2.5e+20",
      "-0.0001",
    ]);
    expect([pyTuple([3]), pyTuple([3, 2])]).toEqual(["(3,)", "(3, 2)"]);
  });
});
