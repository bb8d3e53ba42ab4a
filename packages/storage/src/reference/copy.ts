/**
 * Reference copy kernels: strided copy with conversion, fill, flip, triangles.
 */
import type { DType } from "../dtype.js";
import type { CopyKernels } from "../kernels/copy.js";
import { rows } from "./iter.js";

function needsConversion(src: DType, dst: DType): boolean {
  // Typed-array stores already convert float→int32/uint8 (truncating, wrapping); int64 (held in
  // float64) needs truncation and bool needs 0/1.
  return (dst === "int64" && (src === "float32" || src === "float64")) || (dst === "bool" && src !== "bool");
}

export const referenceCopy: CopyKernels = {
  copy(src, dst) {
    const sd = src.typed();
    const dd = dst.typed();
    const convert = needsConversion(src.dtype, dst.dtype);
    const toBool = dst.dtype === "bool";
    const it = rows(dst.shape, dst, src);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      if (!convert) {
        if (it.s0 === 1 && it.s1 === 1) {
          dd.set(sd.subarray(i, i + n) as never, o);
          continue;
        }
        for (let k = 0; k < n; k++) {
          dd[o] = sd[i]!;
          o += it.s0;
          i += it.s1;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const v = sd[i]!;
          dd[o] = toBool ? (v !== 0 ? 1 : 0) : Number.isFinite(v) ? Math.trunc(v) : 0;
          o += it.s0;
          i += it.s1;
        }
      }
    }
  },
  fill(dst, value) {
    const dd = dst.typed();
    const it = rows(dst.shape, dst);
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      if (it.s0 === 1) {
        dd.fill(value, o, o + n);
        continue;
      }
      for (let k = 0; k < n; k++) {
        dd[o] = value;
        o += it.s0;
      }
    }
  },
  flip(x, dims, out) {
    // A reversed view of x: negative strides along `dims`, then a plain strided copy.
    const strides = x.strides.slice();
    let offset = x.offset;
    for (const d of dims) {
      offset += (x.shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
    const rev = x.asStrided(x.shape, strides, offset);
    const xd = x.typed();
    const od = out.typed();
    const it = rows(out.shape, out, rev);
    rev.dispose();
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      for (let k = 0; k < n; k++) {
        od[o] = xd[i]!;
        o += it.s0;
        i += it.s1;
      }
    }
  },
  triangle(x, diagonal, upper, out) {
    const xd = x.typed();
    const od = out.typed();
    const nd = x.shape.length;
    const R = x.shape[nd - 2]!;
    const C = x.shape[nd - 1]!;
    const it = rows(out.shape, out, x);
    // Walk element by element with explicit (row, col) tracking over the last two dims.
    let flat = 0;
    const n = it.n;
    while (it.next()) {
      let o = it.o0;
      let i = it.o1;
      for (let k = 0; k < n; k++, flat++) {
        const c = flat % C;
        const r = Math.floor(flat / C) % R;
        const keep = upper ? c - r >= diagonal : c - r <= diagonal;
        od[o] = keep ? xd[i]! : 0;
        o += it.s0;
        i += it.s1;
      }
    }
  },
};
