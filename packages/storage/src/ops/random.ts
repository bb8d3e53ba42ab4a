/**
 * Random arrays from PyTorch's CPU generator: after `manualSeed(s)` these give exactly what
 * PyTorch gives (`rand`, `randn`, `randint`, `randperm`, `bernoulli`, `normal_`, `uniform_`).
 */
import { type DType, getDefaultDType, isFloatingPoint } from "../dtype.js";
import { DTypeError, ValueError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { defaultGenerator, type Generator } from "../random/generator.js";
import type { Shape } from "../shape.js";
import { kernels, TORCH_NAME } from "./prepare.js";

function checkFloat(op: string, dtype: DType): void {
  if (!isFloatingPoint(dtype)) {
    throw new DTypeError(`"${op}" not implemented for '${TORCH_NAME[dtype]}'`);
  }
}

/** In place: uniform values in `[from, to)` (`Tensor.uniform_`). */
export function uniform_(x: NDArray, from = 0, to = 1, gen: Generator = defaultGenerator): NDArray {
  checkFloat("check_uniform_bounds", x.dtype);
  if (!(from <= to)) {
    throw new ValueError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  kernels().uniform(x, from, to, gen);
  x.storage.bumpVersion();
  return x;
}

/** In place: normal values (`Tensor.normal_`). */
export function normal_(x: NDArray, mean = 0, std = 1, gen: Generator = defaultGenerator): NDArray {
  checkFloat("normal_kernel_cpu", x.dtype);
  if (!(std >= 0)) throw new ValueError(`normal expects std >= 0.0, but found std ${std}`);
  kernels().normal(x, mean, std, gen);
  x.storage.bumpVersion();
  return x;
}

/** In place: 1 with probability `p`, else 0 (`Tensor.bernoulli_`). */
export function bernoulli_(x: NDArray, p: number | NDArray = 0.5, gen: Generator = defaultGenerator): NDArray {
  if (typeof p === "number" && !(p >= 0 && p <= 1)) {
    throw new ValueError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  }
  kernels().bernoulli(x, p, gen);
  x.storage.bumpVersion();
  return x;
}

/** Uniform `[0, 1)` (`torch.rand`). */
export function rand(shape: Shape, dtype: DType = getDefaultDType(), gen?: Generator): NDArray {
  checkFloat("check_uniform_bounds", dtype);
  const out = NDArray.empty(shape, dtype);
  kernels().uniform(out, 0, 1, gen ?? defaultGenerator);
  return out;
}

/** Standard normal (`torch.randn`). */
export function randn(shape: Shape, dtype: DType = getDefaultDType(), gen?: Generator): NDArray {
  checkFloat("normal_kernel_cpu", dtype);
  const out = NDArray.empty(shape, dtype);
  kernels().normal(out, 0, 1, gen ?? defaultGenerator);
  return out;
}

/** Integers uniform in `[low, high)` (`torch.randint`, int64 by default). */
export function randint(low: number, high: number, shape: Shape, dtype: DType = "int64", gen: Generator = defaultGenerator): NDArray {
  if (!(low < high)) {
    throw new ValueError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  }
  const out = NDArray.empty(shape, dtype);
  kernels().randint(out, low, high, gen);
  return out;
}

/** A random permutation of `0 … n-1` (`torch.randperm`, int64). */
export function randperm(n: number, dtype: DType = "int64", gen: Generator = defaultGenerator): NDArray {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`n must be non-negative, got${n}`);
  const out = NDArray.empty([n], dtype);
  kernels().randperm(out, gen);
  return out;
}

/** 0/1 draws with probabilities `p` (`torch.bernoulli(p)`), in `p`'s dtype. */
export function bernoulli(p: NDArray, gen: Generator = defaultGenerator): NDArray {
  checkFloat("bernoulli", p.dtype);
  const out = NDArray.empty(p.shape, p.dtype);
  kernels().bernoulli(out, p, gen);
  return out;
}
