/**
 * Recurrent layers against PyTorch (reference.json): a 2-layer bidirectional GRU with an initial
 * state (output, h_n and the input gradient), an unbatched LSTM with projections, a 2-layer
 * relu RNN with dropout between layers; plus shapes and errors.
 */
import * as A from "@x/autograd";
import { describe, expect, it } from "vitest";
import * as nn from "../index.js";
import { maxDiff, REF } from "../testdata/reference.js";

const values = (t: A.Tensor) => t.data.toArray();

describe("recurrent layers", () => {
  it("GRU: 2 layers, bidirectional, given h0 — output, h_n and grad of the input", () => {
    A.manualSeed(5);
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true });
    const x = A.randn(5, 2, 3).requiresGrad_();
    const h0 = A.randn(4, 2, 4);
    const [out, h] = gru(x, h0);
    expect(out.shape).toEqual([5, 2, 8]);
    expect(h.shape).toEqual([4, 2, 4]);
    expect(maxDiff(values(out), REF.gru2_out)).toBeLessThan(1e-6);
    expect(maxDiff(values(h), REF.gru2_h)).toBeLessThan(1e-6);
    out.sum().add(h.pow(2).sum()).backward();
    expect(maxDiff(values(x.grad!), REF.gru2_gx)).toBeLessThan(2e-6);
    expect(gru.namedParameters().map(([n]) => n)).toContain("bias_hh_l1_reverse");
  });

  it("LSTM with projSize on an unbatched input", () => {
    A.manualSeed(5);
    const lstm = new nn.LSTM(3, 4, { projSize: 2 });
    const [out, [h, c]] = lstm(A.randn(4, 3));
    expect([out.shape, h.shape, c.shape]).toEqual([
      [4, 2],
      [1, 2],
      [1, 4],
    ]);
    expect(maxDiff(values(out), REF.lstm_proj_out)).toBeLessThan(1e-6);
    expect(maxDiff(values(h), REF.lstm_proj_h)).toBeLessThan(1e-6);
    expect(maxDiff(values(c), REF.lstm_proj_c)).toBeLessThan(1e-6);
    expect(lstm.namedParameters().map(([n]) => n)).toEqual([
      "weight_ih_l0",
      "weight_hh_l0",
      "bias_ih_l0",
      "bias_hh_l0",
      "weight_hr_l0",
    ]);
  });

  it("RNN (relu) drops out between layers in training, drawing as PyTorch", () => {
    A.manualSeed(5);
    const rnn = new nn.RNN(3, 4, { numLayers: 2, nonlinearity: "relu", dropout: 0.5 });
    const [out] = rnn(A.randn(3, 2, 3));
    expect(maxDiff(values(out), REF.rnn_drop_out)).toBeLessThan(1e-6);
  });

  it("batchFirst layouts and state errors", () => {
    const lstm = new nn.LSTM(3, 5, { batchFirst: true });
    const [out, [h, c]] = lstm(A.randn(2, 7, 3));
    expect([out.shape, h.shape, c.shape]).toEqual([
      [2, 7, 5],
      [1, 2, 5],
      [1, 2, 5],
    ]);
    expect(() => lstm(A.randn(2, 7, 4))).toThrow(
      "input.size(-1) must be equal to input_size. Expected 3, got 4",
    );
    const gru = new nn.GRU(3, 5);
    expect(() => gru(A.randn(7, 2, 3), A.zeros(2, 2, 5))).toThrow(
      "Expected hidden size (1, 2, 5), got [2, 2, 5]",
    );
    expect(() => new nn.RNN(3, 4, { nonlinearity: "gelu" as never })).toThrow(
      /Unknown nonlinearity 'gelu'/,
    );
  });
});

describe("recurrent cells", () => {
  it("LSTMCell, GRUCell and RNNCell (unbatched) match PyTorch after the same seed", () => {
    A.manualSeed(9);
    const lstm = new nn.LSTMCell(3, 4);
    const gru = new nn.GRUCell(3, 4);
    const rnn = new nn.RNNCell(3, 4, { nonlinearity: "relu" });
    const x = A.randn(2, 3);
    const [h, c] = lstm(x);
    expect(maxDiff([...values(h), ...values(c)], REF.cell_lstm)).toBeLessThan(1e-6);
    expect(maxDiff(values(gru(x, h)), REF.cell_gru)).toBeLessThan(1e-6);
    const hr = rnn(x.select(0, 0));
    expect(hr.shape).toEqual([4]);
    expect(maxDiff(values(hr), REF.cell_rnn)).toBeLessThan(1e-6);
    expect(lstm.namedParameters().map(([n]) => n)).toEqual([
      "weight_ih",
      "weight_hh",
      "bias_ih",
      "bias_hh",
    ]);
  });
});
