/**
 * `Embedding`: a lookup table `weight` [numEmbeddings, embeddingDim] initialized `N(0, 1)` (the
 * `paddingIdx` row zeroed), as PyTorch.
 */
import type { Tensor } from "@x/autograd";
import { ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions } from "./linear.js";
import { pyFloat } from "./repr.js";

/** Options of `Embedding`. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row starts at zero and receives no gradient. */
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  /** Start from this weight instead of a normal draw. */
  weight?: Tensor | null;
  freeze?: boolean;
}

/**
 * Maps integer indices to rows of `weight`.
 * @example new nn.Embedding(7, 3)(x.tensor([[1, 2]], { dtype: "int64" })).shape // [1, 2, 3]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new ValueError("Padding_idx must be within num_embeddings");
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    if (opts.weight) {
      const s = opts.weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim) {
        throw new ValueError("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(opts.weight, !(opts.freeze ?? false));
    } else {
      this.weight = emptyParameter([numEmbeddings, embeddingDim], opts.dtype);
      this.resetParameters();
    }
  }

  /** Creates an embedding from a [num, dim] weight (frozen by default, as PyTorch). */
  static fromPretrained(
    embeddings: Tensor,
    opts: Omit<EmbeddingLayerOptions, "weight"> = {},
  ): Embedding {
    if (embeddings.ndim !== 2)
      throw new ValueError("Embeddings parameter is expected to be 2-dimensional");
    return new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, {
      ...opts,
      weight: embeddings,
      freeze: opts.freeze ?? true,
    });
  }

  /** `N(0, 1)`, then the padding row zeroed. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.data.select(0, this.paddingIdx);
      row.fill_(0);
      row.dispose();
    }
  }

  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}
