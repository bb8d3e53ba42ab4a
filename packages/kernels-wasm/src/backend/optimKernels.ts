// The optimizer update kernels of the WASM backend on NDArrays: when the parameter, the
// gradient and every state buffer are contiguous arrays of this heap with one float dtype, the
// generated kernel of the rule's variant runs (split over the threads for large parameters;
// each element is independent, so any split gives the same bits); anything else runs the
// reference kernel.

import { type NDArray, type OptimKernels, referenceKernels } from "@x/storage";
import type { FloatDType } from "../kernels/dtype";
import { type OptimFlags, type OptimFn, type OptimRule, optimKernelName } from "../kernels/optim";
import type { WasmKernels } from "../wasmKernels";
import { PARALLEL_MIN_ELEMENTS } from "./elementwiseKernels";
import { kernelDType } from "./layout";

/** The optimizer kernels with a WASM path. */
export const wasmOptimKernels = [
  "sgdUpdate",
  "adamUpdate",
  "rmspropUpdate",
  "adagradUpdate",
  "adamaxUpdate",
  "nadamUpdate",
  "radamUpdate",
] as const;

const BYTES: Record<FloatDType, number> = { f32: 4, f64: 8 };
/** Single-thread cost assumed for the thread decision (ns per f32 element, measured ~0.45–1.8). */
const NS_PER_ELEMENT: Record<OptimRule, number> = {
  sgd: 0.7,
  adam: 2,
  rmsprop: 2,
  adagrad: 1.5,
  adamax: 1.2,
  nadam: 2.5,
  radam: 2,
};

/** The `sign` scalar: the kernels flip the gradient's sign bit when it is negative. */
const sign = (maximize: boolean) => (maximize ? -1 : 1);

/** The optimizer kernels of the backend whose storages are `owns`'s. */
export function optimKernels(
  wasm: WasmKernels,
  owns: (x: NDArray) => boolean,
): Pick<OptimKernels, (typeof wasmOptimKernels)[number]> {
  /** The kernel dtype when every array can take the WASM path, else undefined. */
  const dtypeOf = (param: NDArray, others: readonly (NDArray | null)[]) => {
    const d = kernelDType(param.dtype);
    if (d === undefined || !owns(param) || !param.isContiguous()) return undefined;
    const n = param.numel();
    for (const x of others) {
      if (x === null) continue;
      if (x.dtype !== param.dtype || !owns(x) || !x.isContiguous() || x.numel() !== n) {
        return undefined;
      }
    }
    return d;
  };
  /** Runs a rule's kernel over all elements: streams (null: unused), then scalars. */
  const run = <R extends OptimRule>(
    rule: R,
    flags: OptimFlags<R>,
    d: FloatDType,
    streams: readonly (NDArray | null)[],
    scalars: readonly number[],
  ) => {
    const E = BYTES[d];
    const name = optimKernelName(rule, flags, d);
    const ptrs = streams.map((x) => (x === null ? 0 : x.storage.ptr + x.offset * E));
    const n = streams[0]!.numel();
    if (n < PARALLEL_MIN_ELEMENTS) return (wasm.raw[name] as OptimFn)(...ptrs, n, ...scalars);
    wasm.split(name, n, (n * NS_PER_ELEMENT[rule]) / 1000, 16, (s, len) => [
      ...ptrs.map((p, i) => (streams[i] === null ? 0 : p + s * E)),
      len,
      ...scalars,
    ]);
  };

  return {
    sgdUpdate(param, grad, buf, o) {
      const d = dtypeOf(param, [grad, buf]);
      if (!d) return referenceKernels.sgdUpdate(param, grad, buf, o);
      const momentum = buf !== null;
      const flags = {
        wd: o.weightDecay !== 0,
        momentum,
        first: momentum && o.firstStep,
        nesterov: momentum && o.nesterov,
      };
      run(
        "sgd",
        flags,
        d,
        [param, grad, buf],
        [o.lr, o.momentum, 1 - o.dampening, o.weightDecay, sign(o.maximize)],
      );
    },

    adamUpdate(param, grad, m, v, vmax, o) {
      const d = dtypeOf(param, [grad, m, v, vmax]);
      if (!d) return referenceKernels.adamUpdate(param, grad, m, v, vmax, o);
      const flags = {
        wd: !o.decoupled && o.weightDecay !== 0,
        decoupled: o.decoupled,
        amsgrad: vmax !== null,
      };
      run(
        "adam",
        flags,
        d,
        [param, grad, m, v, vmax],
        [
          o.decoupled ? 1 - o.lr * o.weightDecay : 1,
          o.weightDecay,
          o.beta1,
          1 - o.beta1,
          o.beta2,
          1 - o.beta2,
          o.stepSize,
          o.bias2Sqrt,
          o.eps,
          sign(o.maximize),
        ],
      );
    },

    rmspropUpdate(param, grad, sq, gavg, buf, o) {
      const d = dtypeOf(param, [grad, sq, gavg, buf]);
      if (!d) return referenceKernels.rmspropUpdate(param, grad, sq, gavg, buf, o);
      const flags = { wd: o.weightDecay !== 0, centered: gavg !== null, momentum: buf !== null };
      run(
        "rmsprop",
        flags,
        d,
        [param, grad, sq, gavg, buf],
        [o.lr, o.alpha, 1 - o.alpha, o.eps, o.weightDecay, o.momentum, sign(o.maximize)],
      );
    },

    adagradUpdate(param, grad, sum, o) {
      const d = dtypeOf(param, [grad, sum]);
      if (!d) return referenceKernels.adagradUpdate(param, grad, sum, o);
      run(
        "adagrad",
        { wd: o.weightDecay !== 0 },
        d,
        [param, grad, sum],
        [o.clr, o.weightDecay, o.eps, sign(o.maximize)],
      );
    },

    adamaxUpdate(param, grad, m, u, o) {
      const d = dtypeOf(param, [grad, m, u]);
      if (!d) return referenceKernels.adamaxUpdate(param, grad, m, u, o);
      run(
        "adamax",
        { wd: o.weightDecay !== 0 },
        d,
        [param, grad, m, u],
        [o.beta1, 1 - o.beta1, o.beta2, o.eps, o.weightDecay, o.clr, sign(o.maximize)],
      );
    },

    nadamUpdate(param, grad, m, v, o) {
      const d = dtypeOf(param, [grad, m, v]);
      if (!d) return referenceKernels.nadamUpdate(param, grad, m, v, o);
      run(
        "nadam",
        { wd: o.weightDecay !== 0 },
        d,
        [param, grad, m, v],
        [
          o.beta1,
          1 - o.beta1,
          o.beta2,
          1 - o.beta2,
          o.eps,
          o.weightDecay,
          o.bias2,
          o.gradCoef,
          o.avgCoef,
          sign(o.maximize),
        ],
      );
    },

    radamUpdate(param, grad, m, v, o) {
      const d = dtypeOf(param, [grad, m, v]);
      if (!d) return referenceKernels.radamUpdate(param, grad, m, v, o);
      const flags = { wd: o.weightDecay !== 0, rectified: o.rectified };
      run(
        "radam",
        flags,
        d,
        [param, grad, m, v],
        [
          o.lr,
          o.beta1,
          1 - o.beta1,
          o.beta2,
          1 - o.beta2,
          o.eps,
          o.weightDecay,
          o.bias1,
          Math.sqrt(o.bias2),
          o.rect,
          sign(o.maximize),
        ],
      );
    },
  };
}
