/**
 * `MultiheadAttention`: PyTorch's parameters (`in_proj_weight`, `in_proj_bias`, `out_proj`,
 * optional `bias_k`/`bias_v`, or separate `q/k/v_proj_weight` when key/value sizes differ),
 * initialization (Xavier uniform projections, zero biases) and `batchFirst` handling, over
 * `F.multiHeadAttentionForward`.
 */
import type { Tensor } from "@x/autograd";
import { ValueError } from "@x/storage";
import * as F from "../functional/index.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { emptyParameter, type FactoryOptions, Linear } from "./linear.js";

/** The output projection of `MultiheadAttention` (a `Linear`, named as in PyTorch). */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights (training only). */
  dropout?: number;
  bias?: boolean;
  /** Learned key/value biases appended to the key/value sequences. */
  addBiasKv?: boolean;
  /** A zero key/value appended to the sequences. */
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  /** Inputs and outputs are [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
}

/** Options of `MultiheadAttention.forward`. */
export interface MultiheadAttentionCallOptions {
  /** [N, S]: true (or -inf) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·H, L, S]: true (or -inf) marks pairs that may not attend. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

/**
 * Multi-head attention: `forward(query, key, value)` returns `[output, weights | null]`.
 * @example
 * const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
 * const [out, weights] = mha(q, q, q);
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  declare inProjWeight: Parameter | null;
  declare qProjWeight: Parameter | null;
  declare kProjWeight: Parameter | null;
  declare vProjWeight: Parameter | null;
  declare inProjBias: Parameter | null;
  declare outProj: NonDynamicallyQuantizableLinear;
  declare biasK: Parameter | null;
  declare biasV: Parameter | null;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    if (embedDim <= 0 || numHeads <= 0) {
      throw new ValueError(
        `embed_dim and num_heads must be greater than 0, got embed_dim=${embedDim} and num_heads=${numHeads} instead`,
      );
    }
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    this.addZeroAttn = opts.addZeroAttn ?? false;
    if (this.headDim * numHeads !== embedDim)
      throw new ValueError("embed_dim must be divisible by num_heads");
    const dt = opts.dtype;
    if (this.sameEmbedDim) {
      this.registerParameter("inProjWeight", emptyParameter([3 * embedDim, embedDim], dt));
      this.registerParameter("qProjWeight", null);
      this.registerParameter("kProjWeight", null);
      this.registerParameter("vProjWeight", null);
    } else {
      this.registerParameter("qProjWeight", emptyParameter([embedDim, embedDim], dt));
      this.registerParameter("kProjWeight", emptyParameter([embedDim, this.kdim], dt));
      this.registerParameter("vProjWeight", emptyParameter([embedDim, this.vdim], dt));
      this.registerParameter("inProjWeight", null);
    }
    const bias = opts.bias ?? true;
    this.registerParameter("inProjBias", bias ? emptyParameter([3 * embedDim], dt) : null);
    this.registerModule(
      "outProj",
      new NonDynamicallyQuantizableLinear(embedDim, embedDim, {
        bias,
        ...(dt ? { dtype: dt } : {}),
      }),
    );
    if (opts.addBiasKv) {
      this.registerParameter("biasK", emptyParameter([1, 1, embedDim], dt));
      this.registerParameter("biasV", emptyParameter([1, 1, embedDim], dt));
    } else {
      this.registerParameter("biasK", null);
      this.registerParameter("biasV", null);
    }
    this.resetParameters();
  }

  /** Whether queries, keys and values share one packed projection. */
  get sameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** Xavier uniform projections, zero projection biases, Xavier normal `bias_k`/`bias_v`. */
  resetParameters(): void {
    if (this.inProjWeight) init.xavierUniform_(this.inProjWeight);
    else {
      init.xavierUniform_(this.qProjWeight!);
      init.xavierUniform_(this.kProjWeight!);
      init.xavierUniform_(this.vProjWeight!);
    }
    if (this.inProjBias) {
      init.constant_(this.inProjBias, 0);
      if (this.outProj.bias) init.constant_(this.outProj.bias, 0);
    }
    if (this.biasK) init.xavierNormal_(this.biasK);
    if (this.biasV) init.xavierNormal_(this.biasV);
  }

  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionCallOptions = {},
  ): [Tensor, Tensor | null] {
    const batched = query.ndim === 3;
    if (this.batchFirst && batched) {
      if (key === value) {
        if (query === key) query = key = value = query.transpose(1, 0);
        else {
          query = query.transpose(1, 0);
          key = value = key.transpose(1, 0);
        }
      } else
        [query, key, value] = [query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)];
    }
    const [out, weights] = F.multiHeadAttentionForward(
      query,
      key,
      value,
      this.embedDim,
      this.numHeads,
      this.inProjWeight,
      this.inProjBias,
      this.biasK,
      this.biasV,
      this.addZeroAttn,
      this.dropout,
      this.outProj.weight,
      this.outProj.bias,
      {
        training: this.training,
        keyPaddingMask: opts.keyPaddingMask ?? null,
        needWeights: opts.needWeights ?? true,
        attnMask: opts.attnMask ?? null,
        useSeparateProjWeight: !this.sameEmbedDim,
        qProjWeight: this.qProjWeight,
        kProjWeight: this.kProjWeight,
        vProjWeight: this.vProjWeight,
        averageAttnWeights: opts.averageAttnWeights ?? true,
        isCausal: opts.isCausal ?? false,
      },
    );
    return [this.batchFirst && batched ? out.transpose(1, 0) : out, weights];
  }
}
