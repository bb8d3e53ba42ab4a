/**
 * Distances of `F`: `cosineSimilarity` and `pairwiseDistance`, composed as PyTorch composes
 * them (so their gradients are PyTorch's).
 */
import { noGrad, type Tensor } from "@x/autograd";

/**
 * Cosine of the angle between `x1` and `x2` along `dim` (default 1): each input is divided by
 * its norm clamped to `eps` (default 1e-8), then the products are summed.
 * @example F.cosineSimilarity(x.randn(3, 4), x.randn(3, 4), { dim: 1 }).shape // [3]
 */
export function cosineSimilarity(
  x1: Tensor,
  x2: Tensor,
  opts: { dim?: number; eps?: number } = {},
): Tensor {
  const dim = opts.dim ?? 1;
  const eps = opts.eps ?? 1e-8;
  const n1 = x1.norm(2, dim, { keepdim: true }).clone();
  const n2 = x2.norm(2, dim, { keepdim: true }).clone();
  // The clamp is not differentiated, as in PyTorch.
  noGrad(() => {
    n1.data.clamp_(eps, null);
    n2.data.clamp_(eps, null);
  });
  return x1.div(n1).mul(x2.div(n2)).sum(dim);
}

/**
 * `‖x1 - x2 + eps‖_p` along the last dim (default p = 2, eps = 1e-6).
 * @example F.pairwiseDistance(x.randn(3, 4), x.randn(3, 4)).shape // [3]
 */
export function pairwiseDistance(
  x1: Tensor,
  x2: Tensor,
  opts: { p?: number; eps?: number; keepdim?: boolean } = {},
): Tensor {
  const last = Math.max(x1.ndim, x2.ndim) - 1;
  return x1
    .sub(x2)
    .add(opts.eps ?? 1e-6)
    .norm(opts.p ?? 2, last, { keepdim: opts.keepdim ?? false });
}
