/**
 * Recurrent layers `RNN`, `LSTM`, `GRU`: multi-layer, bidirectional, `batchFirst`, dropout
 * between layers, LSTM projections; PyTorch's parameter names (`weight_ih_l0`,
 * `bias_hh_l1_reverse`, `weight_hr_l0`), gate layouts and default initialization (every
 * parameter `U(±1/√hiddenSize)`, in registration order). They return `[output, h]`, or
 * `[output, [h, c]]` for LSTM.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { RuntimeError, ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions } from "./linear.js";
import { pyBool, pyFloat } from "./repr.js";

/** Options of the recurrent layers. */
export interface RnnOptions extends FactoryOptions {
  numLayers?: number;
  bias?: boolean;
  /** Inputs and outputs are [N, L, H] instead of [L, N, H]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
  bidirectional?: boolean;
}

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

interface LayerWeights {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
  wHr: Parameter | null;
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** The shared machinery of `RNN`, `LSTM` and `GRU`. */
export abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  declare weightIhL0: Parameter;
  declare weightHhL0: Parameter;
  declare biasIhL0: Parameter;
  declare biasHhL0: Parameter;
  #layers: LayerWeights[] = [];

  constructor(
    mode: Mode,
    inputSize: number,
    hiddenSize: number,
    opts: RnnOptions & { projSize?: number },
  ) {
    super();
    const dropout = opts.dropout ?? 0;
    if (dropout < 0 || dropout > 1) {
      throw new ValueError(
        "dropout should be a number in range [0, 1] representing the probability of an element being zeroed",
      );
    }
    if (hiddenSize <= 0) throw new ValueError("hidden_size must be greater than zero");
    const projSize = opts.projSize ?? 0;
    if (projSize < 0)
      throw new ValueError("proj_size should be a positive integer or zero to disable projections");
    if (projSize >= hiddenSize)
      throw new ValueError("proj_size has to be smaller than hidden_size");
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = projSize;
    const dirs = this.bidirectional ? 2 : 1;
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    const gate = GATES[mode] * hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const inSize = layer === 0 ? inputSize : realHidden * dirs;
        const sfx = `L${layer}${dir === 1 ? "Reverse" : ""}`;
        const p = (name: string, shape: number[]) => {
          const param = emptyParameter(shape, opts.dtype);
          this.registerParameter(`${name}${sfx}`, param);
          return param;
        };
        const w: LayerWeights = {
          wIh: p("weightIh", [gate, inSize]),
          wHh: p("weightHh", [gate, realHidden]),
          bIh: this.bias ? p("biasIh", [gate]) : null,
          bHh: this.bias ? p("biasHh", [gate]) : null,
          wHr: projSize > 0 ? p("weightHr", [projSize, hiddenSize]) : null,
        };
        this.#layers.push(w);
      }
    }
    this.resetParameters();
  }

  /** Every parameter `U(-1/√hiddenSize, 1/√hiddenSize)`, in registration order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  // One time step of one cell: the new [h, c].
  protected abstract cell(
    gx: Tensor,
    h: Tensor,
    c: Tensor | null,
    w: LayerWeights,
  ): [Tensor, Tensor | null];

  /** Runs every layer and direction over [L, N, in]; returns output, h_n, c_n. */
  protected run(input: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const dirs = this.bidirectional ? 2 : 1;
    const L = input.shape[0]!;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let x = input;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < dirs; dir++) {
        const idx = layer * dirs + dir;
        const w = this.#layers[idx]!;
        let h = h0.select(0, idx);
        let c = c0 ? c0.select(0, idx) : null;
        const gx = F.linear(x, w.wIh, w.bIh);
        const ys = new Array<Tensor>(L);
        for (let s = 0; s < L; s++) {
          const t = dir === 0 ? s : L - 1 - s;
          [h, c] = this.cell(gx.select(0, t), h, c, w);
          ys[t] = h;
        }
        outs.push(A.stack(ys, 0));
        hs.push(h);
        if (c) cs.push(c);
      }
      x = dirs === 2 ? A.cat(outs, 2) : outs[0]!;
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) {
        x = F.dropout(x, { p: this.dropout, training: true });
      }
    }
    return [x, A.stack(hs, 0), c0 ? A.stack(cs, 0) : null];
  }

  /** Checks and orders the input as [L, N, in] (unbatched [L, in] gets N = 1). */
  protected prepare(input: Tensor): [Tensor, boolean] {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ValueError(
        `${this.constructor.name}: Expected input to be 2D or 3D, got ${input.ndim}D instead`,
      );
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RuntimeError(
        `input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`,
      );
    }
    const batched = input.ndim === 3;
    if (!batched) return [input.unsqueeze(1), false];
    return [this.batchFirst ? input.transpose(0, 1) : input, true];
  }

  /** A given initial state, checked and batched, or zeros. */
  protected initialState(
    hx: Tensor | null | undefined,
    batch: number,
    batched: boolean,
    size: number,
    x: Tensor,
  ): Tensor {
    const dirs = this.bidirectional ? 2 : 1;
    const expected = [this.numLayers * dirs, batch, size];
    if (!hx) return A.zeros(expected, { dtype: x.dtype });
    if (hx.ndim !== (batched ? 3 : 2)) {
      throw new RuntimeError(
        `For ${batched ? "batched 3-D" : "unbatched 2-D"} input, hx should also be ${batched ? "3-D" : "2-D"} but got ${hx.ndim}-D tensor`,
      );
    }
    const h = batched ? hx : hx.unsqueeze(1);
    if (h.shape.some((s, i) => s !== expected[i])) {
      throw new RuntimeError(
        `Expected hidden size (${expected.join(", ")}), got ${shapeStr(h.shape)}`,
      );
    }
    return h;
  }

  /** Output back to the caller's layout. */
  protected finish(out: Tensor, batched: boolean): Tensor {
    if (!batched) return out.squeeze(1);
    return this.batchFirst ? out.transpose(0, 1) : out;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(true)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    return s;
  }
}

function hiddenStep(h: Tensor, w: LayerWeights): Tensor {
  return F.linear(h, w.wHh, w.bHh);
}

/**
 * Elman RNN: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)` (or relu).
 * @example const [out, h] = new nn.RNN(3, 4, { batchFirst: true })(x.randn(2, 5, 3));
 */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";

  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: RnnOptions & { nonlinearity?: "tanh" | "relu" } = {},
  ) {
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu")
      throw new ValueError(`Unknown nonlinearity '${nl}'. Select from 'tanh' or 'relu'.`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  protected cell(gx: Tensor, h: Tensor, _c: Tensor | null, w: LayerWeights): [Tensor, null] {
    const pre = gx.add(hiddenStep(h, w));
    return [this.mode === "RNN_TANH" ? pre.tanh() : pre.relu(), null];
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [x, batched] = this.prepare(input);
    const h0 = this.initialState(hx, x.shape[1]!, batched, this.hiddenSize, x);
    const [out, h] = this.run(x, h0, null);
    return [this.finish(out, batched), batched ? h : h.squeeze(1)];
  }

  override extraRepr(): string {
    const s = super.extraRepr();
    return this.nonlinearity === "tanh" ? s : `${s}, nonlinearity=${this.nonlinearity}`;
  }
}

/**
 * Long short-term memory: gates `i, f, g, o` stacked in `weight_ih` [4H, in]; `projSize`
 * projects `h` with `weight_hr`.
 * @example const [out, [h, c]] = new nn.LSTM(3, 4, { batchFirst: true })(x.randn(2, 5, 3));
 */
export class LSTM extends RNNBase {
  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: RnnOptions & { projSize?: number } = {},
  ) {
    super("LSTM", inputSize, hiddenSize, opts);
  }

  protected cell(gx: Tensor, h: Tensor, c: Tensor | null, w: LayerWeights): [Tensor, Tensor] {
    const gates = gx.add(hiddenStep(h, w));
    const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    let h2 = o.sigmoid().mul(c2.tanh());
    if (w.wHr) h2 = F.linear(h2, w.wHr);
    return [h2, c2];
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const [x, batched] = this.prepare(input);
    const n = x.shape[1]!;
    const real = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const h0 = this.initialState(hx?.[0], n, batched, real, x);
    const c0 = this.initialState(hx?.[1], n, batched, this.hiddenSize, x);
    const [out, h, c] = this.run(x, h0, c0);
    const sq = (t: Tensor) => (batched ? t : t.squeeze(1));
    return [this.finish(out, batched), [sq(h), sq(c!)]];
  }
}

/**
 * Gated recurrent unit: gates `r, z, n` stacked in `weight_ih` [3H, in];
 * `h' = (1 - z)·n + z·h`.
 * @example const [out, h] = new nn.GRU(3, 4, { batchFirst: true })(x.randn(2, 5, 3));
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RnnOptions = {}) {
    super("GRU", inputSize, hiddenSize, opts);
  }

  protected cell(gx: Tensor, h: Tensor, _c: Tensor | null, w: LayerWeights): [Tensor, null] {
    const gh = hiddenStep(h, w);
    const [ir, iz, inn] = gx.chunk(3, 1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = gh.chunk(3, 1) as [Tensor, Tensor, Tensor];
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    return [h.sub(n).mul(z).add(n), null];
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const [x, batched] = this.prepare(input);
    const h0 = this.initialState(hx, x.shape[1]!, batched, this.hiddenSize, x);
    const [out, h] = this.run(x, h0, null);
    return [this.finish(out, batched), batched ? h : h.squeeze(1)];
  }
}
