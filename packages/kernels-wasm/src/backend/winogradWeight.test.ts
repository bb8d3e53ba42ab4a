import { type Conv2dParams, NDArray, referenceKernels, setBackend } from "@x/storage";
import { describe, expect, it } from "vitest";
import { WINOGRAD_TILES, type WinogradTile } from "../kernels/winogradWeight";
import { arr, uniform } from "../test/agree";
import { tracedWasmBackend, useWasmBackend } from "../test/backend";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { winogradWeight, winogradWeightTile } from "./winogradWeight";

const backend = useWasmBackend({ threaded: true, initialPages: 512 });
const k = backend.wasm;

const params = (padding: [number, number], groups = 1): Conv2dParams => ({
  stride: [1, 1],
  padding,
  dilation: [1, 1],
  groups,
});

interface Case {
  x: [number, number, number, number];
  O: number;
  padding: [number, number];
  groups?: number;
}

/** The weight gradient through the Winograd path (f32) and by the reference kernels in f64. */
function both(c: Case, tile: WinogradTile, seed = 1, view?: (x: NDArray) => NDArray) {
  const G = c.groups ?? 1;
  const p = params(c.padding, G);
  const [N, C, H, W] = c.x;
  const oH = H + 2 * c.padding[0] - 2;
  const oW = W + 2 * c.padding[1] - 2;
  const base = arr(view ? [c.x[0], c.x[1], c.x[3], c.x[2] + 3] : c.x, "float32", uniform(seed));
  const x = view ? view(base) : base;
  expect(x.shape).toEqual(c.x);
  const go = arr([N, c.O, oH, oW], "float32", uniform(seed + 1));
  const gw = NDArray.empty([c.O, C / G, 3, 3], "float32");
  winogradWeight(k, x, go.storage.ptr + go.offset * 4, p, gw, tile);
  const x64 = NDArray.empty(c.x, "float64");
  x64.typed().set(x.toArray());
  const go64 = NDArray.empty([N, c.O, oH, oW], "float64");
  go64.typed().set(go.typed());
  const want = NDArray.empty([c.O, C / G, 3, 3], "float64");
  referenceKernels.conv2dBackwardWeight(x64, go64, p, want);
  const got = gw.toArray();
  const w = want.toArray();
  const bits = bitsOf(gw);
  for (const t of [base, go, gw, x64, go64, want]) t.dispose();
  return { got, want: w, bits };
}

/** max |got - want| / max |want|. */
function relError(got: readonly number[], want: readonly number[]): number {
  let err = 0;
  let scale = 0;
  want.forEach((v, i) => {
    err = Math.max(err, Math.abs(got[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return err / scale;
}

const cases: Case[] = [
  // the CNN's and the digits model's second convolutions
  { x: [32, 16, 13, 13], O: 32, padding: [0, 0] },
  { x: [32, 16, 8, 8], O: 32, padding: [1, 1] },
  // outputs not a multiple of the tile, channels not multiples of 4, one image
  { x: [1, 5, 9, 7], O: 6, padding: [0, 0] },
  { x: [3, 7, 6, 11], O: 9, padding: [1, 1] },
  { x: [2, 4, 5, 5], O: 5, padding: [2, 2] },
  { x: [2, 6, 7, 10], O: 4, padding: [2, 0] },
  // groups
  { x: [3, 12, 9, 9], O: 8, padding: [1, 1], groups: 2 },
];

describe("Winograd weight gradient", () => {
  for (const tile of WINOGRAD_TILES) {
    it(`F(${tile}×${tile}, 3×3) agrees with the reference in float64`, () => {
      // measured (max error / max |gradW|): F(2×2) 1.7e-7 … 6.2e-7, F(4×4) 5.7e-7 … 2.8e-6
      const bound = tile === 2 ? 1.5e-6 : 6e-6;
      for (const c of cases) {
        const { got, want } = both(c, tile);
        expect(relError(got, want), JSON.stringify(c)).toBeLessThan(bound);
      }
    });
  }

  it("reads x through its strides", () => {
    // x [2, 5, 9, 7] from [2, 5, 7, 12]: transposed (column stride 12), and rows 1 … 9 of
    // each channel viewed as [12, 7] (unit column stride, channels 84 elements apart)
    const c: Case = { x: [2, 5, 9, 7], O: 6, padding: [1, 1] };
    const views = [
      (b: NDArray) => b.transpose(2, 3).narrow(2, 1, 9),
      (b: NDArray) => b.view(2, 5, 12, 7).narrow(2, 1, 9),
    ];
    for (const tile of WINOGRAD_TILES) {
      for (const view of views) {
        const { got, want } = both(c, tile, 5, view);
        expect(relError(got, want), `F${tile}`).toBeLessThan(tile === 2 ? 1.5e-6 : 6e-6);
      }
    }
  });

  it("conv2dBackwardWeight takes it where it applies", () => {
    const { backend: traced, calls } = tracedWasmBackend(backend.heap);
    setBackend(traced);
    const x = arr([32, 16, 13, 13], "float32", uniform(3));
    const go = arr([32, 32, 11, 11], "float32", uniform(4));
    const p = params([0, 0]);
    expect(winogradWeightTile(x.shape, [32, 16, 3, 3], p)).toBe(2);
    const gw = NDArray.empty([32, 16, 3, 3], "float32");
    traced.kernels.conv2dBackwardWeight(x, go, p, gw);
    expect(calls).toContain("winoFinish2_f32");
    const want = NDArray.empty([32, 16, 3, 3], "float32");
    referenceKernels.conv2dBackwardWeight(x, go, p, want);
    expect(relError(gw.toArray(), want.toArray())).toBeLessThan(1.5e-6);
    for (const t of [x, go, gw, want]) t.dispose();
    setBackend(backend);
  });

  it("follows the backend's winograd option: F(4×4) on request, none when off", () => {
    const p = params([0, 0]);
    expect(winogradWeightTile([32, 16, 13, 13], [32, 16, 3, 3], p, "F4")).toBe(4);
    expect(winogradWeightTile([32, 16, 13, 13], [32, 16, 3, 3], p, "off")).toBeUndefined();
    for (const [choice, finish, bound] of [
      ["F4", "winoFinish4_f32", 5e-6],
      ["off", undefined, 1.5e-6],
    ] as const) {
      const { backend: traced, calls } = tracedWasmBackend(backend.heap, { winograd: choice });
      setBackend(traced);
      const x = arr([32, 16, 13, 13], "float32", uniform(3));
      const go = arr([32, 32, 11, 11], "float32", uniform(4));
      const gw = NDArray.empty([32, 16, 3, 3], "float32");
      traced.kernels.conv2dBackwardWeight(x, go, p, gw);
      const wino = calls.filter((c) => c.startsWith("wino"));
      if (finish) expect(wino).toContain(finish);
      else expect(wino).toEqual([]);
      const want = NDArray.empty([32, 16, 3, 3], "float32");
      referenceKernels.conv2dBackwardWeight(x, go, p, want);
      expect(relError(gw.toArray(), want.toArray())).toBeLessThan(bound);
      for (const t of [x, go, gw, want]) t.dispose();
      setBackend(backend);
    }
  });

  it("applies to 3×3 stride-1 convolutions with enough channels", () => {
    const x = [32, 16, 13, 13];
    const w = [32, 16, 3, 3];
    const p = params([1, 1]);
    expect(winogradWeightTile(x, w, p)).toBe(2);
    expect(winogradWeightTile(x, w, { ...p, stride: [2, 1] })).toBeUndefined();
    expect(winogradWeightTile(x, w, { ...p, dilation: [1, 2] })).toBeUndefined();
    expect(winogradWeightTile(x, w, params([3, 3]))).toBeUndefined();
    expect(winogradWeightTile(x, [32, 16, 5, 5], p)).toBeUndefined();
    expect(winogradWeightTile([32, 4, 13, 13], [32, 4, 3, 3], p)).toBeUndefined();
    expect(winogradWeightTile([32, 8, 13, 13], [8, 8, 3, 3], p)).toBeUndefined();
    expect(winogradWeightTile([32, 8, 13, 13], [16, 8, 3, 3], p)).toBe(2);
    expect(winogradWeightTile([32, 32, 13, 13], [4, 32, 3, 3], p)).toBe(2);
    expect(winogradWeightTile(x, [3, 16, 3, 3], p)).toBeUndefined();
    expect(winogradWeightTile([32, 32, 13, 13], [32, 16, 3, 3], params([1, 1], 2))).toBe(2);
    // images of more than 256 tiles (longer chains of the GEMMs)
    expect(winogradWeightTile([2, 16, 32, 32], [32, 16, 3, 3], p)).toBe(2);
    expect(winogradWeightTile([2, 16, 33, 32], [32, 16, 3, 3], p)).toBeUndefined();
    // too few tiles for the products, or sums S past the cache
    expect(winogradWeightTile([2, 64, 6, 6], [64, 64, 3, 3], p)).toBeUndefined();
    expect(winogradWeightTile([4, 32, 8, 8], [32, 32, 3, 3], p)).toBe(2);
    expect(winogradWeightTile([64, 512, 4, 4], [512, 512, 3, 3], p)).toBeUndefined();
    // too few flops to pay the transforms
    expect(winogradWeightTile([1, 8, 6, 6], [16, 8, 3, 3], p)).toBeUndefined();
  });

  it("is bit-identical on 1, 2 and 3 threads", async () => {
    const more: Case[] = [
      { x: [16, 10, 19, 21], O: 13, padding: [1, 1] },
      { x: [48, 24, 16, 16], O: 16, padding: [1, 1], groups: 2 },
    ];
    for (const c of [cases[0]!, ...more]) {
      for (const tile of WINOGRAD_TILES) {
        setNumThreads(1);
        const one = both(c, tile).bits;
        for (const threads of [2, 3]) {
          setNumThreads(threads);
          expect(await threadsReady(k, threads)).toBe(threads);
          const before = k.threads.workerItems;
          let bits = both(c, tile).bits;
          for (let i = 0; i < 50 && k.threads.workerItems === before; i++)
            bits = both(c, tile).bits;
          expect(k.threads.workerItems, `${JSON.stringify(c)} F${tile} ${threads}`).toBeGreaterThan(
            before,
          );
          expectSameBits(bits, one, `${JSON.stringify(c)} F${tile} on ${threads} threads`);
        }
      }
    }
    setNumThreads(1);
  });
});
