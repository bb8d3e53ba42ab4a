import {
  binary,
  type Conv2dParams,
  compare,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  fromArray,
  linear,
  maxPool2dBackward,
  maxPool2dWithIndices,
  mm,
  type NDArray,
  softmax,
  sum,
  unary,
  where,
} from "@x/storage";
import { describe, expect, it } from "vitest";
import { arr } from "../test/agree";
import { useWasmBackend } from "../test/backend";
import { bitsOf, expectSameBits, threadsReady } from "../test/threads";
import { setNumThreads } from "../threads/threads";
import { backwardInputPath, weightBlocks } from "./convKernels";

// Threaded kernels must give the bits of one thread, whatever number of threads a call gets
// (which varies from call to call with the workers' state: starting, sleeping, busy).

const backend = useWasmBackend({ threaded: true, initialPages: 512 });
const k = backend.wasm;

/** A deterministic uniform generator on [-a, a). */
function uniform(seed: number, a = 1): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 2 * a;
  };
}

/**
 * Runs `f` on `threads` threads (waiting for the workers); with more than one, runs it again
 * (up to 50 times: a loaded machine may deschedule the workers) until the workers took part —
 * a worker that starts late takes no items.
 */
async function on<T>(threads: number, f: () => T): Promise<{ value: T; posted: number }> {
  setNumThreads(threads);
  if (threads > 1) expect(await threadsReady(k, threads)).toBe(threads);
  let before = k.threads.workerItems;
  let value = f();
  for (let i = 0; i < 50 && threads > 1 && k.threads.workerItems === before; i++) {
    before = k.threads.workerItems;
    value = f();
  }
  return { value, posted: k.threads.workerItems - before };
}

const params = (padding: number, groups = 1): Conv2dParams => ({
  stride: [1, 1],
  padding: [padding, padding],
  dilation: [1, 1],
  groups,
});

describe("threaded convolutions are bit-identical to one thread", () => {
  const cases = [
    // the CNN's second convolution: Winograd F(2×2, 3×3), forward and both gradients
    { x: [32, 16, 13, 13], w: [32, 16, 3, 3], p: params(0) },
    // the CNN's first convolution: K = 9, the few-channel kernels (backend/convSmall.ts)
    { x: [32, 1, 28, 28], w: [16, 1, 3, 3], p: params(0) },
    // groups, padding, a batch that does not divide into the blocks
    { x: [23, 8, 24, 24], w: [12, 4, 3, 3], p: params(1, 2) },
    // one input channel, padding: the few-channel kernels
    { x: [30, 1, 24, 24], w: [16, 1, 3, 3], p: params(1) },
    // 1×1
    { x: [17, 24, 20, 20], w: [40, 24, 1, 1], p: params(0) },
    // no padding, few output channels: the input gradient as a forward convolution
    { x: [19, 8, 24, 24], w: [8, 8, 3, 3], p: params(0), forward: true },
  ];
  for (const c of cases) {
    it(`x ${c.x}, w ${c.w}, groups ${c.p.groups}`, async () => {
      const x = arr(c.x, "float32", uniform(1));
      const w = arr(c.w, "float32", uniform(2));
      const out = conv2d(x, w, null, { padding: c.p.padding, groups: c.p.groups });
      const go = arr([...out.shape], "float32", uniform(3));
      if ("forward" in c) {
        const path = backwardInputPath(c.x, c.w, c.p, out.shape.slice(2));
        expect(path).toBe("forward");
      }
      const opts = { padding: c.p.padding, groups: c.p.groups };
      const run = () => {
        const y = conv2d(x, w, null, opts);
        const gi = conv2dBackwardInput(go, w, x.shape, opts);
        const gw = conv2dBackwardWeight(x, go, w.shape, opts);
        const bits = [bitsOf(y), bitsOf(gi), bitsOf(gw)];
        for (const t of [y, gi, gw]) t.dispose();
        return bits;
      };
      const one = (await on(1, run)).value;
      for (const threads of [2, 3, 2, 2]) {
        const got = await on(threads, run);
        expect(got.posted).toBeGreaterThan(0); // workers took part
        const what = `${threads} threads`;
        expectSameBits(got.value[0]!, one[0]!, `conv2d on ${what}`);
        expectSameBits(got.value[1]!, one[1]!, `conv2dBackwardInput on ${what}`);
        expectSameBits(got.value[2]!, one[2]!, `conv2dBackwardWeight on ${what}`);
      }
      for (const t of [x, w, out, go]) t.dispose();
    });
  }

  it("a weight gradient too large for per-block partial sums splits its GEMMs instead", async () => {
    const opts = { padding: [1, 1] as [number, number] };
    const x = arr([3, 512, 2, 2], "float32", uniform(4));
    const go = arr([3, 512, 2, 2], "float32", uniform(5));
    expect(weightBlocks(3, 512 * 512 * 9 * 4)).toBe(1);
    const run = () => {
      const gw = conv2dBackwardWeight(x, go, [512, 512, 3, 3], opts);
      const bits = bitsOf(gw);
      gw.dispose();
      return bits;
    };
    const one = (await on(1, run)).value;
    for (const threads of [2, 3]) {
      expectSameBits((await on(threads, run)).value, one, `${threads} threads`);
    }
    x.dispose();
    go.dispose();
  });
});

describe("a CNN trained through the storage ops on threads", () => {
  // conv 1→16 3×3, ReLU, max pool 2, conv 16→32 3×3, ReLU, max pool 2, linear 800→10,
  // cross-entropy, Adam: the forward and backward passes written with the raw ops.
  const N = 32;
  const shapes = [[16, 1, 3, 3], [16], [32, 16, 3, 3], [32], [10, 800], [10]];
  const labels = Array.from({ length: N * 10 }, (_, i) =>
    i % 10 === Math.floor(i / 10) % 7 ? 1 : 0,
  );

  /** Trains `steps` steps from fixed weights; returns the bits of every parameter. */
  const train = (steps: number): Uint32Array[] => {
    const ps = shapes.map((s, i) => arr(s, "float32", uniform(10 + i, 0.3)));
    const ms = shapes.map((s) => arr(s, "float32", () => 0));
    const vs = shapes.map((s) => arr(s, "float32", () => 0));
    const input = arr([N, 1, 28, 28], "float32", uniform(99));
    const onehot = fromArray(labels);
    const target = onehot.reshape([N, 10]);
    const [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];
    for (let step = 1; step <= steps; step++) {
      const tmp: NDArray[] = [];
      const keep = <T extends NDArray>(t: T): T => {
        tmp.push(t);
        return t;
      };
      const [w1, c1, w2, c2, w3, c3] = ps as [NDArray, NDArray, NDArray, NDArray, NDArray, NDArray];
      const a1 = keep(conv2d(input, w1, c1));
      const r1 = keep(unary("relu", a1));
      const [p1, i1] = maxPool2dWithIndices(r1, 2).map(keep) as [NDArray, NDArray];
      const a2 = keep(conv2d(p1, w2, c2));
      const r2 = keep(unary("relu", a2));
      const [p2, i2] = maxPool2dWithIndices(r2, 2).map(keep) as [NDArray, NDArray];
      const f = keep(p2.reshape([N, 800]));
      const logits = keep(linear(f, w3, c3));
      const prob = keep(softmax(logits, 1));
      const g = keep(binary("div", keep(binary("sub", prob, target)), N));
      const gw3 = keep(mm(keep(g.t()), f));
      const gb3 = keep(sum(g, 0));
      const gf = keep(keep(mm(g, w3)).reshape([N, 32, 5, 5]));
      const gr2 = keep(maxPool2dBackward(gf, i2, r2.shape));
      const ga2 = keep(where(keep(compare("gt", a2, 0)), gr2, 0));
      const gw2 = keep(conv2dBackwardWeight(p1, ga2, w2.shape));
      const gb2 = keep(sum(ga2, [0, 2, 3]));
      const gp1 = keep(conv2dBackwardInput(ga2, w2, p1.shape));
      const gr1 = keep(maxPool2dBackward(gp1, i1, r1.shape));
      const ga1 = keep(where(keep(compare("gt", a1, 0)), gr1, 0));
      const gw1 = keep(conv2dBackwardWeight(input, ga1, w1.shape));
      const gb1 = keep(sum(ga1, [0, 2, 3]));
      const grads = [gw1, gb1, gw2, gb2, gw3, gb3];
      ps.forEach((p, i) => {
        const gi = grads[i]!;
        const m = binary("add", keep(binary("mul", ms[i]!, b1)), keep(binary("mul", gi, 1 - b1)));
        const gg = keep(binary("mul", gi, gi));
        const v = binary("add", keep(binary("mul", vs[i]!, b2)), keep(binary("mul", gg, 1 - b2)));
        const mHat = keep(binary("div", m, 1 - b1 ** step));
        const vHat = keep(binary("div", v, 1 - b2 ** step));
        const den = keep(binary("add", keep(unary("sqrt", vHat)), eps));
        const upd = keep(binary("mul", keep(binary("div", mHat, den)), lr));
        binary("sub", p, upd, p);
        ms[i]!.dispose();
        vs[i]!.dispose();
        ms[i] = m;
        vs[i] = v;
      });
      for (const t of tmp) t.dispose();
    }
    const bits = ps.map(bitsOf);
    for (const t of [...ps, ...ms, ...vs, input, onehot, target]) t.dispose();
    return bits;
  };

  it("gives the same parameters on 1, 2 and 3 threads, run after run", async () => {
    const one = (await on(1, () => train(4))).value;
    for (const threads of [2, 2, 3, 2]) {
      const got = await on(threads, () => train(4));
      expect(got.posted).toBeGreaterThan(0);
      for (const [i, bits] of got.value.entries()) {
        expectSameBits(bits, one[i]!, `parameter ${i}, ${threads} threads`);
      }
    }
  }, 60_000);
});
