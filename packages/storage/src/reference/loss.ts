/**
 * Reference loss kernels: `nllLoss` walks the targets once, reading the one input element each
 * points at; sums run in doubles and are rounded once to the output's dtype (the mean divides
 * the rounded sum by the rounded total weight, as PyTorch divides its two float values). The
 * backward zeroes the gradient and writes one element per target.
 */
import type { LossKernels } from "../kernels/loss.js";
import type { NDArray } from "../ndArray.js";

type Floats = Float32Array | Float64Array;

/** `v` rounded to the dtype of `x`. */
function round(x: NDArray, v: number): number {
  return x.dtype === "float32" ? Math.fround(v) : v;
}

/** Zeroes every element of `x` (3-d, any strides). */
function zero(x: NDArray): void {
  const d = x.typed() as Floats;
  if (x.isContiguous()) {
    d.fill(0, x.offset, x.offset + x.numel());
    return;
  }
  const [n0, n1, n2] = x.shape as [number, number, number];
  const [s0, s1, s2] = x.strides as [number, number, number];
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      const base = x.offset + i * s0 + j * s1;
      for (let k = 0; k < n2; k++) d[base + k * s2] = 0;
    }
  }
}

export const referenceLoss: LossKernels = {
  nllLoss(input, target, weight, ignoreIndex, reduction, out) {
    const x = input.typed() as Floats;
    const t = target.typed() as Float64Array;
    const w = weight === null ? null : (weight.typed() as Floats);
    const o = out.typed() as Floats;
    const [n, , s] = input.shape as [number, number, number];
    const [xs0, xs1, xs2] = input.strides as [number, number, number];
    const [ts0, ts1] = target.strides as [number, number];
    const ws = weight === null ? 0 : weight.strides[0]!;
    const none = reduction === "none";
    const os0 = none ? out.strides[0]! : 0;
    const os1 = none ? out.strides[1]! : 0;
    let sum = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < s; k++) {
        const c = t[target.offset + i * ts0 + k * ts1]!;
        let v = 0;
        if (c !== ignoreIndex) {
          const wc = w === null ? 1 : w[weight!.offset + c * ws]!;
          v = -(wc * x[input.offset + i * xs0 + c * xs1 + k * xs2]!);
          total += wc;
          sum += v;
        }
        if (none) o[out.offset + i * os0 + k * os1] = v;
      }
    }
    const tw = round(input, total);
    if (reduction === "sum") o[out.offset] = sum;
    else if (reduction === "mean") o[out.offset] = round(input, sum) / tw;
    return tw;
  },

  nllLossBackward(gradOut, target, weight, ignoreIndex, reduction, totalWeight, gradIn) {
    zero(gradIn);
    const gi = gradIn.typed() as Floats;
    const go = gradOut.typed() as Floats;
    const t = target.typed() as Float64Array;
    const w = weight === null ? null : (weight.typed() as Floats);
    const [n, , s] = gradIn.shape as [number, number, number];
    const [gs0, gs1, gs2] = gradIn.strides as [number, number, number];
    const [ts0, ts1] = target.strides as [number, number];
    const ws = weight === null ? 0 : weight.strides[0]!;
    const none = reduction === "none";
    const os0 = none ? gradOut.strides[0]! : 0;
    const os1 = none ? gradOut.strides[1]! : 0;
    let g = go[gradOut.offset]!;
    if (reduction === "mean") g = round(gradIn, g / totalWeight);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < s; k++) {
        const c = t[target.offset + i * ts0 + k * ts1]!;
        if (c === ignoreIndex) continue;
        const wc = w === null ? 1 : w[weight!.offset + c * ws]!;
        const gv = none ? go[gradOut.offset + i * os0 + k * os1]! : g;
        gi[gradIn.offset + i * gs0 + c * gs1 + k * gs2] = -(wc * gv);
      }
    }
  },
};
