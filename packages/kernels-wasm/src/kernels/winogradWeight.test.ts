import { describe, expect, it } from "vitest";
import { ModuleBuilder } from "../asm/moduleBuilder";
import {
  emitWinogradWeight,
  numberOps,
  transform2d,
  transforms,
  WINOGRAD_TILES,
} from "./winogradWeight";

let seed = 11;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31 - 0.5;
};

/** The kernels alone, in a module with its own memory. */
function instance() {
  const m = new ModuleBuilder();
  m.memory({ initial: 32 }, "memory");
  emitWinogradWeight(m);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(m.toBytes())), {});
  const fns = inst.exports as unknown as Record<string, (...a: number[]) => void>;
  const memory = inst.exports.memory as WebAssembly.Memory;
  return { fns, f32: () => new Float32Array(memory.buffer) };
}

describe("Winograd weight-gradient transforms", () => {
  for (const m of WINOGRAD_TILES) {
    it(`F(${m}×${m}, 3×3): Gᵀ[(A dY Aᵀ) ⊙ (Bᵀ d B)]G is a tile's weight gradient`, () => {
      const a = m + 2;
      const f = transforms[m];
      for (let trial = 0; trial < 5; trial++) {
        const d = Array.from({ length: a * a }, rand);
        const dy = Array.from({ length: m * m }, rand);
        const v = transform2d(numberOps, f.input, d, a);
        const z = transform2d(numberOps, f.grad, dy, m);
        const got = transform2d(
          numberOps,
          f.finish,
          v.map((x, i) => x * z[i]!),
          a,
        );
        // gradW[r][s] = Σ dY[y][x] · d[y + r][x + s]
        for (let r = 0; r < 3; r++) {
          for (let s = 0; s < 3; s++) {
            let want = 0;
            for (let y = 0; y < m; y++) {
              for (let x = 0; x < m; x++) want += dy[y * m + x]! * d[(y + r) * a + x + s]!;
            }
            expect(got[r * 3 + s]!).toBeCloseTo(want, 12);
          }
        }
      }
    });
  }

  it("the emitted kernels compute the transforms of every tile and the final product", () => {
    const { fns, f32 } = instance();
    // an image [C = 5, H = 7, W = 6], padding 1, F(2×2): output 7×6 → 4×3 tiles
    for (const m of WINOGRAD_TILES) {
      const a = m + 2;
      const [C, H, W, pH, pW] = [5, 7, 6, 1, 1];
      const oH = H + 2 * pH - 2;
      const oW = W + 2 * pW - 2;
      const [tH, tW] = [Math.ceil(oH / m), Math.ceil(oW / m)];
      const Cp = 8;
      const Hp = Math.max(pH + H, (tH - 1) * m + a);
      const Wp = Math.max(pW + W, (tW - 1) * m + a);
      const x = Array.from({ length: C * H * W }, rand).map(Math.fround);
      const X = 0;
      const buf = 4096;
      const out = 65536;
      const tiles = tH * tW;
      const plane = tiles * Cp * 4;
      const mem = f32();
      mem.fill(Number.NaN, out / 4, out / 4 + a * a * plane);
      mem.set(x, X / 4);
      fns[`winoInput${m}_f32`]!(
        X,
        C * H * W,
        H * W,
        W,
        1,
        1,
        C,
        H,
        W,
        pH,
        pW,
        Hp,
        Wp,
        Cp,
        tH,
        tW,
        buf,
        out,
        plane,
        Cp * 4,
        16,
      );
      const at = (c: number, i: number, j: number) => {
        const [ih, iw] = [i - pH, j - pW];
        return ih < 0 || ih >= H || iw < 0 || iw >= W ? 0 : x[(c * H + ih) * W + iw]!;
      };
      for (let ty = 0; ty < tH; ty++) {
        for (let tx = 0; tx < tW; tx++) {
          for (let c = 0; c < Cp; c++) {
            const d = Array.from({ length: a * a }, (_, i) =>
              c < C ? at(c, m * ty + Math.floor(i / a), m * tx + (i % a)) : 0,
            );
            const want = transform2d(numberOps, transforms[m].input, d, a);
            want.forEach((v, xi) => {
              const got = f32()[(out + xi * plane) / 4 + (ty * tW + tx) * Cp + c]!;
              expect(Math.abs(got - v)).toBeLessThan(1e-5);
            });
          }
        }
      }
    }
  });
});
