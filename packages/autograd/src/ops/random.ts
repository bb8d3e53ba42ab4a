/**
 * Random in-place fills (`uniform_`, `normal_`, `bernoulli_`) and `bernoulli(p)`, drawn from
 * PyTorch's CPU generator (the default one, or `opts.generator`). The old values do not
 * matter to the result, so the recorded gradient for them is zero (as `fill_`).
 */

import type { Generator } from "@x/storage";
import * as S from "@x/storage";
import type { Tensor } from "../tensor.js";
import { inplace } from "./inplace.js";
import { plain, raw } from "./operands.js";

type Gen = { generator?: Generator };

/** Fills with uniform values in `[from, to)`. @example empty(3).uniform_(-1, 1) */
export function uniform_(self: Tensor, from = 0, to = 1, opts: Gen = {}): Tensor {
  return inplace(
    "fill",
    self,
    { self, value: 0, kind: "uniform" },
    () => void S.uniform_(self.data, from, to, opts.generator),
  );
}

/** Fills with normal values. @example empty(3).normal_(0, 0.02) */
export function normal_(self: Tensor, mean = 0, std = 1, opts: Gen = {}): Tensor {
  return inplace(
    "fill",
    self,
    { self, value: 0, kind: "normal" },
    () => void S.normal_(self.data, mean, std, opts.generator),
  );
}

/** Fills with 1 with probability `p` (a number or a tensor), else 0. */
export function bernoulli_(self: Tensor, p: number | Tensor = 0.5, opts: Gen = {}): Tensor {
  return inplace("fill", self, { self, value: 0, kind: "bernoulli" }, () => {
    S.bernoulli_(self.data, typeof p === "number" ? p : (raw(p) as S.NDArray), opts.generator);
  });
}

/** 0/1 draws with probabilities `p` (not differentiable). @example bernoulli(full([4], 0.5)) */
export function bernoulli(p: Tensor, opts: Gen = {}): Tensor {
  return plain(S.bernoulli(p.data, opts.generator));
}
