/**
 * Reference random kernels: the generator fills contiguous memory directly; other layouts are
 * filled through a contiguous temporary, in row-major order, as PyTorch does.
 */
import { isFloatingPoint } from "../dtype.js";
import type { RandomKernels } from "../kernels/random.js";
import { NDArray } from "../ndArray.js";
import type { OutArray } from "../random/generator.js";
import { referenceCopy } from "./copy.js";

function filled(out: NDArray, fill: (data: OutArray, offset: number, n: number) => void): void {
  const n = out.numel();
  if (out.isContiguous()) {
    fill(out.typed() as OutArray, out.offset, n);
    return;
  }
  const tmp = NDArray.empty(out.shape, out.dtype);
  fill(tmp.typed() as OutArray, 0, n);
  referenceCopy.copy(tmp, out);
  tmp.dispose();
}

const floatOf = (out: NDArray) => (out.dtype === "float64" ? "float64" : "float32");

export const referenceRandom: RandomKernels = {
  uniform(out, from, to, gen) {
    filled(out, (d, o, n) => gen.uniform_(d, o, n, from, to, floatOf(out)));
  },
  normal(out, mean, std, gen) {
    filled(out, (d, o, n) => gen.normal_(d, o, n, mean, std, floatOf(out)));
  },
  bernoulli(out, p, gen) {
    if (typeof p === "number") {
      filled(out, (d, o, n) => gen.bernoulli_(d, o, n, p, floatOf(out), "float64"));
      return;
    }
    const probs = p.dtype === "float32" || p.dtype === "float64" ? p.contiguous() : null;
    if (probs === null || !isFloatingPoint(p.dtype)) throw new TypeError("bernoulli expects floating probabilities");
    filled(out, (d, o, n) =>
      gen.bernoulliTensor_(d, o, n, probs.typed() as Float32Array | Float64Array, probs.offset),
    );
    probs.dispose();
  },
  randint(out, low, high, gen) {
    filled(out, (d, o, n) => gen.randint_(d, o, n, low, high));
  },
  randperm(out, gen) {
    filled(out, (d, o, n) => gen.randperm(d, o, n));
  },
};
