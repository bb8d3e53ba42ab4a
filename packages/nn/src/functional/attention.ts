/**
 * Attention of `F`: `scaledDotProductAttention` (PyTorch 2's math path) and
 * `multiHeadAttentionForward` (what `nn.MultiheadAttention` runs), composed of autograd ops.
 */

import type { Tensor } from "@x/autograd";
import * as A from "@x/autograd";
import { RuntimeError, ValueError } from "@x/storage";
import { dropout, linear } from "./linear.js";

/** Options of `F.scaledDotProductAttention`. */
export interface SdpaOptions {
  /** Boolean (true = may attend) or additive float mask, broadcast to [..., L, S]. */
  attnMask?: Tensor | null;
  dropoutP?: number;
  /** Each query position attends only to key positions at or before it. */
  isCausal?: boolean;
  /** Defaults to `1 / sqrt(E)`. */
  scale?: number | null;
}

// A boolean "may attend" mask as an additive float mask (0 or -inf).
function additive(mask: Tensor, dtype: Tensor["dtype"]): Tensor {
  if (mask.dtype !== "bool") return mask;
  return A.zeros(mask.shape.slice(), { dtype }).maskedFill(
    mask.logicalNot(),
    Number.NEGATIVE_INFINITY,
  );
}

/**
 * `softmax(q·kᵀ·scale + mask)·v` over the last two dims of [..., L, E] queries and [..., S, E]
 * keys and [..., S, Ev] values.
 * @example F.scaledDotProductAttention(q, k, v, { isCausal: true })
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts: SdpaOptions = {},
): Tensor {
  const e = query.shape[query.ndim - 1]!;
  const L = query.shape[query.ndim - 2]!;
  const S = key.shape[key.ndim - 2]!;
  if (opts.isCausal && opts.attnMask) {
    throw new RuntimeError(
      "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True",
    );
  }
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  const s = Math.sqrt(scale);
  let attn = query.mul(s).matmul(key.transpose(-2, -1).mul(s));
  let mask = opts.attnMask ?? null;
  if (opts.isCausal) mask = A.ones([L, S], { dtype: "bool" }).tril();
  if (mask) attn = attn.add(additive(mask, attn.dtype));
  attn = attn.softmax(-1);
  const p = opts.dropoutP ?? 0;
  if (p > 0) attn = dropout(attn, { p, training: true });
  return attn.matmul(value);
}

/** Keyword options of `F.multiHeadAttentionForward`. */
export interface MhaForwardOptions {
  training?: boolean;
  /** [N, S] (or [S]); true (or -inf) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·H, L, S]; true (or -inf) marks pairs that may not attend. */
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

function inProjection(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  e: number,
  w: Tensor | null,
  b: Tensor | null,
  o: MhaForwardOptions,
): [Tensor, Tensor, Tensor] {
  const bq = b ? b.narrow(0, 0, e) : null;
  const bk = b ? b.narrow(0, e, e) : null;
  const bv = b ? b.narrow(0, 2 * e, e) : null;
  if (o.useSeparateProjWeight) {
    if (!o.qProjWeight || !o.kProjWeight || !o.vProjWeight) {
      throw new ValueError(
        "use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None",
      );
    }
    return [
      linear(q, o.qProjWeight, bq),
      linear(k, o.kProjWeight, bk),
      linear(v, o.vProjWeight, bv),
    ];
  }
  if (!w) throw new ValueError("use_separate_proj_weight is False but in_proj_weight is None");
  if (q === k && k === v) {
    const [pq, pk, pv] = linear(q, w, b).chunk(3, -1) as [Tensor, Tensor, Tensor];
    return [pq, pk, pv];
  }
  const wq = w.narrow(0, 0, e);
  if (k === v) {
    const kvb = b ? b.narrow(0, e, 2 * e) : null;
    const [pk, pv] = linear(k, w.narrow(0, e, 2 * e), kvb).chunk(2, -1) as [Tensor, Tensor];
    return [linear(q, wq, bq), pk, pv];
  }
  return [
    linear(q, wq, bq),
    linear(k, w.narrow(0, e, e), bk),
    linear(v, w.narrow(0, 2 * e, e), bv),
  ];
}

function padLast(mask: Tensor | null): Tensor | null {
  return mask
    ? A.pad(mask.to(mask.dtype === "bool" ? "float32" : mask.dtype), [0, 1]).to(mask.dtype)
    : null;
}

/**
 * Multi-head attention on sequence-first inputs: `query` [L, N, E] (or [L, E]), `key`/`value`
 * [S, N, E]. Returns `[output [L, N, E], weights [N, L, S] (averaged over heads) or null]`.
 * @example const [out, w] = F.multiHeadAttentionForward(q, k, v, 8, 2, inW, inB, null, null, false, 0, outW, outB);
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts: MhaForwardOptions = {},
): [Tensor, Tensor | null] {
  const batched = query.ndim === 3;
  let kpm = opts.keyPaddingMask ?? null;
  if (!batched) {
    [query, key, value] = [query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)];
    if (kpm) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, e] = query.shape as [number, number, number];
  if (e !== embedDimToCheck) {
    throw new RuntimeError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${e}`);
  }
  if (e % numHeads !== 0)
    throw new RuntimeError(`embed_dim ${e} not divisible by num_heads ${numHeads}`);
  const hd = e / numHeads;
  const bh = bsz * numHeads;
  const sameQKV = query === key && key === value;
  let [q, k, v] = inProjection(
    query,
    sameQKV ? query : key,
    sameQKV ? query : value,
    e,
    inProjWeight,
    inProjBias,
    opts,
  );
  let mask = opts.attnMask ?? null;
  if (opts.isCausal && !mask) {
    mask = A.ones([tgtLen, key.shape[0]!], { dtype: "bool" }).triu(1);
  }
  if (mask && mask.ndim === 2) {
    if (mask.shape[0] !== tgtLen || mask.shape[1] !== key.shape[0]) {
      throw new RuntimeError(
        `The shape of the 2D attn_mask is torch.Size([${mask.shape.join(", ")}]), but should be (${tgtLen}, ${key.shape[0]}).`,
      );
    }
    mask = mask.unsqueeze(0);
  }
  if (biasK && biasV) {
    k = A.cat([k, biasK.reshape([1, 1, e]).expand([1, bsz, e])]);
    v = A.cat([v, biasV.reshape([1, 1, e]).expand([1, bsz, e])]);
    mask = padLast(mask);
    kpm = padLast(kpm);
  }
  q = q.reshape([tgtLen, bh, hd]).transpose(0, 1);
  k = (opts.staticK ?? k.reshape([k.shape[0]!, bh, hd]).transpose(0, 1)) as Tensor;
  v = (opts.staticV ?? v.reshape([v.shape[0]!, bh, hd]).transpose(0, 1)) as Tensor;
  if (addZeroAttn) {
    k = A.cat([k, A.zeros([bh, 1, hd], { dtype: k.dtype })], 1);
    v = A.cat([v, A.zeros([bh, 1, hd], { dtype: v.dtype })], 1);
    mask = padLast(mask);
    kpm = padLast(kpm);
  }
  const srcLen = k.shape[1]!;
  if (kpm) {
    const expanded = kpm
      .reshape([bsz, 1, 1, srcLen])
      .expand([bsz, numHeads, 1, srcLen])
      .reshape([bh, 1, srcLen]);
    if (!mask) mask = expanded;
    else if (mask.dtype === "bool" && expanded.dtype === "bool") mask = mask.logicalOr(expanded);
    else mask = additiveBlocked(mask, q.dtype).add(additiveBlocked(expanded, q.dtype));
  }
  if (mask) mask = additiveBlocked(mask, q.dtype);
  const p = opts.training === false ? 0 : dropoutP;
  let weights: Tensor | null = null;
  let out: Tensor;
  if (opts.needWeights ?? true) {
    let attn = q.div(Math.sqrt(hd)).bmm(k.transpose(1, 2));
    if (mask) attn = attn.add(mask);
    attn = attn.softmax(-1);
    if (p > 0) attn = dropout(attn, { p });
    out = attn.bmm(v);
    weights = attn.reshape([bsz, numHeads, tgtLen, srcLen]);
    if (opts.averageAttnWeights ?? true) weights = weights.mean(1);
  } else {
    const m = mask
      ? mask.shape[0] === 1
        ? mask
        : mask.reshape([bsz, numHeads, -1, srcLen])
      : null;
    const o4 = scaledDotProductAttention(
      q.reshape([bsz, numHeads, tgtLen, hd]),
      k.reshape([bsz, numHeads, srcLen, hd]),
      v.reshape([bsz, numHeads, srcLen, hd]),
      { attnMask: m, dropoutP: p },
    );
    out = o4.reshape([bh, tgtLen, hd]);
  }
  out = out.transpose(0, 1).reshape([tgtLen * bsz, e]);
  out = linear(out, outProjWeight, outProjBias).reshape([tgtLen, bsz, e]);
  if (!batched) {
    out = out.squeeze(1);
    if (weights) weights = weights.squeeze(0);
  }
  return [out, weights];
}

// A "blocked" boolean mask (true = may not attend) as an additive float mask.
function additiveBlocked(mask: Tensor, dtype: Tensor["dtype"]): Tensor {
  if (mask.dtype !== "bool") return mask;
  return A.zeros(mask.shape.slice(), { dtype }).maskedFill(mask, Number.NEGATIVE_INFINITY);
}
