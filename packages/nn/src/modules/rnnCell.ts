/**
 * Single-step recurrent cells `RNNCell`, `LSTMCell`, `GRUCell`: parameters `weight_ih`,
 * `weight_hh`, `bias_ih`, `bias_hh`, initialized `U(±1/√hiddenSize)` as PyTorch; inputs [N, in]
 * or unbatched [in].
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { RuntimeError, ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions } from "./linear.js";
import { pyBool } from "./repr.js";

/** Options of the recurrent cells. */
export interface RnnCellOptions extends FactoryOptions {
  bias?: boolean;
}

abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weightIh: Parameter;
  weightHh: Parameter;
  biasIh: Parameter | null;
  biasHh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, chunks: number, opts: RnnCellOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = opts.bias ?? true;
    this.weightIh = emptyParameter([chunks * hiddenSize, inputSize], opts.dtype);
    this.weightHh = emptyParameter([chunks * hiddenSize, hiddenSize], opts.dtype);
    this.biasIh = this.bias ? emptyParameter([chunks * hiddenSize], opts.dtype) : null;
    this.biasHh = this.bias ? emptyParameter([chunks * hiddenSize], opts.dtype) : null;
    this.resetParameters();
  }

  /** Every parameter `U(-1/√hiddenSize, 1/√hiddenSize)`, in registration order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** The input as [N, in] and whether it was batched. */
  protected batch(input: Tensor): [Tensor, boolean] {
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new ValueError(
        `${this.constructor.name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`,
      );
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RuntimeError(
        `input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`,
      );
    }
    return input.ndim === 1 ? [input.unsqueeze(0), false] : [input, true];
  }

  /** A given state as [N, H], or zeros. */
  protected state(hx: Tensor | null | undefined, batched: boolean, x: Tensor): Tensor {
    if (!hx) return A.zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    return batched ? hx : hx.unsqueeze(0);
  }

  protected gates(x: Tensor, h: Tensor): [Tensor, Tensor] {
    return [F.linear(x, this.weightIh, this.biasIh), F.linear(h, this.weightHh, this.biasHh)];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : `, bias=${pyBool(false)}`}`;
  }
}

/**
 * One Elman step: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)` (or relu).
 * @example new nn.RNNCell(3, 4)(x.randn(2, 3)).shape // [2, 4]
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";

  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: RnnCellOptions & { nonlinearity?: "tanh" | "relu" } = {},
  ) {
    super(inputSize, hiddenSize, 1, opts);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu") {
      throw new ValueError(`Unknown nonlinearity: ${this.nonlinearity}`);
    }
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batch(input);
    const [gi, gh] = this.gates(x, this.state(hx, batched, x));
    const pre = gi.add(gh);
    const h = this.nonlinearity === "tanh" ? pre.tanh() : pre.relu();
    return batched ? h : h.squeeze(0);
  }
}

/**
 * One LSTM step; returns `[h', c']`.
 * @example const [h, c] = new nn.LSTMCell(3, 4)(x.randn(2, 3));
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RnnCellOptions = {}) {
    super(inputSize, hiddenSize, 4, opts);
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, batched] = this.batch(input);
    const h = this.state(hx?.[0], batched, x);
    const c = this.state(hx?.[1], batched, x);
    const [gi, gh] = this.gates(x, h);
    const [i, f, g, o] = gi.add(gh).chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    const h2 = o.sigmoid().mul(c2.tanh());
    return batched ? [h2, c2] : [h2.squeeze(0), c2.squeeze(0)];
  }
}

/**
 * One GRU step: `h' = (1 - z)·n + z·h`.
 * @example new nn.GRUCell(3, 4)(x.randn(2, 3)).shape // [2, 4]
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RnnCellOptions = {}) {
    super(inputSize, hiddenSize, 3, opts);
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batch(input);
    const h = this.state(hx, batched, x);
    const [gi, gh] = this.gates(x, h);
    const [ir, iz, inn] = gi.chunk(3, 1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = gh.chunk(3, 1) as [Tensor, Tensor, Tensor];
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    const h2 = h.sub(n).mul(z).add(n);
    return batched ? h2 : h2.squeeze(0);
  }
}
