/**
 * Reference optimizer updates: one loop per rule over the contiguous elements, in doubles;
 * values written to a float32 array are rounded there, and later reads of that element see the
 * rounded value (what PyTorch's float32 state holds). Faster backends reproduce this bit for bit.
 */
import type { OptimKernels } from "../kernels/optim.js";
import type { NDArray } from "../ndArray.js";

type Floats = Float32Array | Float64Array;

/** The `numel()` elements of contiguous `x` from its offset. */
function span(x: NDArray): Floats {
  const t = x.typed() as Floats;
  return t.subarray(x.offset, x.offset + x.numel());
}

export const referenceOptim: OptimKernels = {
  sgdUpdate(param, grad, momentumBuffer, o) {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep } = o;
    const p = span(param);
    const g = span(grad);
    const buf = momentumBuffer === null ? null : span(momentumBuffer);
    for (let i = 0; i < p.length; i++) {
      let d = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) d += weightDecay * p[i]!;
      if (buf !== null) {
        const b = firstStep ? d : momentum * buf[i]! + (1 - dampening) * d;
        buf[i] = b;
        d = nesterov ? d + momentum * buf[i]! : buf[i]!;
      }
      p[i] = p[i]! - lr * d;
    }
  },

  adamUpdate(param, grad, expAvg, expAvgSq, maxExpAvgSq, o) {
    const { lr, beta1, beta2, eps, weightDecay, decoupled, maximize, stepSize, bias2Sqrt } = o;
    const p = span(param);
    const g = span(grad);
    const m = span(expAvg);
    const v = span(expAvgSq);
    const vmax = maxExpAvgSq === null ? null : span(maxExpAvgSq);
    const decay = decoupled ? 1 - lr * weightDecay : 1;
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      let pi = p[i]! * decay;
      if (!decoupled && weightDecay !== 0) gi += weightDecay * pi;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      let vhat = vi;
      if (vmax !== null) {
        vhat = Math.max(vmax[i]!, vi);
        vmax[i] = vhat;
      }
      pi -= (stepSize * mi) / (Math.sqrt(vhat) / bias2Sqrt + eps);
      p[i] = pi;
    }
  },

  rmspropUpdate(param, grad, squareAvg, gradAvg, momentumBuffer, o) {
    const { lr, alpha, eps, weightDecay, momentum, maximize } = o;
    const p = span(param);
    const g = span(grad);
    const sq = span(squareAvg);
    const gavg = gradAvg === null ? null : span(gradAvg);
    const buf = momentumBuffer === null ? null : span(momentumBuffer);
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      const s = alpha * sq[i]! + (1 - alpha) * gi * gi;
      sq[i] = s;
      let avg: number;
      if (gavg !== null) {
        const ga = alpha * gavg[i]! + (1 - alpha) * gi;
        gavg[i] = ga;
        avg = Math.sqrt(s - ga * ga) + eps;
      } else avg = Math.sqrt(s) + eps;
      if (buf !== null) {
        const b = momentum * buf[i]! + gi / avg;
        buf[i] = b;
        p[i] = p[i]! - lr * b;
      } else p[i] = p[i]! - (lr * gi) / avg;
    }
  },

  adagradUpdate(param, grad, sumBuffer, o) {
    const { clr, weightDecay, eps, maximize } = o;
    const p = span(param);
    const g = span(grad);
    const sum = span(sumBuffer);
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      const s = sum[i]! + gi * gi;
      sum[i] = s;
      p[i] = p[i]! - (clr * gi) / (Math.sqrt(s) + eps);
    }
  },

  adamaxUpdate(param, grad, expAvg, expInf, o) {
    const { beta1, beta2, eps, weightDecay, maximize, clr } = o;
    const p = span(param);
    const g = span(grad);
    const m = span(expAvg);
    const u = span(expInf);
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      m[i] = mi;
      const ui = Math.max(u[i]! * beta2, Math.abs(gi) + eps);
      u[i] = ui;
      p[i] = p[i]! - (clr * mi) / ui;
    }
  },

  nadamUpdate(param, grad, expAvg, expAvgSq, o) {
    const { beta1, beta2, eps, weightDecay, maximize, bias2, gradCoef, avgCoef } = o;
    const p = span(param);
    const g = span(grad);
    const m = span(expAvg);
    const v = span(expAvgSq);
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const denom = Math.sqrt(vi / bias2) + eps;
      p[i] = p[i]! + (gradCoef * gi) / denom + (avgCoef * mi) / denom;
    }
  },

  radamUpdate(param, grad, expAvg, expAvgSq, o) {
    const { lr, beta1, beta2, eps, weightDecay, maximize, bias1, bias2, rectified, rect } = o;
    const p = span(param);
    const g = span(grad);
    const m = span(expAvg);
    const v = span(expAvgSq);
    for (let i = 0; i < p.length; i++) {
      let gi = maximize ? -g[i]! : g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const mhat = mi / bias1;
      if (rectified) {
        const adaptive = Math.sqrt(bias2) / (Math.sqrt(vi) + eps);
        p[i] = p[i]! - mhat * lr * adaptive * rect;
      } else p[i] = p[i]! - mhat * lr;
    }
  },
};
