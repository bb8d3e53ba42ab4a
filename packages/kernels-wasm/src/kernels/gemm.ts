// General matrix multiply C[M,N] (+)= A[M,K] @ B[K,N] as generated WASM: a register-blocked
// SIMD128 micro-kernel (MR rows × NR columns of accumulators held in v128 locals) over packed
// panels, inside GotoBLAS-style cache blocking (NC columns of B, KC of the shared dimension, MC rows
// of A). A and B are read through (row, column) element strides, so transposed operands need no
// copy beyond the packing every block gets anyway; C has unit column stride.

import type { CodeBuilder, FuncRef, Local } from "../asm/codeBuilder";
import type { ModuleBuilder } from "../asm/moduleBuilder";
import type { Val } from "../asm/val";
import { dtypes, type FloatDType, floatOps } from "./dtype";
import { emitPack } from "./pack";

/** Tile and block sizes of one GEMM variant. */
export interface GemmConfig {
  readonly dtype: FloatDType;
  /** Rows of the micro-tile. */
  readonly mr: number;
  /** Columns of the micro-tile, in v128 vectors (NR = nrv × lanes). */
  readonly nrv: number;
  /** Unrolling of the micro-kernel's k loop. */
  readonly kUnroll: number;
  /** Block sizes: rows of A (multiple of mr), shared dimension, columns of B (multiple of NR). */
  readonly mc: number;
  readonly kc: number;
  readonly nc: number;
  /** Accumulate with relaxed-SIMD fused multiply-add (only where the runtime validates it). */
  readonly relaxed?: boolean;
}

/**
 * The tuned configurations (bench/kernels.mjs). 6×8 f32 tiles keep 12 accumulators, 2 B vectors
 * and a broadcast A in the 15 XMM registers V8 allocates (one accumulator spills; 4×8, 5×8 and
 * 4×12 measure within noise; broadcasting A once per product instead, which spills nothing, or
 * loading B once per product measure slower). kUnroll stays 1: TurboFan sinks pure arithmetic
 * below the (effect-ordered) loads of later unrolled steps, which multiplies live registers and
 * spills. kc sets where a dot product's running sum goes through C, so it is part of the
 * results' rounding: kc = 512 (nc = 1024) measured ~5% faster at n = 1024 (half the passes
 * over C, whose rows 4 KB apart share L1 sets) but moves sums past a conv test's tolerance.
 */
export const gemmConfigs: { readonly [D in FloatDType]: GemmConfig } = {
  f32: { dtype: "f32", mr: 6, nrv: 2, kUnroll: 1, mc: 96, kc: 256, nc: 2048 },
  f64: { dtype: "f64", mr: 4, nrv: 2, kUnroll: 1, mc: 64, kc: 256, nc: 1024 },
};

/** Bytes of scratch memory the GEMM of a configuration needs (packed panels and an edge tile). */
export function gemmWorkspaceBytes(cfg: GemmConfig): number {
  const { bytes, lanes } = dtypes[cfg.dtype];
  const nr = cfg.nrv * lanes;
  return (cfg.kc * cfg.nc + cfg.mc * cfg.kc + cfg.mr * nr) * bytes;
}

function min(b: CodeBuilder, x: () => Val<"i32">, y: () => Val<"i32">): Val<"i32"> {
  return b.select(x(), y(), b.i32.ltS(x(), y()));
}

/**
 * Emits the micro-kernel `name(ap, bp, kc, c, ldc, accumulate)`: C[rows×NR] at c (row stride ldc
 * bytes) = (accumulate ? C : 0) + Ap-panel @ Bp-panel over kc steps. `rows` ≤ MR (default MR)
 * computes only the first rows of an MR-wide A panel: the M edge without a scratch tile. `panel`
 * is the width of the packed B panels (default NR): a kernel with a smaller `nrv` reads only the
 * first columns of each, for the N edge.
 */
export function emitMicroKernel(
  m: ModuleBuilder,
  name: string,
  cfg: GemmConfig,
  exported = false,
  rows = cfg.mr,
  panel = cfg.nrv * dtypes[cfg.dtype].lanes,
) {
  return m.func(
    {
      name,
      params: { ap: "i32", bp: "i32", kc: "i32", c: "i32", ldc: "i32", accumulate: "i32" },
      export: exported,
    },
    (b, p) => {
      const t = floatOps(b, cfg.dtype);
      const { bytes: E, lanes: L } = t.info;
      const { mr: PANEL, nrv: NRV, kUnroll: U } = cfg;
      const MR = rows;
      const NR = panel;
      const acc: Local<"v128">[][] = Array.from({ length: MR }, () => b.locals("v128", NRV));
      const bv = b.locals("v128", NRV);
      const av = b.local("v128");
      const [n, row] = b.locals("i32", 2);
      for (const r of acc) for (const a of r) a.set(b.v128.const(new Uint8Array(16)));
      // One k step. A's splat loads use offsets i*E from a pointer bumped every step: V8 hoists
      // (memory base + offset) of splat loads into a register per distinct offset, so offsets must
      // not grow with the unrolling. B's v128 loads fold their offsets into the addressing mode.
      const step = (u: number) => {
        for (let j = 0; j < NRV; j++) {
          bv[j]!.set(b.v128.load(p.bp.get(), { offset: (u * NR + j * L) * E }));
        }
        for (let i = 0; i < MR; i++) {
          av.set(t.loadSplat(p.ap.get(), { offset: i * E }));
          for (let j = 0; j < NRV; j++) {
            const a = acc[i]![j]!;
            if (cfg.relaxed) a.set(t.vec.relaxedMadd(av.get(), bv[j]!.get(), a.get()));
            else a.set(t.vec.add(a.get(), t.vec.mul(av.get(), bv[j]!.get())));
          }
        }
        b.inc(p.ap, PANEL * E);
      };
      // main loop, U steps per iteration
      n.set(b.i32.shrU(p.kc.get(), b.i32.const(Math.log2(U))));
      b.block((done) => {
        b.brIf(done, b.i32.eqz(n.get()));
        b.loop((top) => {
          for (let u = 0; u < U; u++) step(u);
          b.inc(p.bp, U * NR * E);
          n.set(b.i32.sub(n.get(), b.i32.const(1)));
          b.brIf(top, n.get());
        });
      });
      // remaining kc % U steps
      n.set(b.i32.and(p.kc.get(), b.i32.const(U - 1)));
      b.block((done) => {
        b.brIf(done, b.i32.eqz(n.get()));
        b.loop((top) => {
          step(0);
          b.inc(p.bp, NR * E);
          n.set(b.i32.sub(n.get(), b.i32.const(1)));
          b.brIf(top, n.get());
        });
      });
      const store = (withC: boolean) => {
        row.set(p.c.get());
        for (let i = 0; i < MR; i++) {
          for (let j = 0; j < NRV; j++) {
            const off = { offset: j * 16 };
            const v = () =>
              withC ? t.vec.add(b.v128.load(row.get(), off), acc[i]![j]!.get()) : acc[i]![j]!.get();
            b.v128.store(row.get(), v(), off);
          }
          if (i < MR - 1) b.inc(row, p.ldc);
        }
      };
      b.if(
        p.accumulate.get(),
        () => store(true),
        () => store(false),
      );
    },
  );
}

/**
 * Emits `name(tile, c, ldc, mr, nr, accumulate)`: adds or copies an mr×nr corner of a tile (rows
 * of `cfg.nrv` vectors) to C. The convolution's GEMM tiles use it too.
 */
export function emitEdge(m: ModuleBuilder, name: string, cfg: GemmConfig): FuncRef {
  return m.func(
    {
      name,
      params: { tile: "i32", c: "i32", ldc: "i32", mr: "i32", nr: "i32", accumulate: "i32" },
      export: false,
    },
    (b, p) => {
      const t = floatOps(b, cfg.dtype);
      const { bytes: E, lanes: L } = t.info;
      const NR = cfg.nrv * L;
      const [i, j, src, dst] = b.locals("i32", 4);
      b.for(i, 0, p.mr, 1, () => {
        src.set(b.i32.add(p.tile.get(), b.i32.mul(i.get(), b.i32.const(NR * E))));
        dst.set(b.i32.add(p.c.get(), b.i32.mul(i.get(), p.ldc.get())));
        b.for(j, 0, p.nr, 1, () => {
          const x = () => t.load(src.get());
          t.store(
            dst.get(),
            b.select(t.scalar.add(t.load(dst.get()), x()), x(), p.accumulate.get()),
          );
          b.inc(src, E);
          b.inc(dst, E);
        });
      });
    },
  );
}

/**
 * Elements of B packed whole for `gemmPackedB` (`gemmPackB`'s layout): the blocks of NC columns
 * one after another, each k rows of its columns rounded up to NR, as KC-row blocks of NR-wide
 * panels (the panels `gemm` packs per block).
 */
export function gemmPackedBElements(cfg: GemmConfig, n: number, k: number): number {
  const nr = cfg.nrv * dtypes[cfg.dtype].lanes;
  return k * Math.ceil(n / nr) * nr;
}

/**
 * Emits `gemm_<dtype>(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, accumulate, work)`:
 * C = (accumulate ? C : 0) + A @ B, where element (i, j) of X is at `x + (i*rsx + j*csx)*bytes`
 * (C's column stride is 1) and `work` points to `gemmWorkspaceBytes(cfg)` scratch bytes.
 * k = 0 leaves C untouched: the caller zeroes it when not accumulating.
 *
 * Also `gemmPackB_<dtype>(b, rsb, csb, n, k, dst, j0, j1)`, which packs columns [j0, j1) of B
 * (j0 a multiple of NR, j1 too or n) into the whole-B layout of `gemmPackedBElements` at dst,
 * and `gemmPackedB_<dtype>(m, n, k, a, rsa, csa, bp, c, rsc, accumulate, work)`, `gemm` over B
 * packed so (threads share one packing of B and split the rows of A). Both compute every
 * element of C with the same operations in the same order as `gemm`.
 */
export function emitGemm(m: ModuleBuilder, cfg: GemmConfig): FuncRef {
  const { bytes: E, shift, lanes } = dtypes[cfg.dtype];
  const { mr: MR, mc: MC, kc: KC, nc: NC } = cfg;
  const NR = cfg.nrv * lanes;
  if (MC % MR || NC % NR) throw new Error("gemm: mc must divide by mr and nc by nr");
  const d = cfg.dtype;
  const packA = emitPack(m, `gemm_${d}_packA`, d, MR);
  const packB = emitPack(m, `gemm_${d}_packB`, d, NR);
  const kernel = emitMicroKernel(m, `gemm_${d}_kernel`, cfg);
  // kernels for the last rows of an M edge (1 … MR-1 rows), storing straight into C
  const edgeRows = Array.from({ length: MR - 1 }, (_, r) =>
    emitMicroKernel(m, `gemm_${d}_kernel${r + 1}`, cfg, false, r + 1),
  );
  const edge = emitEdge(m, `gemm_${d}_edge`, cfg);
  // the last columns of an N edge of at most one vector: a kernel one vector wide
  const narrow =
    cfg.nrv > 1
      ? emitMicroKernel(m, `gemm_${d}_kernelNarrow`, { ...cfg, nrv: 1 }, false, MR, NR)
      : undefined;
  const min2 = (b: CodeBuilder, x: Val<"i32">, y: Local<"i32">) => {
    const t = b.local("i32");
    t.set(x);
    return b.select(t.get(), y.get(), b.i32.ltS(t.get(), y.get()));
  };
  /** i32 of `x` rounded up to a multiple of NR. */
  const roundNR = (b: CodeBuilder, x: Val<"i32">) =>
    b.i32.and(b.i32.add(x, b.i32.const(NR - 1)), b.i32.const(-NR));

  m.func(
    {
      name: `gemmPackB_${d}`,
      params: {
        b: "i32",
        rsb: "i32",
        csb: "i32",
        n: "i32",
        k: "i32",
        dst: "i32",
        j0: "i32",
        j1: "i32",
      },
    },
    (b, p) => {
      const [jc, nc, pc, kc, lo, hi, ncp] = b.locals("i32", 7);
      const i32 = b.i32;
      const c = (x: number) => i32.const(x);
      const elems = (x: Val<"i32">) => i32.shl(x, c(shift));
      // the NC-column blocks that [j0, j1) meets
      jc.set(i32.mul(i32.divU(p.j0.get(), c(NC)), c(NC)));
      b.for(jc, jc, p.j1, NC, () => {
        nc.set(
          min(
            b,
            () => c(NC),
            () => i32.sub(p.n.get(), jc.get()),
          ),
        );
        ncp.set(roundNR(b, nc.get()));
        lo.set(b.select(p.j0.get(), jc.get(), i32.gtS(p.j0.get(), jc.get())));
        hi.set(min2(b, i32.add(jc.get(), nc.get()), p.j1));
        b.for(pc, 0, p.k, KC, () => {
          kc.set(
            min(
              b,
              () => c(KC),
              () => i32.sub(p.k.get(), pc.get()),
            ),
          );
          const src = () =>
            i32.add(
              p.b.get(),
              elems(i32.add(i32.mul(pc.get(), p.rsb.get()), i32.mul(lo.get(), p.csb.get()))),
            );
          // block (jc, pc) at jc·k + pc·ncp, the panel of column lo at + (lo - jc)·kc
          const at = () =>
            i32.add(
              i32.add(i32.mul(jc.get(), p.k.get()), i32.mul(pc.get(), ncp.get())),
              i32.mul(i32.sub(lo.get(), jc.get()), kc.get()),
            );
          b.call(
            packB,
            src(),
            p.csb.get(),
            p.rsb.get(),
            i32.sub(hi.get(), lo.get()),
            kc.get(),
            i32.add(p.dst.get(), elems(at())),
          );
        });
      });
    },
  );

  const emitBody = (prepacked: boolean) => {
    const params: Record<string, "i32"> = prepacked
      ? ({
          m: "i32",
          n: "i32",
          k: "i32",
          a: "i32",
          rsa: "i32",
          csa: "i32",
          bp: "i32",
          c: "i32",
          rsc: "i32",
          accumulate: "i32",
          work: "i32",
        } as const)
      : ({
          m: "i32",
          n: "i32",
          k: "i32",
          a: "i32",
          rsa: "i32",
          csa: "i32",
          b: "i32",
          rsb: "i32",
          csb: "i32",
          c: "i32",
          rsc: "i32",
          accumulate: "i32",
          work: "i32",
        } as const);
    const name = prepacked ? `gemmPackedB_${d}` : `gemm_${d}`;
    return m.func({ name, params }, (b, pp) => {
      const p = pp as unknown as Record<
        "m" | "n" | "k" | "a" | "rsa" | "csa" | "bp" | "b" | "rsb" | "csb" | "c" | "rsc",
        Local<"i32">
      > &
        Record<"accumulate" | "work", Local<"i32">>;
      const [jc, nc, pc, kc, ic, mc, jr, ir, nrE, mrE] = b.locals("i32", 10);
      const [bpBase, apBase, scratch, accFlag, cptr, ldc] = b.locals("i32", 6);
      const i32 = b.i32;
      const c = (x: number) => i32.const(x);
      const elems = (x: Val<"i32">) => i32.shl(x, c(shift));
      bpBase.set(p.work.get());
      apBase.set(i32.add(p.work.get(), c(KC * NC * E)));
      scratch.set(i32.add(apBase.get(), c(MC * KC * E)));
      ldc.set(elems(p.rsc.get()));
      b.for(jc, 0, p.n, NC, () => {
        nc.set(
          min(
            b,
            () => c(NC),
            () => i32.sub(p.n.get(), jc.get()),
          ),
        );
        b.for(pc, 0, p.k, KC, () => {
          kc.set(
            min(
              b,
              () => c(KC),
              () => i32.sub(p.k.get(), pc.get()),
            ),
          );
          if (prepacked) {
            // block (jc, pc) of the whole packed B
            bpBase.set(
              i32.add(i32.mul(jc.get(), p.k.get()), i32.mul(pc.get(), roundNR(b, nc.get()))),
            );
            bpBase.set(i32.add(p.bp.get(), elems(bpBase.get())));
          } else {
            const bOff = () =>
              i32.add(i32.mul(pc.get(), p.rsb.get()), i32.mul(jc.get(), p.csb.get()));
            b.call(
              packB,
              i32.add(p.b.get(), elems(bOff())),
              p.csb.get(),
              p.rsb.get(),
              nc.get(),
              kc.get(),
              bpBase.get(),
            );
          }
          accFlag.set(i32.or(p.accumulate.get(), i32.gtS(pc.get(), c(0))));
          b.for(ic, 0, p.m, MC, () => {
            mc.set(
              min(
                b,
                () => c(MC),
                () => i32.sub(p.m.get(), ic.get()),
              ),
            );
            const aOff = () =>
              i32.add(i32.mul(ic.get(), p.rsa.get()), i32.mul(pc.get(), p.csa.get()));
            b.call(
              packA,
              i32.add(p.a.get(), elems(aOff())),
              p.rsa.get(),
              p.csa.get(),
              mc.get(),
              kc.get(),
              apBase.get(),
            );
            b.for(jr, 0, nc, NR, () => {
              nrE.set(
                min(
                  b,
                  () => c(NR),
                  () => i32.sub(nc.get(), jr.get()),
                ),
              );
              b.for(ir, 0, mc, MR, () => {
                mrE.set(
                  min(
                    b,
                    () => c(MR),
                    () => i32.sub(mc.get(), ir.get()),
                  ),
                );
                const rowCol = () =>
                  i32.add(
                    i32.mul(i32.add(ic.get(), ir.get()), p.rsc.get()),
                    i32.add(jc.get(), jr.get()),
                  );
                cptr.set(i32.add(p.c.get(), elems(rowCol())));
                const ap = () => i32.add(apBase.get(), elems(i32.mul(ir.get(), kc.get())));
                const bp = () => i32.add(bpBase.get(), elems(i32.mul(jr.get(), kc.get())));
                const direct = (r: number) => {
                  const fn = r === MR ? kernel : edgeRows[r - 1]!;
                  b.call(fn, ap(), bp(), kc.get(), cptr.get(), ldc.get(), accFlag.get());
                };
                /** if mrE == r: the r-row kernel, else the next r. */
                const byRows = (r: number): void => {
                  if (r === 1) {
                    direct(1);
                    return;
                  }
                  b.if(
                    i32.eq(mrE.get(), c(r)),
                    () => direct(r),
                    () => byRows(r - 1),
                  );
                };
                b.if(
                  i32.eq(nrE.get(), c(NR)),
                  () => byRows(MR),
                  () => {
                    const full = () =>
                      b.call(kernel, ap(), bp(), kc.get(), scratch.get(), c(NR * E), c(0));
                    if (narrow) {
                      b.if(
                        i32.leS(nrE.get(), c(lanes)),
                        () => b.call(narrow, ap(), bp(), kc.get(), scratch.get(), c(NR * E), c(0)),
                        full,
                      );
                    } else full();
                    b.call(
                      edge,
                      scratch.get(),
                      cptr.get(),
                      ldc.get(),
                      mrE.get(),
                      nrE.get(),
                      accFlag.get(),
                    );
                  },
                );
              });
            });
          });
        });
      });
    });
  };
  emitBody(true);
  return emitBody(false);
}
