import { describe, expect, it } from "vitest";
import type { DType } from "../dtype.js";
import type { Conv2dParams, InterpolateParams, Pool2dParams } from "../kernels/conv.js";
import { NDArray } from "../ndArray.js";
import { referenceConv as k } from "./conv.js";

/** Deterministic values in [-1, 1) (a small LCG, so tests need no generator). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function array(shape: number[], seed: number, dtype: DType = "float64"): NDArray {
  const a = NDArray.empty(shape, dtype);
  const d = a.typed();
  values(a.numel(), seed).forEach((v, i) => {
    d[i] = v;
  });
  return a;
}

/** The same values as `a` laid out with permuted strides (a non-contiguous view). */
function strided(a: NDArray): NDArray {
  const p = NDArray.empty([a.shape[3]!, a.shape[1]!, a.shape[0]!, a.shape[2]!], a.dtype);
  const v = p.permute(2, 1, 3, 0);
  const src = a.toArray();
  const d = p.typed();
  const [N, C, H, W] = a.shape as number[];
  for (let n = 0; n < N!; n++)
    for (let c = 0; c < C!; c++)
      for (let h = 0; h < H!; h++)
        for (let w = 0; w < W!; w++) {
          d[n * v.strides[0]! + c * v.strides[1]! + h * v.strides[2]! + w * v.strides[3]!] =
            src[((n * C! + c) * H! + h) * W! + w]!;
        }
  return v;
}

const dotp = (a: NDArray, b: NDArray) =>
  a.toArray().reduce((s, v, i) => s + v * b.toArray()[i]!, 0);

/** Convolution straight from its definition. */
function naiveConv(x: NDArray, w: NDArray, p: Conv2dParams, oH: number, oW: number): number[] {
  const [N, C, H, W] = x.shape as number[];
  const [O, Cg, kH, kW] = w.shape as number[];
  const xv = x.toArray();
  const wv = w.toArray();
  const out: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let o = 0; o < O!; o++)
      for (let oh = 0; oh < oH; oh++)
        for (let ow = 0; ow < oW; ow++) {
          let s = 0;
          const g = Math.floor(o / (O! / p.groups));
          for (let c = 0; c < Cg!; c++)
            for (let a = 0; a < kH!; a++)
              for (let b = 0; b < kW!; b++) {
                const ih = oh * p.stride[0] - p.padding[0] + a * p.dilation[0];
                const iw = ow * p.stride[1] - p.padding[1] + b * p.dilation[1];
                if (ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
                s +=
                  xv[((n * C! + g * Cg! + c) * H! + ih) * W! + iw]! *
                  wv[((o * Cg! + c) * kH! + a) * kW! + b]!;
              }
          out.push(s);
        }
  return out;
}

const CONFIGS: { x: number[]; w: number[]; p: Conv2dParams; out: [number, number] }[] = [
  {
    x: [2, 3, 7, 6],
    w: [4, 3, 3, 2],
    p: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
    out: [5, 5],
  },
  {
    x: [1, 4, 9, 8],
    w: [6, 2, 3, 3],
    p: { stride: [2, 3], padding: [1, 2], dilation: [1, 1], groups: 2 },
    out: [5, 4],
  },
  {
    x: [2, 3, 9, 9],
    w: [3, 1, 3, 2],
    p: { stride: [1, 2], padding: [2, 1], dilation: [2, 3], groups: 3 },
    out: [9, 5],
  },
  // Implied bottom/right padding: PyTorch's "same" with an even kernel.
  {
    x: [1, 2, 5, 6],
    w: [2, 2, 4, 2],
    p: { stride: [1, 1], padding: [1, 0], dilation: [1, 1], groups: 1 },
    out: [5, 6],
  },
];

describe("reference conv kernels", () => {
  CONFIGS.forEach(({ x: xs, w: ws, p, out }, i) => {
    it(`conv2d matches the definition (config ${i}), contiguous or strided`, () => {
      const x = array(xs, 1 + i);
      const w = array(ws, 50 + i);
      const want = naiveConv(x, w, p, ...out);
      for (const [xi, wi] of [
        [x, w],
        [strided(x), strided(w)],
      ] as const) {
        const o = NDArray.empty([xs[0]!, ws[0]!, ...out], "float64");
        k.conv2d(xi, wi, p, o);
        const got = o.toArray();
        for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j]!, 12);
      }
    });

    it(`backward kernels are the adjoints of conv2d (config ${i})`, () => {
      // <conv(x, w), g> = <x, dL/dx> = <w, dL/dw> for L = <conv(x, w), g>.
      const x = array(xs, 7 + i);
      const w = array(ws, 70 + i);
      const g = strided(array([xs[0]!, ws[0]!, ...out], 700 + i));
      const y = NDArray.empty(g.shape, "float64");
      k.conv2d(x, w, p, y);
      const gx = NDArray.empty(xs, "float64");
      k.conv2dBackwardInput(g, strided(w), p, gx);
      const gw = NDArray.empty(ws, "float64");
      k.conv2dBackwardWeight(strided(x), g, p, gw);
      const lhs = dotp(y, g);
      expect(dotp(x, gx)).toBeCloseTo(lhs, 10);
      expect(dotp(w, gw)).toBeCloseTo(lhs, 10);
    });
  });

  it("propagates NaN through zero weights, as PyTorch", () => {
    const x = NDArray.empty([1, 1, 1, 2], "float32");
    x.typed()[0] = Number.NaN;
    const w = NDArray.empty([1, 1, 1, 1], "float32");
    const o = NDArray.empty([1, 1, 1, 2], "float32");
    k.conv2d(x, w, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, o);
    expect(o.toArray()).toEqual([Number.NaN, 0]);
  });
});

const pool = (
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  extra: Partial<Pool2dParams> = {},
): Pool2dParams => ({
  kernel,
  stride,
  padding,
  dilation: [1, 1],
  ceilMode: false,
  countIncludePad: true,
  divisorOverride: 0,
  ...extra,
});

describe("reference pooling kernels", () => {
  it("avg and adaptive pooling backward are adjoints of their forwards; strided inputs agree", () => {
    const x = array([2, 3, 7, 6], 3);
    const cases: [Pool2dParams, [number, number]][] = [
      [pool([3, 2], [2, 2], [1, 1]), [4, 4]],
      [pool([3, 3], [2, 2], [1, 1], { countIncludePad: false, ceilMode: true }), [4, 3]],
      [pool([2, 2], [3, 2], [0, 1], { divisorOverride: 3 }), [2, 4]],
    ];
    for (const [p, out] of cases) {
      const y = NDArray.empty([2, 3, ...out], "float64");
      k.avgPool2d(x, p, y);
      const ys = NDArray.empty(y.shape, "float64");
      k.avgPool2d(strided(x), p, ys);
      expect(ys.toArray()).toEqual(y.toArray());
      const g = array(y.shape as number[], 9);
      const gx = NDArray.empty(x.shape, "float64");
      k.avgPool2dBackward(strided(g), p, gx);
      expect(dotp(x, gx)).toBeCloseTo(dotp(y, g), 12);
    }
    const ya = NDArray.empty([2, 3, 4, 5], "float64");
    k.adaptiveAvgPool2d(strided(x), ya);
    const ga = array([2, 3, 4, 5], 11);
    const gxa = NDArray.empty(x.shape, "float64");
    k.adaptiveAvgPool2dBackward(ga, gxa);
    expect(dotp(x, gxa)).toBeCloseTo(dotp(ya, ga), 12);
  });

  it("max pooling backward matches finite differences", () => {
    const x = array([1, 2, 6, 7], 5);
    const p = pool([3, 2], [2, 2], [1, 1], { dilation: [1, 2], ceilMode: true });
    const shape = [1, 2, 4, 3];
    const run = (xi: NDArray) => {
      const y = NDArray.empty(shape, "float64");
      const idx = NDArray.empty(shape, "int64");
      k.maxPool2d(xi, p, y, idx);
      return [y, idx] as const;
    };
    const [y, idx] = run(strided(x));
    const g = array(shape, 6);
    const gx = NDArray.empty(x.shape, "float64");
    k.maxPool2dBackward(g, idx, gx);
    const h = 1e-6;
    const xd = x.typed();
    for (let i = 0; i < x.numel(); i++) {
      xd[i]! += h;
      const up = dotp(run(x)[0], g);
      xd[i]! -= 2 * h;
      const down = dotp(run(x)[0], g);
      xd[i]! += h;
      expect((up - down) / (2 * h)).toBeCloseTo(gx.toArray()[i]!, 6);
    }
    expect(dotp(y, g)).toBeCloseTo(dotp(run(x)[0], g), 12);
  });
});

describe("reference resampling kernels", () => {
  const params = (
    mode: InterpolateParams["mode"],
    alignCorners = false,
    scales: [number, number] = [0, 0],
  ): InterpolateParams => ({ mode, alignCorners, scales });

  it("computes PyTorch's bilinear weights bit for bit in float32 and float64", () => {
    // One-hot rows make the output the weights themselves; values printed by PyTorch 1.13:
    // float32 3 → 5, output 2: [0, 0.99999994, 5.9604645e-08]; float64 2 → 3, output 1:
    // [0.5, 0.49999999999999994].
    const eye = (n: number, dtype: DType) => {
      const a = NDArray.empty([n, 1, 1, n], dtype);
      for (let i = 0; i < n; i++) a.typed()[i * n + i] = 1;
      return a;
    };
    const o32 = NDArray.empty([3, 1, 1, 5], "float32");
    k.interpolate(eye(3, "float32"), params("bilinear"), o32);
    expect([0, 1, 2].map((i) => o32.toArray()[i * 5 + 2])).toEqual([0, 1 - 2 ** -24, 2 ** -24]);
    const o64 = NDArray.empty([2, 1, 1, 3], "float64");
    k.interpolate(eye(2, "float64"), params("bilinear"), o64);
    expect([0, 1].map((i) => o64.toArray()[i * 3 + 1])).toEqual([0.5, 0.49999999999999994]);
  });

  it("uses the given scale factor, not the size ratio, for source positions", () => {
    const x = NDArray.empty([1, 1, 1, 3], "float64");
    x.typed().set([0, 1, 2]);
    const a = NDArray.empty([1, 1, 1, 4], "float64");
    const b = NDArray.empty([1, 1, 1, 4], "float64");
    k.interpolate(x, params("bilinear", false, [0, 1.5]), a);
    k.interpolate(x, params("bilinear"), b);
    // 1 / 1.5 vs 3 / 4: values printed by PyTorch for scale_factor=1.5 and for size=4.
    expect(a.toArray()).toEqual([0, 0.49999999999999994, 1.1666666666666665, 1.8333333333333333]);
    expect(b.toArray()).toEqual([0, 0.625, 1.375, 2]);
  });

  it("backward kernels are the adjoints of their forwards, strided inputs agree", () => {
    const x = array([2, 3, 5, 4], 13);
    const cases: [InterpolateParams, [number, number]][] = [
      [params("nearest"), [7, 9]],
      [params("nearest-exact", false, [1.5, 2.5]), [7, 10]],
      [params("bilinear"), [3, 7]],
      [params("bilinear", true), [8, 3]],
      [params("bilinear", false, [2.1, 0.5]), [10, 2]],
    ];
    for (const [p, out] of cases) {
      const y = NDArray.empty([2, 3, ...out], "float64");
      k.interpolate(x, p, y);
      const ys = NDArray.empty(y.shape, "float64");
      k.interpolate(strided(x), p, ys);
      expect(ys.toArray()).toEqual(y.toArray());
      const g = array(y.shape as number[], 17);
      const gx = NDArray.empty(x.shape, "float64");
      k.interpolateBackward(strided(g), p, gx);
      expect(dotp(x, gx)).toBeCloseTo(dotp(y, g), 12);
    }
  });
});
