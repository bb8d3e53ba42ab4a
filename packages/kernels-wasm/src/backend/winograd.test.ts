import { type Conv2dParams, getBackend, NDArray, referenceKernels, setBackend } from "@x/storage";
import { describe, expect, it } from "vitest";
import { uniform } from "../test/agree";
import { tracedWasmBackend, useWasmBackend } from "../test/backend";
import type { ConvSizes } from "../test/conv";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { createWasmBackend } from "./wasmBackend";
import { imagesPerItem, winogradConv, winogradTile } from "./winograd";

// The f32 Winograd convolution (kernels/winograd.ts): against the reference backend in f64 (the
// error relative to Σ|x·w|, each output's scale of rounding), tails of every kind, NaN and Inf,
// bit-identical results on any number of threads, and the backend's conv2d and input gradient
// taking it where it applies.

const backend = useWasmBackend({ threaded: true, initialPages: 512 });
const k = backend.wasm;
const conv = winogradConv(k);

/** Deterministic uniform numbers in [-1, 1). */
let rand = uniform(11);

const filled = (
  shape: readonly number[],
  dtype: "float32" | "float64",
  data: readonly number[],
) => {
  const a = NDArray.empty(shape, dtype);
  a.typed().set(data);
  return a;
};
const ptr = (a: NDArray) => a.storage.ptr + a.offset * 4;

interface Case extends ConvSizes {
  pad: [number, number];
}

/**
 * The Winograd convolution of random data and, in f64 by the reference kernels, the exact one
 * and the convolution of |x| with |w| (the scale of each output's rounding): the largest error
 * relative to that scale.
 */
function run(
  { N, C, H, W, O, pad }: Case,
  m: 2 | 4,
  flip = false,
  special?: (x: number[]) => void,
) {
  const xs = Array.from({ length: N * C * H * W }, rand);
  const ws = Array.from({ length: O * C * 9 }, rand);
  special?.(xs);
  const oH = H + 2 * pad[0] - 2;
  const oW = W + 2 * pad[1] - 2;
  const x = filled([N, C, H, W], "float32", xs);
  const x32 = Array.from(x.typed());
  // flip: the weights given as [C, O, 3, 3] with reversed taps (the input gradient's form)
  const wData = flip
    ? Array.from({ length: O * C * 9 }, (_, i) => {
        const t = i % 9;
        const c = Math.floor(i / 9) % O;
        const o = Math.floor(i / 9 / O);
        return ws[(c * C + o) * 9 + 8 - t]!;
      })
    : ws;
  const w = filled(flip ? [C, O, 3, 3] : [O, C, 3, 3], "float32", wData);
  const w32 = Array.from(w.typed());
  const out = NDArray.empty([N, O, oH, oW], "float32");
  out.typed().fill(Number.NaN);
  const weights = flip
    ? { ptr: ptr(w), sco: 1, sci: O, flip: true }
    : { ptr: ptr(w), sco: C, sci: 1, flip: false };
  conv({ ptr: ptr(x), strides: x.strides }, [N, C, H, W], weights, O, pad, ptr(out), m);
  const got = Array.from(out.typed());
  // the reference in f64, of the f32-rounded inputs (in [O, C] order, taps unflipped)
  const wRef = flip
    ? Array.from({ length: O * C * 9 }, (_, i) => {
        const t = i % 9;
        const c = Math.floor(i / 9) % C;
        const o = Math.floor(i / 9 / C);
        return w32[(c * O + o) * 9 + 8 - t]!;
      })
    : w32;
  const p: Conv2dParams = { stride: [1, 1], padding: pad, dilation: [1, 1], groups: 1 };
  const ref = (xv: number[], wv: number[]) => {
    const r = NDArray.empty([N, O, oH, oW], "float64");
    referenceKernels.conv2d(
      filled([N, C, H, W], "float64", xv),
      filled([O, C, 3, 3], "float64", wv),
      p,
      r,
    );
    return Array.from(r.typed());
  };
  const want = ref(x32, wRef);
  const scale = ref(x32.map(Math.abs), wRef.map(Math.abs));
  let err = 0;
  got.forEach((g, i) => {
    err = Math.max(err, Math.abs(g - want[i]!) / Math.max(scale[i]!, 1e-30));
  });
  return { got, want, err };
}

const cases: Case[] = [
  { N: 2, C: 16, H: 13, W: 13, O: 32, pad: [0, 0] }, // the CNN's conv2
  { N: 3, C: 16, H: 8, W: 8, O: 32, pad: [1, 1] }, // the digits model's conv2
  { N: 1, C: 5, H: 7, W: 9, O: 7, pad: [2, 1] }, // odd sizes, Cout % 6, Cin % 4
  { N: 5, C: 3, H: 6, W: 5, O: 13, pad: [0, 2] },
  { N: 1, C: 1, H: 3, W: 3, O: 1, pad: [0, 0] }, // one output
  { N: 2, C: 9, H: 17, W: 4, O: 6, pad: [1, 0] },
  { N: 1, C: 4, H: 30, W: 31, O: 2, pad: [1, 1] }, // several items of one image
];

describe("Winograd conv2d", () => {
  for (const m of [4, 2] as const) {
    for (const c of cases) {
      it(`F(${m}×${m}) N=${c.N} C=${c.C} ${c.H}×${c.W} O=${c.O} pad ${c.pad}`, () => {
        const { err } = run(c, m);
        // measured: F(4×4) ≤ 1.2e-6, F(2×2) ≤ 4e-7 of Σ|x·w|
        expect(err).toBeLessThan(m === 4 ? 4e-6 : 1.5e-6);
      });
    }
    it(`F(${m}×${m}) with flipped, transposed weights (the input gradient's form)`, () => {
      const { err } = run({ N: 2, C: 6, H: 9, W: 10, O: 8, pad: [2, 2] }, m, true);
      expect(err).toBeLessThan(m === 4 ? 4e-6 : 1.5e-6);
    });
  }

  it("writes every output and nothing around them (odd sizes, a last item of fewer images)", () => {
    // F(2×2) writes its tiles straight into the output: the tiles past its last row or column
    // write only their part inside
    const G = 64;
    for (const m of [2, 4] as const) {
      for (const { N, C, H, W, O, pad } of [
        { N: 5, C: 16, H: 13, W: 13, O: 32, pad: [0, 0] as const },
        { N: 3, C: 6, H: 9, W: 10, O: 8, pad: [2, 1] as const },
        { N: 7, C: 4, H: 4, W: 5, O: 5, pad: [0, 1] as const },
      ]) {
        const oH = H + 2 * pad[0] - 2;
        const oW = W + 2 * pad[1] - 2;
        const size = N * O * oH * oW;
        const x = filled([N, C, H, W], "float32", Array.from({ length: N * C * H * W }, rand));
        const w = filled([O, C, 3, 3], "float32", Array.from({ length: O * C * 9 }, rand));
        const buf = NDArray.empty([size + 2 * G], "float32");
        buf.typed().fill(Number.NaN);
        const guard = Array.from({ length: G }, (_, i) => 1000 + i);
        buf.typed().set(guard, 0);
        buf.typed().set(guard, G + size);
        const weights = { ptr: ptr(w), sco: C, sci: 1, flip: false };
        const src = { ptr: ptr(x), strides: x.strides };
        conv(src, [N, C, H, W], weights, O, pad, ptr(buf) + G * 4, m);
        const got = Array.from(buf.typed());
        expect(got.slice(0, G)).toEqual(guard);
        expect(got.slice(G + size)).toEqual(guard);
        expect(got.slice(G, G + size).every(Number.isFinite)).toBe(true);
      }
    }
  });

  it("propagates NaN and Inf to the outputs that read them", () => {
    const c: Case = { N: 1, C: 2, H: 10, W: 10, O: 3, pad: [0, 0] };
    for (const m of [4, 2] as const) {
      const { got } = run(c, m, false, (x) => {
        x[0] = Number.NaN; // channel 0, (0, 0): only output (0, 0) reads it
        x[100 + 5 * 10 + 5] = Number.POSITIVE_INFINITY; // channel 1, (5, 5)
      });
      const at = (o: number, i: number, j: number) => got[(o * 8 + i) * 8 + j]!;
      for (let o = 0; o < 3; o++) {
        expect(at(o, 0, 0)).toBeNaN();
        // outputs (3..5, 3..5) read (5, 5): ±Inf or NaN (Winograd mixes the terms of a tile)
        expect(Number.isFinite(at(o, 4, 4))).toBe(false);
      }
      // an output of another tile that reads neither stays finite
      expect(Number.isFinite(got[7 * 8 + 0])).toBe(true);
    }
  });

  it("gives the same bits on 1, 2 and 3 threads", async () => {
    const c: Case = { N: 24, C: 16, H: 13, W: 13, O: 32, pad: [0, 0] };
    for (const m of [4, 2] as const) {
      const runs: number[][] = [];
      for (const threads of [1, 2, 3]) {
        setNumThreads(threads);
        if (threads > 1) expect(await threadsReady(k, threads)).toBe(threads);
        // again until the workers took part (a loaded machine may deschedule them)
        const before = k.threads.workerItems;
        for (let i = 0; i < 50; i++) {
          rand = uniform(99);
          runs[threads - 1] = run(c, m).got;
          if (threads === 1 || k.threads.workerItems > before) break;
        }
        if (threads > 1) expect(k.threads.workerItems).toBeGreaterThan(before);
      }
      setNumThreads(1);
      const bits = (r: number[]) => new Uint32Array(new Float32Array(r).buffer);
      expectSameBits(bits(runs[1]!), bits(runs[0]!), `F(${m}×${m}) 2 threads`);
      expectSameBits(bits(runs[2]!), bits(runs[0]!), `F(${m}×${m}) 3 threads`);
    }
  });

  it("picks whole panels of tiles per item, from the shapes alone", () => {
    expect(imagesPerItem(32, 9)).toBe(8); // 72 tiles
    expect(imagesPerItem(32, 4)).toBe(8);
    expect(imagesPerItem(32, 16)).toBe(2);
    expect(imagesPerItem(3, 4)).toBe(3);
    expect(imagesPerItem(5, 400)).toBe(1);
  });
});

describe("the backend's convolutions through Winograd", () => {
  const p = (pad: number): Conv2dParams => ({
    stride: [1, 1],
    padding: [pad, pad],
    dilation: [1, 1],
    groups: 1,
  });

  it("take it for 3×3 stride-1 convolutions of enough channels, and only those", () => {
    expect(winogradTile([32, 16, 13, 13], [32, 16, 3, 3], p(0), [11, 11])).toBe(2);
    expect(winogradTile([32, 16, 13, 13], [32, 16, 3, 3], p(0), [11, 11], "F4")).toBe(4);
    expect(winogradTile([32, 16, 13, 13], [32, 16, 3, 3], p(0), [11, 11], "off")).toBeUndefined();
    expect(winogradTile([32, 16, 8, 8], [32, 16, 3, 3], p(1), [8, 8], "F4")).toBe(4);
    // F(4×4) where faster: its transformed weights leave the cache with 128 × 128 channels
    expect(winogradTile([4, 128, 8, 8], [128, 128, 3, 3], p(1), [8, 8], "F4")).toBe(2);
    expect(winogradTile([32, 4, 16, 16], [8, 4, 3, 3], p(1), [16, 16])).toBeUndefined();
    expect(winogradTile([32, 16, 13, 13], [32, 16, 3, 3], p(3), [15, 15])).toBeUndefined();
    const strided = { ...p(1), stride: [2, 2] as [number, number] };
    expect(winogradTile([32, 16, 8, 8], [32, 16, 3, 3], strided, [4, 4])).toBeUndefined();
    const dilated = { ...p(2), dilation: [2, 2] as [number, number] };
    expect(winogradTile([32, 16, 8, 8], [32, 16, 3, 3], dilated, [8, 8])).toBeUndefined();
    expect(winogradTile([32, 16, 8, 8], [32, 8, 3, 3], { ...p(1), groups: 2 }, [8, 8])).toBe(
      undefined,
    );
    expect(winogradTile([32, 16, 8, 8], [32, 16, 5, 5], p(2), [8, 8])).toBeUndefined();
    // too few tiles to pay the weights' transform
    expect(winogradTile([1, 64, 4, 4], [64, 64, 3, 3], p(1), [4, 4])).toBeUndefined();
    expect(winogradTile([2, 64, 6, 6], [64, 64, 3, 3], p(1), [6, 6])).toBe(2);
    // outputs past the symmetric size (extra bottom/right padding)
    expect(winogradTile([32, 16, 8, 8], [32, 16, 3, 3], p(1), [9, 9])).toBeUndefined();

    const previous = getBackend();
    try {
      setNumThreads(1);
      for (const [choice, want] of [
        ["F2", "winoWeights2_f32"],
        ["F4", "winoWeights4_f32"],
        ["off", undefined],
      ] as const) {
        const { backend: traced, calls } = tracedWasmBackend(backend.heap, { winograd: choice });
        setBackend(traced);
        const x = NDArray.empty([2, 16, 8, 8], "float32");
        const w = NDArray.empty([32, 16, 3, 3], "float32");
        const go = NDArray.empty([2, 32, 8, 8], "float32");
        for (const t of [x, w, go]) t.typed().set(Array.from({ length: t.numel() }, rand));
        const out = NDArray.empty([2, 32, 8, 8], "float32");
        const wino = () => calls.filter((c) => c.startsWith("wino"));
        calls.length = 0;
        traced.kernels.conv2d(x, w, p(1), out);
        expect(want ? wino() : wino().length).toEqual(want ? expect.arrayContaining([want]) : 0);
        calls.length = 0;
        traced.kernels.conv2dBackwardInput(go, w, p(1), x);
        expect(want ? wino() : wino().length).toEqual(want ? expect.arrayContaining([want]) : 0);
        // 3 input channels: another path
        const x3 = NDArray.empty([2, 3, 8, 8], "float32");
        const w3 = NDArray.empty([32, 3, 3, 3], "float32");
        calls.length = 0;
        traced.kernels.conv2d(x3, w3, p(1), out);
        expect(wino()).toEqual([]);
        for (const t of [x, w, go, out, x3, w3]) t.dispose();
      }
    } finally {
      setBackend(previous);
    }
  });

  it("agree with the reference: conv2d and conv2dBackwardInput, F(2×2) and F(4×4)", () => {
    const f4 = createWasmBackend({ kernels: k, winograd: "F4" });
    const previous = getBackend();
    for (const [variant, be, m, bound] of [
      // measured: at most 0.024 of the tolerance by F(2×2), 0.33 by F(4×4)
      ["F2", backend, 2, 0.1],
      ["F4", f4, 4, 1],
    ] as const) {
      setBackend(be);
      for (const [N, C, H, W, O, pad] of [
        [3, 16, 13, 13, 32, 0],
        [2, 16, 8, 8, 32, 1],
        [2, 9, 7, 10, 13, 2],
        [2, 8, 5, 6, 8, 1],
      ] as const) {
        const oH = H + 2 * pad - 2;
        const oW = W + 2 * pad - 2;
        const k64 = (shape: readonly number[], data: ArrayLike<number>) =>
          filled(shape, "float64", Array.from(data));
        const x = filled([N, C, H, W], "float32", Array.from({ length: N * C * H * W }, rand));
        const w = filled(
          [O, C, 3, 3],
          "float32",
          // PyTorch's default initialisation: uniform within ±1/√fan_in
          Array.from({ length: O * C * 9 }, () => rand() / Math.sqrt(C * 9)),
        );
        const go = filled([N, O, oH, oW], "float32", Array.from({ length: N * O * oH * oW }, rand));
        const out = NDArray.empty([N, O, oH, oW], "float32");
        const gi = NDArray.empty([N, C, H, W], "float32");
        expect(winogradTile(x.shape, w.shape, p(pad), [oH, oW], variant)).toBe(m);
        be.kernels.conv2d(x, w, p(pad), out);
        be.kernels.conv2dBackwardInput(go, w, p(pad), gi);
        const want = NDArray.empty([N, O, oH, oW], "float64");
        const wantGi = NDArray.empty([N, C, H, W], "float64");
        const [x64, w64, go64] = [
          k64(x.shape, x.typed()),
          k64(w.shape, w.typed()),
          k64(go.shape, go.typed()),
        ];
        referenceKernels.conv2d(x64, w64, p(pad), want);
        referenceKernels.conv2dBackwardInput(go64, w64, p(pad), wantGi);
        // the conformance tolerance (rtol 1e-4, atol 1e-5), data of unit size, default-init weights
        const close = (got: NDArray, ref: NDArray) => {
          const g = got.typed();
          const r = ref.typed();
          for (let i = 0; i < g.length; i++) {
            const ratio = Math.abs(g[i]! - r[i]!) / (1e-5 + 1e-4 * Math.abs(r[i]!));
            worst = Math.max(worst, ratio);
          }
        };
        let worst = 0;
        close(out, want);
        close(gi, wantGi);
        expect(worst).toBeLessThanOrEqual(bound);
        for (const t of [x, w, go, out, gi, want, wantGi, x64, w64, go64]) t.dispose();
      }
    }
    setBackend(previous);
  });

  it("give the direct convolution's Inf and NaN outputs when an input is not finite", () => {
    // Winograd's transforms would spread an Inf over its whole tile (Inf - Inf = NaN); the
    // backend checks its outputs and redoes such calls by the direct paths, as PyTorch computes
    const [N, C, H, O] = [2, 16, 8, 32];
    const x = filled([N, C, H, H], "float32", Array.from({ length: N * C * H * H }, rand));
    const w = filled(
      [O, C, 3, 3],
      "float32",
      Array.from({ length: O * C * 9 }, () => rand() / 12),
    );
    const go = filled([N, O, H, H], "float32", Array.from({ length: N * O * H * H }, rand));
    x.typed()[3 * H * H + 2 * H + 5] = Number.POSITIVE_INFINITY;
    x.typed()[C * H * H + 7] = Number.NaN;
    go.typed()[5 * H * H + 4 * H + 4] = Number.NEGATIVE_INFINITY;
    expect(winogradTile(x.shape, w.shape, p(1), [H, H])).toBe(2);
    const check = (got: NDArray, want: NDArray) => {
      const g = got.typed();
      const r = want.typed();
      let nonFinite = 0;
      for (let i = 0; i < g.length; i++) {
        if (!Number.isFinite(r[i]!)) {
          nonFinite++;
          expect(Object.is(g[i], r[i])).toBe(true);
        } else expect(Math.abs(g[i]! - r[i]!)).toBeLessThanOrEqual(1e-4 * (Math.abs(r[i]!) + 1));
      }
      return nonFinite;
    };
    const out = NDArray.empty([N, O, H, H], "float32");
    const gi = NDArray.empty([N, C, H, H], "float32");
    const gw = NDArray.empty([O, C, 3, 3], "float32");
    const [want, wantGi, wantGw] = [out, gi, gw].map((t) => NDArray.empty(t.shape, "float32"));
    backend.kernels.conv2d(x, w, p(1), out);
    backend.kernels.conv2dBackwardInput(go, w, p(1), gi);
    backend.kernels.conv2dBackwardWeight(x, go, p(1), gw);
    referenceKernels.conv2d(x, w, p(1), want!);
    referenceKernels.conv2dBackwardInput(go, w, p(1), wantGi!);
    referenceKernels.conv2dBackwardWeight(x, go, p(1), wantGw!);
    // only the windows that read a bad input: 9 outputs per channel for the Inf, 4 for the NaN
    // in the first row, next to the last column
    expect(check(out, want!)).toBe((9 + 4) * O);
    expect(check(gi, wantGi!)).toBe(9 * C);
    expect(check(gw, wantGw!)).toBeGreaterThan(0);
    for (const t of [x, w, go, out, gi, gw, want!, wantGi!, wantGw!]) t.dispose();
  });

  it("read strided inputs (a transposed view) like contiguous ones", () => {
    const [N, C, H, W, O] = [2, 8, 9, 7, 12];
    const xs = Array.from({ length: N * C * W * H }, rand);
    const stored = filled([N, C, W, H], "float32", xs);
    const view = stored.permute(0, 1, 3, 2); // [N, C, H, W], unit stride along H
    const copy = view.contiguous();
    const w = filled(
      [O, C, 3, 3],
      "float32",
      Array.from({ length: O * C * 9 }, () => rand() / 8),
    );
    const a = NDArray.empty([N, O, H, W], "float32");
    const b = NDArray.empty([N, O, H, W], "float32");
    expect(winogradTile(view.shape, w.shape, p(1), [H, W])).toBe(2);
    backend.kernels.conv2d(view, w, p(1), a);
    backend.kernels.conv2d(copy, w, p(1), b);
    expectSameBits(bitsOf(a), bitsOf(b), "view");
    for (const t of [stored, copy, w, a, b]) t.dispose();
  });
});
