/**
 * Reference padding: for each padded dim a table maps an output coordinate to the input
 * coordinate it copies (reflect, replicate, circular) or to -1 (the constant). The forward
 * copies through the tables; the backward accumulates through the same tables.
 */
import type { PadKernels, PadMode } from "../kernels/pad.js";
import type { NDArray } from "../ndArray.js";
import { elementOffsets } from "./lanes.js";

/** Input coordinate of each output coordinate along a dim of `size` padded by `left`/`right`. */
function coordMap(size: number, left: number, right: number, mode: PadMode): Int32Array {
  const n = size + left + right;
  const map = new Int32Array(n);
  // Circular padding wraps within what is left after negative pads crop the input.
  const crop = Math.max(-left, 0);
  const core = size - crop - Math.max(-right, 0);
  for (let j = 0; j < n; j++) {
    let i = j - left;
    if (mode === "circular" && core > 0) {
      const t = j - Math.max(left, 0);
      i = crop + (((t % core) + core) % core);
    } else if (i < 0 || i >= size) {
      if (mode === "constant" || size === 0 || mode === "circular") i = -1;
      else if (mode === "replicate") i = i < 0 ? 0 : size - 1;
      else i = i < 0 ? -i : 2 * (size - 1) - i;
    }
    map[j] = i;
  }
  return map;
}

/**
 * Walks every element of `out`: calls back with the output offset and the input offset (-1
 * for the constant). Rows of the last dim run in a tight loop.
 */
function walk(
  input: NDArray,
  out: NDArray,
  pads: readonly number[],
  mode: PadMode,
  visit: (o: number, i: number) => void,
): void {
  const nd = out.shape.length;
  const k = pads.length / 2;
  const maps: Int32Array[] = [];
  for (let d = 0; d < nd; d++) {
    const p = nd - 1 - d;
    const size = input.shape[d]!;
    maps.push(
      p < k ? coordMap(size, pads[2 * p]!, pads[2 * p + 1]!, mode) : coordMap(size, 0, 0, mode),
    );
  }
  if (nd === 0) {
    visit(out.offset, input.offset);
    return;
  }
  const last = nd - 1;
  const n = out.shape[last]!;
  const lastMap = maps[last]!;
  const xs = input.strides[last]!;
  const os = out.strides[last]!;
  const outerShape = out.shape.slice(0, last);
  const rowsOut = elementOffsets(outerShape, out.strides.slice(0, last), out.offset);
  const idx = new Array<number>(last).fill(0);
  for (let r = 0; r < rowsOut.length; r++) {
    let base = input.offset;
    let valid = true;
    for (let d = 0; d < last; d++) {
      const i = maps[d]![idx[d]!]!;
      if (i < 0) valid = false;
      base += i * input.strides[d]!;
    }
    const o0 = rowsOut[r]!;
    for (let j = 0; j < n; j++) {
      const i = lastMap[j]!;
      visit(o0 + j * os, valid && i >= 0 ? base + i * xs : -1);
    }
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d]! < outerShape[d]!) break;
      idx[d] = 0;
    }
  }
}

export const referencePad: PadKernels = {
  pad(x, pads, mode, value, out) {
    const xd = x.typed();
    const od = out.typed();
    walk(x, out, pads, mode, (o, i) => {
      od[o] = i < 0 ? value : xd[i]!;
    });
  },
  padBackward(gradOut, pads, mode, gradIn) {
    const gd = gradOut.typed();
    const id = gradIn.typed();
    for (const o of elementOffsets(gradIn.shape, gradIn.strides, gradIn.offset)) id[o] = 0;
    walk(gradIn, gradOut, pads, mode, (o, i) => {
      if (i >= 0) id[i] = id[i]! + gd[o]!;
    });
  },
};
