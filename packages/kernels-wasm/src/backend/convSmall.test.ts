import { type Conv2dParams, NDArray, referenceKernels, setBackend } from "@x/storage";
import { describe, expect, it } from "vitest";
import { agree, arr, uniform } from "../test/agree";
import { tracedWasmBackend, useWasmBackend } from "../test/backend";
import { type ConvCase, convGeometry } from "../test/conv";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { smallConvPath } from "./convSmall";

// The f32 kernels for convolutions of few input channels (kernels/convSmall.ts): the forward
// convolution and the weight gradient against the reference backend, and bit-identical results
// for any number of threads.

const backend = useWasmBackend({ threaded: true, initialPages: 512 });
const k = backend.kernels;

interface Case extends ConvCase {
  /** x read through a view: "transposed" (stored [N, C, W, H]) or "sliced" (wider rows). */
  view?: "transposed" | "sliced";
}

function input(c: Case, f: () => number): NDArray {
  if (c.view === "transposed") return arr([c.N, c.C, c.W, c.H], "float32", f).permute(0, 1, 3, 2);
  if (c.view === "sliced") {
    const wide = arr([c.N, c.C, c.H, c.W + 3], "float32", f);
    return wide.asStrided([c.N, c.C, c.H, c.W], wide.strides, 1);
  }
  return arr([c.N, c.C, c.H, c.W], "float32", f);
}

// output widths 4-9, 11-14, 16, 17, 26 (tails of 0-7 positions after the 8-wide blocks), 1-3
// input channels, output channels not a multiple of 4, padding 0-3, kernels 1-7 wide and high
const cases: Case[] = [
  { N: 3, C: 1, H: 28, W: 28, O: 16, kH: 3, kW: 3 },
  { N: 2, C: 1, H: 8, W: 8, O: 16, kH: 3, kW: 3, padding: [1, 1] },
  { N: 1, C: 1, H: 6, W: 6, O: 5, kH: 3, kW: 3 },
  { N: 2, C: 1, H: 7, W: 7, O: 3, kH: 3, kW: 3 },
  { N: 1, C: 2, H: 5, W: 8, O: 7, kH: 3, kW: 3 },
  { N: 2, C: 3, H: 9, W: 9, O: 6, kH: 3, kW: 3 },
  { N: 2, C: 3, H: 10, W: 10, O: 9, kH: 3, kW: 3, padding: [1, 1] },
  { N: 1, C: 2, H: 11, W: 11, O: 2, kH: 3, kW: 3, padding: [2, 2] },
  { N: 3, C: 1, H: 12, W: 15, O: 1, kH: 3, kW: 3, padding: [0, 1] },
  { N: 2, C: 2, H: 7, W: 13, O: 4, kH: 3, kW: 3, padding: [1, 2] },
  { N: 2, C: 1, H: 9, W: 17, O: 10, kH: 5, kW: 5, padding: [2, 2] },
  { N: 1, C: 1, H: 6, W: 12, O: 8, kH: 5, kW: 5, padding: [1, 1] },
  { N: 2, C: 3, H: 8, W: 9, O: 5, kH: 1, kW: 3, padding: [0, 1] },
  { N: 2, C: 2, H: 6, W: 7, O: 6, kH: 4, kW: 2, padding: [2, 0] },
  { N: 2, C: 3, H: 5, W: 6, O: 3, kH: 2, kW: 4, padding: [1, 1] },
  { N: 2, C: 3, H: 6, W: 8, O: 7, kH: 3, kW: 1, padding: [1, 0] },
  { N: 2, C: 1, H: 9, W: 14, O: 6, kH: 1, kW: 7, padding: [0, 3] },
  { N: 2, C: 2, H: 12, W: 6, O: 3, kH: 7, kW: 1 },
  { N: 1, C: 3, H: 7, W: 8, O: 5, kH: 3, kW: 3, padding: [3, 3] },
  { N: 2, C: 1, H: 6, W: 6, O: 4, kH: 1, kW: 1, padding: [1, 1] },
  { N: 2, C: 2, H: 4, W: 4, O: 5, kH: 2, kW: 2, padding: [1, 1] },
  { N: 3, C: 4, H: 9, W: 11, O: 6, kH: 3, kW: 3, padding: [1, 1], groups: 2 },
  { N: 2, C: 6, H: 8, W: 10, O: 9, kH: 3, kW: 3, groups: 3 },
  { N: 2, C: 2, H: 8, W: 10, O: 5, kH: 3, kW: 3, padding: [1, 1], extra: [1, 1] },
  { N: 2, C: 1, H: 9, W: 11, O: 5, kH: 3, kW: 3, extra: [0, 1] },
  { N: 2, C: 3, H: 7, W: 9, O: 6, kH: 3, kW: 3, view: "transposed" },
  { N: 2, C: 2, H: 8, W: 12, O: 7, kH: 3, kW: 3, view: "sliced" },
  { N: 2, C: 1, H: 8, W: 12, O: 4, kH: 3, kW: 3, padding: [1, 1], view: "sliced" },
  { N: 5, C: 3, H: 26, W: 30, O: 16, kH: 3, kW: 3, padding: [1, 1] },
];

describe("convolutions of few input channels", () => {
  it("take the small-convolution path where it applies, and only there", () => {
    const p = (stride = 1, padding = 0, dilation = 1): Conv2dParams => ({
      stride: [stride, stride],
      padding: [padding, padding],
      dilation: [dilation, dilation],
      groups: 1,
    });
    expect(smallConvPath([32, 1, 28, 28], [16, 1, 3, 3], p(), [26, 26])).toBe(true);
    expect(smallConvPath([32, 1, 8, 8], [16, 1, 3, 3], p(1, 1), [8, 8])).toBe(true);
    expect(smallConvPath([8, 3, 32, 32], [16, 3, 3, 3], p(1, 1), [32, 32])).toBe(true);
    expect(smallConvPath([8, 1, 32, 32], [16, 1, 5, 5], p(1, 2), [32, 32])).toBe(true);
    for (const c of cases) {
      const { p: q, oH, oW } = convGeometry(c);
      const w = [c.O, c.C / (c.groups ?? 1), c.kH, c.kW];
      expect(smallConvPath([c.N, c.C, c.H, c.W], w, q, [oH, oW], true)).toBe(true);
    }
    expect(smallConvPath([8, 1, 16, 16], [8, 1, 1, 7], p(), [16, 10])).toBe(true);
    // more than 27 steps, stride 2, dilation 2, rows narrower than 4, 1×1 without padding (the
    // GEMM path), an image too large for the weight gradient's chains
    expect(smallConvPath([8, 4, 16, 16], [8, 4, 3, 3], p(), [14, 14])).toBe(false);
    expect(smallConvPath([8, 1, 16, 16], [8, 1, 3, 3], p(2), [7, 7])).toBe(false);
    expect(smallConvPath([8, 1, 16, 16], [8, 1, 3, 3], p(1, 0, 2), [12, 12])).toBe(false);
    expect(smallConvPath([8, 1, 5, 5], [8, 1, 3, 3], p(), [3, 3])).toBe(false);
    expect(smallConvPath([8, 3, 16, 16], [8, 3, 1, 1], p(), [16, 16])).toBe(false);
    expect(smallConvPath([2, 1, 300, 300], [8, 1, 3, 3], p(), [298, 298])).toBe(true);
    expect(smallConvPath([2, 1, 300, 300], [8, 1, 3, 3], p(), [298, 298], true)).toBe(false);
  });

  it("take the small-convolution kernels", () => {
    const { backend: traced, calls } = tracedWasmBackend(backend.heap);
    setBackend(traced);
    setNumThreads(1);
    for (const c of [cases[0]!, cases[1]!, cases[18]!, cases[22]!]) {
      const { p, oH, oW } = convGeometry(c);
      const x = input(c, uniform(1));
      const w = arr([c.O, c.C / (c.groups ?? 1), c.kH, c.kW], "float32", uniform(2));
      const out = NDArray.empty([c.N, c.O, oH, oW], "float32");
      calls.length = 0;
      traced.kernels.conv2d(x, w, p, out);
      expect(calls).toEqual(["convSmall_f32"]);
      for (const t of [x, w, out]) t.dispose();
    }
    setBackend(backend);
  });

  it("agree with the reference (forward and weight gradient)", () => {
    setNumThreads(1);
    for (const c of cases) {
      const { p, oH, oW } = convGeometry(c);
      const G = c.groups ?? 1;
      const what = JSON.stringify(c);
      const x = input(c, uniform(1));
      const w = arr([c.O, c.C / G, c.kH, c.kW], "float32", uniform(2));
      const go = arr([c.N, c.O, oH, oW], "float32", uniform(3));
      const fwd = (kk: typeof k, out: NDArray) => kk.conv2d(x, w, p, out);
      agree(k, [c.N, c.O, oH, oW], "float32", fwd, 2e-5, `fwd ${what}`);
      const bwdW = (kk: typeof k, gw: NDArray) => kk.conv2dBackwardWeight(x, go, p, gw);
      agree(k, [c.O, c.C / G, c.kH, c.kW], "float32", bwdW, 2e-4, `bwd weight ${what}`);
      for (const t of [x, w, go]) t.dispose();
    }
  });

  it("agree with the reference on random shapes", () => {
    setNumThreads(1);
    const r = uniform(11);
    const int = (lo: number, hi: number) => lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1));
    let taken = 0;
    for (let i = 0; i < 200 && taken < 40; i++) {
      const G = int(1, 2);
      const Cg = int(1, 3);
      const c: Case = {
        N: int(1, 4),
        C: G * Cg,
        H: int(3, 20),
        W: int(3, 20),
        O: G * int(1, 9),
        kH: int(1, 5),
        kW: int(1, 5),
        padding: [int(0, 2), int(0, 2)],
        groups: G,
        view: (["transposed", "sliced", undefined] as const)[int(0, 2)],
      };
      const { p, oH, oW } = convGeometry(c);
      const w = [c.O, Cg, c.kH, c.kW];
      if (oH < 1 || !smallConvPath([c.N, c.C, c.H, c.W], w, p, [oH, oW], true)) continue;
      taken++;
      const what = JSON.stringify(c);
      const x = input(c, uniform(i + 20));
      const wt = arr(w, "float32", uniform(i + 21));
      const go = arr([c.N, c.O, oH, oW], "float32", uniform(i + 22));
      const fwd = (kk: typeof k, out: NDArray) => kk.conv2d(x, wt, p, out);
      agree(k, [c.N, c.O, oH, oW], "float32", fwd, 2e-5, `fwd ${what}`);
      const bwdW = (kk: typeof k, gw: NDArray) => kk.conv2dBackwardWeight(x, go, p, gw);
      agree(k, w, "float32", bwdW, 2e-4, `bwd weight ${what}`);
      for (const t of [x, wt, go]) t.dispose();
    }
    expect(taken).toBe(40);
  });

  it("count each position once: an inf in a row's last columns reaches only its outputs", () => {
    // a row's last vector overlaps the one before: its lanes counted twice would turn the
    // weight gradient's infs into NaNs or count finite products twice
    for (const c of [
      { N: 2, C: 1, H: 9, W: 11, O: 5, kH: 3, kW: 3 },
      { N: 1, C: 2, H: 7, W: 14, O: 6, kH: 3, kW: 3, padding: [1, 1] as [number, number] },
    ]) {
      const { p, oH, oW } = convGeometry(c);
      const x = input(c, uniform(4));
      const t = x.typed();
      t[(c.H - 2) * c.W + c.W - 2] = Number.POSITIVE_INFINITY;
      t[c.H * c.W - 1] = Number.NEGATIVE_INFINITY;
      const w = arr([c.O, c.C, c.kH, c.kW], "float32", uniform(5));
      const go = arr([c.N, c.O, oH, oW], "float32", uniform(6));
      const fwd = (kk: typeof k, out: NDArray) => kk.conv2d(x, w, p, out);
      agree(k, [c.N, c.O, oH, oW], "float32", fwd, 2e-5, "fwd");
      const bwdW = (kk: typeof k, gw: NDArray) => kk.conv2dBackwardWeight(x, go, p, gw);
      agree(k, [c.O, c.C, c.kH, c.kW], "float32", bwdW, 2e-4, "bwd weight");
      // the reference gradient has non-finite and finite elements: both kinds were compared
      const want = zeros4([c.O], c.C, c.kH, c.kW);
      referenceKernels.conv2dBackwardWeight(x, go, p, want);
      const values = want.toArray() as number[];
      expect(values.some((v) => !Number.isFinite(v))).toBe(true);
      expect(values.some((v) => Number.isFinite(v))).toBe(true);
      want.dispose();
      for (const a of [x, w, go]) a.dispose();
    }
  });

  /**
   * Runs `f` on `threads` threads; with more than one, again (up to 50 times: a loaded machine
   * may deschedule the workers) until the workers took part.
   */
  async function on<T>(threads: number, f: () => T): Promise<{ value: T; posted: number }> {
    const wasm = backend.wasm;
    setNumThreads(threads);
    if (threads > 1) expect(await threadsReady(wasm, threads)).toBe(threads);
    let before = wasm.threads.workerItems;
    let value = f();
    for (let i = 0; i < 50 && threads > 1 && wasm.threads.workerItems === before; i++) {
      before = wasm.threads.workerItems;
      value = f();
    }
    return { value, posted: wasm.threads.workerItems - before };
  }

  for (const c of [
    { N: 32, C: 1, H: 28, W: 28, O: 16, kH: 3, kW: 3 },
    { N: 64, C: 1, H: 16, W: 16, O: 16, kH: 3, kW: 3, padding: [1, 1] as [number, number] },
    { N: 13, C: 3, H: 30, W: 21, O: 9, kH: 3, kW: 3, padding: [2, 2] as [number, number] },
    { N: 19, C: 2, H: 24, W: 24, O: 10, kH: 5, kW: 5, padding: [2, 2] as [number, number] },
  ] satisfies Case[]) {
    it(`are bit-identical on 1, 2 and 3 threads: ${JSON.stringify(c)}`, async () => {
      const { p, oH, oW } = convGeometry(c);
      const x = input(c, uniform(7));
      const w = arr([c.O, c.C, c.kH, c.kW], "float32", uniform(8));
      const go = arr([c.N, c.O, oH, oW], "float32", uniform(9));
      const run = () => {
        const y = zeros4(x.shape, c.O, oH, oW);
        k.conv2d(x, w, p, y);
        const gw = zeros4([c.O], c.C, c.kH, c.kW);
        k.conv2dBackwardWeight(x, go, p, gw);
        const bits = [bitsOf(y), bitsOf(gw)];
        y.dispose();
        gw.dispose();
        return bits;
      };
      const one = (await on(1, run)).value;
      for (const threads of [2, 3, 2]) {
        const got = await on(threads, run);
        expect(got.posted).toBeGreaterThan(0); // workers took part
        expectSameBits(got.value[0]!, one[0]!, `conv2d on ${threads} threads`);
        expectSameBits(got.value[1]!, one[1]!, `conv2dBackwardWeight on ${threads} threads`);
      }
      setNumThreads(1);
      for (const t of [x, w, go]) t.dispose();
    });
  }
});

/** A new float32 array [shape[0], a, b, c] of zeros on the current backend. */
function zeros4(shape: readonly number[], a: number, b: number, c: number): NDArray {
  return arr([shape[0]!, a, b, c], "float32", () => 0);
}
