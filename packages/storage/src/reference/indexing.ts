/**
 * Reference index kernels: `indexSelect`, `indexAdd`, `gather`, `scatter`. Each walks lanes
 * along `dim` and reads the index values as plain numbers (int64 lives in a Float64Array,
 * int32 in an Int32Array); the op layer has already checked that they are in range.
 */
import type { IndexKernels } from "../kernels/indexing.js";
import { lanes } from "./lanes.js";

export const referenceIndex: IndexKernels = {
  indexSelect(x, dim, index, out) {
    const { count, bases, steps } = lanes(x.shape, dim, [x, out]);
    const [xb, ob] = bases as [Float64Array, Float64Array];
    const [xs, os] = steps as [number, number];
    const xd = x.typed();
    const od = out.typed();
    const idx = index.toArray();
    const m = idx.length;
    for (let l = 0; l < count; l++) {
      const x0 = xb[l]!;
      for (let j = 0, o = ob[l]!; j < m; j++, o += os) od[o] = xd[x0 + idx[j]! * xs]!;
    }
  },
  indexAdd(out, dim, index, src, alpha) {
    const { count, bases, steps } = lanes(src.shape, dim, [src, out]);
    const [sb, ob] = bases as [Float64Array, Float64Array];
    const [ss, os] = steps as [number, number];
    const sd = src.typed();
    const od = out.typed();
    const idx = index.toArray();
    const m = idx.length;
    for (let l = 0; l < count; l++) {
      const o0 = ob[l]!;
      for (let j = 0, s = sb[l]!; j < m; j++, s += ss) {
        const o = o0 + idx[j]! * os;
        od[o] = od[o]! + alpha * sd[s]!;
      }
    }
  },
  gather(x, dim, index, out) {
    const { count, bases, steps } = lanes(index.shape, dim, [index, out, x]);
    const [ib, ob, xb] = bases as [Float64Array, Float64Array, Float64Array];
    const [is, os, xs] = steps as [number, number, number];
    const n = index.shape[dim]!;
    const id = index.typed();
    const od = out.typed();
    const xd = x.typed();
    for (let l = 0; l < count; l++) {
      const x0 = xb[l]!;
      for (let j = 0, i = ib[l]!, o = ob[l]!; j < n; j++, i += is, o += os) {
        od[o] = xd[x0 + id[i]! * xs]!;
      }
    }
  },
  scatter(out, dim, index, src, reduce) {
    const { count, bases, steps } = lanes(index.shape, dim, [index, src, out]);
    const [ib, sb, ob] = bases as [Float64Array, Float64Array, Float64Array];
    const [is, ss, os] = steps as [number, number, number];
    const n = index.shape[dim]!;
    const id = index.typed();
    const sd = src.typed();
    const od = out.typed();
    const add = reduce === "add";
    for (let l = 0; l < count; l++) {
      const o0 = ob[l]!;
      for (let j = 0, i = ib[l]!, s = sb[l]!; j < n; j++, i += is, s += ss) {
        const o = o0 + id[i]! * os;
        od[o] = add ? od[o]! + sd[s]! : sd[s]!;
      }
    }
  },
};
