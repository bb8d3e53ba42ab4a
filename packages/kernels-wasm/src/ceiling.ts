// The calling thread's SIMD128 f32 arithmetic ceiling: how many GFLOP/s a core sustains when
// every instruction is an f32x4 mul or add of independent chains (the most any SIMD128 kernel
// without fused multiply-add can reach here). Benchmarks divide by it to say how much of the
// core a kernel uses; the library itself never needs it.

import { ModuleBuilder } from "./asm/moduleBuilder";
import { wasmApi } from "./wasmApi";

/** Independent chains: 7 of mul and 7 of add, enough to cover each op's latency on the pipes. */
const CHAINS = 14;
/** Steps of the loop body per iteration (each step one op per chain). */
const UNROLL = 4;

let peakFn: ((n: number) => number) | undefined;

function build(): (n: number) => number {
  const m = new ModuleBuilder();
  m.func({ name: "peak", params: { n: "i32" }, result: "f32", export: true }, (b, p) => {
    const xs = b.locals("v128", CHAINS);
    const one = b.local("v128");
    const tiny = b.local("v128");
    one.set(b.f32x4.splat(b.f32.const(1)));
    tiny.set(b.f32x4.splat(b.f32.const(1e-30)));
    for (const x of xs) x.set(b.f32x4.splat(b.f32.const(1)));
    const i = b.local("i32");
    b.for(i, 0, p.n, 1, () => {
      for (let r = 0; r < UNROLL; r++) {
        xs.forEach((x, j) => {
          x.set(
            j < CHAINS / 2 ? b.f32x4.mul(x.get(), one.get()) : b.f32x4.add(x.get(), tiny.get()),
          );
        });
      }
    });
    b.f32x4.extractLane(
      0,
      xs.slice(1).reduce((v, x) => b.f32x4.add(v, x.get()), xs[0]!.get()),
    );
  });
  const api = wasmApi();
  const inst = new api.Instance(new api.Module(m.toBytes()), {});
  return inst.exports.peak as (n: number) => number;
}

/**
 * Measures the SIMD128 f32 mul+add ceiling of the calling thread in GFLOP/s: the best of
 * `runs` timed loops of `iterations` steps (each 14 independent f32x4 ops, 4 flops each).
 *
 * @example
 * simdCeilingGflops(); // e.g. 46.9 on one core of a 2-core Xeon
 */
export function simdCeilingGflops(runs = 5, iterations = 1e6): number {
  peakFn ??= build();
  peakFn(1000);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    peakFn(iterations);
    best = Math.min(best, performance.now() - t0);
  }
  return (iterations * UNROLL * CHAINS * 4) / (best / 1e3) / 1e9;
}
