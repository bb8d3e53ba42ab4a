/**
 * Reference sort kernels: each lane along `dim` is copied into a float64 buffer and a
 * permutation is sorted with a comparator that puts NaN last (largest) and breaks ties by
 * index, so the sort is stable in both directions.
 */

import type { SortKernels } from "../kernels/sort.js";
import type { NDArray } from "../ndArray.js";
import { lanes } from "./lanes.js";

/** Sorts each lane of `x` along `dim` and writes the first `k` of it into `values`, `indices`. */
function sortLanes(
  x: NDArray,
  dim: number,
  descending: boolean,
  k: number,
  values: NDArray,
  indices: NDArray,
): void {
  const n = x.shape[dim]!;
  const { count, bases, steps } = lanes(x.shape, dim, [x, values, indices]);
  const [xb, vb, ib] = bases as [Float64Array, Float64Array, Float64Array];
  const [xs, vs, is] = steps as [number, number, number];
  const xd = x.typed();
  const vd = values.typed();
  const id = indices.typed();
  const buf = new Float64Array(n);
  const perm = new Uint32Array(n);
  const sign = descending ? -1 : 1;
  const cmp = (a: number, b: number): number => {
    const va = buf[a]!;
    const vb2 = buf[b]!;
    if (va < vb2) return -sign;
    if (va > vb2) return sign;
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb2);
    if (na !== nb) return na ? sign : -sign;
    return a - b;
  };
  for (let l = 0; l < count; l++) {
    for (let j = 0, i = xb[l]!; j < n; j++, i += xs) {
      buf[j] = xd[i]!;
      perm[j] = j;
    }
    perm.sort(cmp);
    for (let j = 0, v = vb[l]!, o = ib[l]!; j < k; j++, v += vs, o += is) {
      const p = perm[j]!;
      vd[v] = buf[p]!;
      id[o] = p;
    }
  }
}

export const referenceSort: SortKernels = {
  sort(x, dim, descending, values, indices) {
    sortLanes(x, dim, descending, x.shape[dim]!, values, indices);
  },
  topk(x, k, dim, largest, values, indices) {
    sortLanes(x, dim, largest, k, values, indices);
  },
};
