/**
 * `TransformerEncoderLayer` (self-attention and feed-forward blocks, post- or pre-norm) and
 * `TransformerEncoder` (copies of one layer, as PyTorch's `deepcopy` makes them: every copy
 * starts with the layer's weights, and copying draws no random numbers).
 */
import type { Tensor } from "@x/autograd";
import { defaultGenerator, RuntimeError } from "@x/storage";
import { ModuleList } from "../containers.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { MultiheadAttention } from "./attention.js";
import { type FactoryOptions, Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";
import { Dropout } from "./shape.js";

/** An activation given by name or as a function (a `Module` is registered as a child). */
export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor);

/** Options of `TransformerEncoderLayer`. */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation | Module;
  layerNormEps?: number;
  batchFirst?: boolean;
  /** Normalize before each block instead of after (default false). */
  normFirst?: boolean;
  bias?: boolean;
}

/** Options of the encoders' `forward`. */
export interface EncoderCallOptions {
  /** [L, L] or [N·H, L, L] attention mask (true or -inf blocks a pair). */
  srcMask?: Tensor | null;
  /** [N, L]: true marks padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

function activationFn(a: Activation | Module): (x: Tensor) => Tensor {
  if (a === "relu") return (x) => F.relu(x);
  if (a === "gelu") return (x) => F.gelu(x);
  if (typeof a === "function") return a as (x: Tensor) => Tensor;
  throw new RuntimeError(`activation should be relu/gelu, not ${String(a)}`);
}

/**
 * One encoder layer: `x + selfAttn(x)` then `x + linear2(dropout(act(linear1(x))))`, each
 * followed (or, with `normFirst`, preceded) by a `LayerNorm`.
 * @example new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true })(x.randn(2, 5, 8))
 */
export class TransformerEncoderLayer extends Module {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  declare activation: Activation | Module;
  readonly #act: (x: Tensor) => Tensor;
  readonly #args: [number, number, TransformerEncoderLayerOptions];

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    this.#args = [dModel, nhead, opts];
    const p = opts.dropout ?? 0.1;
    const dt = opts.dtype ? { dtype: opts.dtype } : {};
    const bias = opts.bias ?? true;
    const ff = opts.dimFeedforward ?? 2048;
    const eps = opts.layerNormEps ?? 1e-5;
    this.selfAttn = new MultiheadAttention(dModel, nhead, {
      dropout: p,
      bias,
      batchFirst: opts.batchFirst ?? false,
      ...dt,
    });
    this.linear1 = new Linear(dModel, ff, { bias, ...dt });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias, ...dt });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, ...dt });
    this.norm2 = new LayerNorm(dModel, { eps, bias, ...dt });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const act = opts.activation ?? "relu";
    if (act instanceof Module) this.registerModule("activation", act);
    else this.activation = act;
    this.#act = activationFn(act);
  }

  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), opts));
      x = x.add(this.ffBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, opts)));
      x = this.norm2(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, opts: EncoderCallOptions): Tensor {
    const [out] = this.selfAttn(x, x, x, {
      attnMask: opts.srcMask ?? null,
      keyPaddingMask: opts.srcKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: opts.isCausal ?? false,
    });
    return this.dropout1(out);
  }

  private ffBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.#act(this.linear1(x)))));
  }

  /** A copy with the same configuration and weights; it draws no random numbers. */
  copy(): TransformerEncoderLayer {
    const state = defaultGenerator.getState();
    const c = new TransformerEncoderLayer(...this.#args);
    defaultGenerator.setState(state);
    c.loadStateDict(this.stateDict());
    c.train(this.training);
    return c;
  }
}

/**
 * `numLayers` copies of `encoderLayer` applied in turn, then `norm` when given.
 * @example new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2), 3)
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(
    encoderLayer: TransformerEncoderLayer,
    numLayers: number,
    opts: { norm?: Module | null } = {},
  ) {
    super();
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.copy()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    let out = src;
    for (const layer of this.layers) out = (layer as TransformerEncoderLayer)(out, opts);
    return this.norm ? (this.norm as unknown as (t: Tensor) => Tensor)(out) : out;
  }
}
