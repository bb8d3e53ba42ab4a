import {
  type Conv2dParams,
  getBackend,
  type Pool2dParams,
  referenceKernels,
  setBackend,
} from "@x/storage";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createWasmBackend } from "../backend/wasmBackend";
import { agree, arr } from "../test/agree";
import { WasmKernels } from "../wasmKernels";
import { WorkerJobError } from "./pool";
import { getNumThreads, setNumThreads, threadsUnavailable } from "./threads";

const k = WasmKernels.create({ shared: true, initialPages: 256 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 10 s on a loaded machine) until a large kernel would get `want` threads. */
async function threadsReady(want: number): Promise<number> {
  let got = 1;
  for (let i = 0; i < 200 && got < want; i++) {
    got = k.threads.plan(1e6);
    if (got < want) await sleep(50);
  }
  return got;
}

function fill(p: number, n: number, seed: number): void {
  const v = k.heap.views.f32;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v[p / 4 + i] = s / 2 ** 31 - 0.5;
  }
}

afterAll(() => {
  k.threads.close();
  setNumThreads(1);
});

describe("threads", () => {
  it("runs here: SharedArrayBuffer and worker_threads are available", () => {
    expect(threadsUnavailable()).toBeUndefined();
    expect(getNumThreads()).toBeGreaterThanOrEqual(1);
  });

  it("setNumThreads validates its argument and getNumThreads returns it", () => {
    expect(() => setNumThreads(0)).toThrow(RangeError);
    expect(() => setNumThreads(1.5)).toThrow(RangeError);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    expect(k.threads.plan(1e9)).toBe(1);
  });

  it("runs on one thread over an unshared memory and says why, once", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const plain = WasmKernels.create({ shared: false, initialPages: 16 });
      setNumThreads(2);
      expect(plain.threads.plan(1e6)).toBe(1);
      expect(plain.threads.plan(1e6)).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/one thread: .*not shared/);
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps small kernels on the calling thread", async () => {
    setNumThreads(2);
    await threadsReady(2);
    expect(k.threads.plan(1)).toBe(1);
  });

  it("splits a matmul across threads with the same result as one thread", async () => {
    setNumThreads(3);
    expect(await threadsReady(3)).toBe(3);
    for (const [m, n, kk, tb] of [
      [300, 301, 177, false],
      [517, 96, 330, true],
    ] as const) {
      const a = k.heap.alloc(m * kk * 4);
      const b = k.heap.alloc(kk * n * 4);
      const c1 = k.heap.alloc(m * n * 4);
      const c3 = k.heap.alloc(m * n * 4);
      fill(a, m * kk, 1);
      fill(b, kk * n, 2);
      const layout = tb ? { rsb: 1, csb: kk } : {};
      setNumThreads(1);
      k.matmul("f32", m, n, kk, a, b, c1, layout);
      setNumThreads(3);
      expect(k.threads.plan((2 * m * n * kk) / 30e3)).toBe(3);
      k.matmul("f32", m, n, kk, a, b, c3, layout);
      const v = k.heap.views.f32;
      const one = v.slice(c1 / 4, c1 / 4 + m * n);
      const three = v.slice(c3 / 4, c3 / 4 + m * n);
      expect(three).toEqual(one);
      for (const p of [a, b, c1, c3]) k.heap.free(p);
    }
  });

  it("splits an elementwise kernel into ranges", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const n = 100_003;
    const a = k.heap.alloc(n * 4);
    const out = k.heap.alloc(n * 4);
    fill(a, n, 3);
    k.split("unary_neg_f32", n, 1e6, 16, (s, len) => [a + 4 * s, out + 4 * s, len]);
    const v = k.heap.views.f32;
    for (let i = 0; i < n; i += 997) expect(v[out / 4 + i]).toBe(-v[a / 4 + i]!);
    expect(v[out / 4 + n - 1]).toBe(-v[a / 4 + n - 1]!);
    k.heap.free(a);
    k.heap.free(out);
  });

  it("splits convolutions by images with the reference's results", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const backend = createWasmBackend({ kernels: k });
    const previous = setBackend(backend);
    try {
      const p: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 };
      const [N, C, H, O] = [16, 16, 16, 32];
      const x = arr([N, C, H, H]);
      const w = arr([O, C / 2, 3, 3]);
      const go = arr([N, O, H, H]);
      // large enough to be split, run on 2 threads
      expect(k.threads.plan((2 * N * O * H * H * (C / 2) * 9) / 30e3)).toBe(2);
      const kk = backend.kernels;
      agree(kk, [N, O, H, H], "float32", (q, out) => q.conv2d(x, w, p, out), 2e-5, "fwd");
      agree(
        kk,
        [N, C, H, H],
        "float32",
        (q, gi) => q.conv2dBackwardInput(go, w, p, gi),
        2e-5,
        "bwd in",
      );
      agree(
        kk,
        [O, C / 2, 3, 3],
        "float32",
        (q, gw) => q.conv2dBackwardWeight(x, go, p, gw),
        // by Winograd F(2×2, 3×3), which spreads rounding over a kernel's 9 taps: 1.28e-4 needed
        // with data in ±3 (against float64 on unit data: 4.3e-7 of the largest element, the
        // direct path 4.4e-7, PyTorch's float32 2.4e-6)
        2e-4,
        "bwd w",
      );
      // K = 144, Og = 3: the transposed weight gradient
      const x1 = arr([N, C, 32, 32]);
      const go1 = arr([N, 3, 32, 32]);
      const p1 = { ...p, groups: 1 };
      expect(k.threads.plan((2 * N * 3 * 32 * 32 * C * 9) / 30e3)).toBe(2);
      agree(
        kk,
        [3, C, 3, 3],
        "float32",
        (q, gw) => q.conv2dBackwardWeight(x1, go1, p1, gw),
        1e-4,
        "bwd w t",
      );
    } finally {
      setBackend(previous);
      expect(getBackend()).toBe(previous);
    }
  });

  it("splits large comparisons, selections and pooling with the reference's results", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const backend = createWasmBackend({ kernels: k });
    const previous = setBackend(backend);
    try {
      const kk = backend.kernels;
      const shape = [16, 8, 30, 30]; // 115 200 elements: split
      const a = arr(shape);
      const g = arr(shape);
      const zero = arr([1], "float32", () => 0).expand(shape);
      const before = k.threads.workerItems;
      for (let round = 0; round < 10 && k.threads.workerItems === before; round++) {
        agree(kk, shape, "bool", (q, out) => q.compare.gt(a, zero, out), 0, "gt");
        const mask = arr(shape, "bool", () => 0);
        kk.compare.gt(a, zero, mask);
        agree(kk, shape, "float32", (q, out) => q.where(mask, g, zero, out), 0, "where vs");
        agree(kk, shape, "float32", (q, out) => q.where(mask, zero, g, out), 0, "where sv");
        agree(kk, shape, "float32", (q, out) => q.where(mask, g, a, out), 0, "where vv");
        const pool: Pool2dParams = {
          kernel: [2, 2],
          stride: [2, 2],
          padding: [0, 0],
          dilation: [1, 1],
          ceilMode: false,
          countIncludePad: true,
          divisorOverride: 0,
        };
        const pooled = [16, 8, 15, 15];
        agree(
          kk,
          pooled,
          "float32",
          (q, out) => {
            const ind = arr(pooled, "int64", () => 0);
            q.maxPool2d(a, pool, out, ind);
          },
          0,
          "max pool",
        );
        const ind = arr(pooled, "int64", () => 0);
        const vals = arr(pooled);
        referenceKernels.maxPool2d(a, pool, vals, ind);
        const go = arr(pooled);
        agree(kk, shape, "float32", (q, out) => q.maxPool2dBackward(go, ind, out), 0, "pool bwd");
      }
      expect(k.threads.workerItems).toBeGreaterThan(before);
    } finally {
      setBackend(previous);
    }
  });

  it("runs programs whose records lie in memory grown after the workers started", async () => {
    setNumThreads(2);
    const k2 = WasmKernels.create({ shared: true, initialPages: 16 });
    try {
      for (let i = 0; i < 200 && k2.threads.plan(1e6) < 2; i++) await sleep(50);
      const before = k2.heap.stats.memoryBytes;
      const big = k2.heap.alloc(before * 2); // grows the memory
      expect(k2.heap.stats.memoryBytes).toBeGreaterThan(before);
      const n = 1000;
      const x = k2.heap.alloc(n * 4);
      const y = k2.heap.alloc(n * 4);
      const v = k2.heap.views.f32;
      for (let i = 0; i < n; i++) v[x / 4 + i] = i % 2 ? i : -i;
      const T = k2.threads.plan(1e6);
      expect(T).toBe(2);
      k2.threads.postCalls(1, [
        ["unary_neg_f32", [x, y, n / 2]],
        ["unary_abs_f32", [x + 2 * n, y + 2 * n, n / 2]],
      ]);
      k2.threads.join(T);
      for (let i = 0; i < n; i++) {
        const want = i < n / 2 ? -v[x / 4 + i]! : Math.abs(v[x / 4 + i]!);
        expect(v[y / 4 + i]).toBe(want);
      }
      for (const p of [big, x, y]) k2.heap.free(p);
    } finally {
      k2.threads.close();
    }
  });

  it("runs queued items once each, every thread in its own arena", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const [items, L] = [3000, 64];
    const x = k.heap.alloc(items * L * 4);
    const y = k.heap.alloc(items * L * 4);
    fill(x, items * L, 7);
    k.heap.zero(y, items * L * 4);
    const before = k.threads.workerItems;
    for (let round = 0; round < 20 && k.threads.workerItems === before; round++) {
      // x → -x in the arena → back into y: a shared temporary would mix up the items
      const tmp = k.threads.arena(L * 4);
      k.threads.runItems(items, 1e6, (i, call) => {
        call("unary_neg_f32", [x + i * L * 4, tmp, L], 0b10);
        call("unary_neg_f32", [tmp, y + i * L * 4, L], 0b1);
      });
      const v = k.heap.views.f32;
      for (let i = 0; i < items * L; i++) {
        if (v[y / 4 + i] !== v[x / 4 + i]) throw new Error(`element ${i}`);
      }
    }
    expect(k.threads.workerItems).toBeGreaterThan(before);
    k.heap.free(x);
    k.heap.free(y);
  });

  it("passes a -0 argument of a queued item to the workers as -0", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const [items, L] = [2000, 64];
    const x = k.heap.alloc(items * L * 4);
    const y = k.heap.alloc(items * L * 4);
    k.heap.views.f32.fill(1, x / 4, x / 4 + items * L);
    const before = k.threads.workerItems;
    for (let round = 0; round < 20 && k.threads.workerItems === before; round++) {
      k.heap.zero(y, items * L * 4);
      // y = x * s with s = -0 (an argument that is not relocated): 1 * -0 is -0
      k.threads.runItems(items, 1e6, (i, call) =>
        call("binary_mul_f32_vs", [x + i * L * 4, -0, y + i * L * 4, L]),
      );
      const v = k.heap.views.f32;
      for (let i = 0; i < items * L; i++) {
        if (!Object.is(v[y / 4 + i], -0)) throw new Error(`element ${i} is ${v[y / 4 + i]}`);
      }
    }
    expect(k.threads.workerItems).toBeGreaterThan(before);
    k.heap.free(x);
    k.heap.free(y);
  });

  it("throws when a queued item traps, and runs the next kernel", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const items = 64;
    expect(() =>
      k.threads.runItems(items, 1e6, (i, call) =>
        call("unary_neg_f32", i === items - 1 ? [2 ** 31 - 64, 0, 1024] : [0, 0, 0]),
      ),
    ).toThrow();
    const x = k.heap.alloc(16);
    const v = k.heap.views.f32;
    v[x / 4] = 2;
    k.threads.runItems(4, 1e6, (i, call) => call("unary_neg_f32", [x, x, i === 0 ? 1 : 0]));
    expect(k.heap.views.f32[x / 4]).toBe(-2);
    k.heap.free(x);
  });

  it("reports a kernel that traps in a worker", async () => {
    setNumThreads(2);
    expect(await threadsReady(2)).toBe(2);
    const T = k.threads.plan(1e6);
    expect(T).toBe(2);
    k.threads.post(1, "unary_neg_f32", [2 ** 31 - 64, 0, 1024]);
    expect(() => k.threads.join(T)).toThrow(WorkerJobError);
    // the worker survives and takes the next job
    expect(await threadsReady(2)).toBe(2);
  });
});
