// `allFinite_f32(p, n)`: 1 when the n float32 values at p are all finite, else 0 (one pass,
// x·0 summed: 0 for finite values, NaN for ±Inf and NaN). The Winograd convolutions check their
// outputs with it: their transforms mix the inputs of a tile, so an Inf or NaN input spoils
// every output of the tile (Inf - Inf), where a direct convolution spoils only the outputs
// whose windows read it; those calls are redone by the direct paths.

import type { ModuleBuilder } from "../asm/moduleBuilder";

/**
 * Emits `allFinite_f32(p, n) -> i32`.
 *
 * @example
 * emitAllFinite(m); // raw.allFinite_f32(ptr, 1000) === 1 unless one is ±Inf or NaN
 */
export function emitAllFinite(m: ModuleBuilder): void {
  m.func(
    { name: "allFinite_f32", params: { p: "i32", n: "i32" }, result: "i32", export: true },
    (b, q) => {
      const zero = b.local("v128");
      const [acc0, acc1] = b.locals("v128", 2);
      const s = b.local("f32");
      const [i, end] = b.locals("i32", 2);
      zero.set(b.v128.const(new Uint8Array(16)));
      acc0.set(zero.get());
      acc1.set(zero.get());
      s.set(b.f32.const(0));
      // two vectors a step
      end.set(b.i32.and(q.n.get(), b.i32.const(~7)));
      b.for(i, 0, end, 8, () => {
        const at = () => b.i32.add(q.p.get(), b.i32.shl(i.get(), b.i32.const(2)));
        acc0.set(b.f32x4.add(acc0.get(), b.f32x4.mul(b.v128.load(at()), zero.get())));
        acc1.set(
          b.f32x4.add(acc1.get(), b.f32x4.mul(b.v128.load(at(), { offset: 16 }), zero.get())),
        );
      });
      b.for(i, end, q.n, 1, () => {
        const at = () => b.i32.add(q.p.get(), b.i32.shl(i.get(), b.i32.const(2)));
        s.set(b.f32.add(s.get(), b.f32.mul(b.f32.load(at()), b.f32.const(0))));
      });
      acc0.set(b.f32x4.add(acc0.get(), acc1.get()));
      // no NaN lane (a NaN is the only value unequal to itself) and a scalar sum equal to itself
      b.i32.and(
        b.i32.eqz(b.v128.anyTrue(b.f32x4.ne(acc0.get(), acc0.get()))),
        b.f32.eq(s.get(), s.get()),
      );
    },
  );
}
