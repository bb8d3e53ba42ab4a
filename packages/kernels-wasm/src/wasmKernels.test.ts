import { describe, expect, it } from "vitest";
import { detectFeatures } from "./features";
import { buildKernelModule } from "./kernels/kernelModule";
import { WasmHeap } from "./memory";
import { wasmApi } from "./wasmApi";
import { WasmKernels } from "./wasmKernels";

function smallMatmul(k: WasmKernels) {
  const v = () => k.heap.views.f32;
  const a = k.heap.alloc(4 * 6);
  const b = k.heap.alloc(4 * 6);
  const c = k.heap.alloc(4 * 4);
  v().set([1, 2, 3, 4, 5, 6], a / 4); // [[1,2,3],[4,5,6]]
  v().set([7, 8, 9, 10, 11, 12], b / 4); // [[7,8],[9,10],[11,12]]
  k.matmul("f32", 2, 2, 3, a, b, c);
  return Array.from(v().subarray(c / 4, c / 4 + 4));
}

describe("WasmKernels", () => {
  it("builds a module that validates, with and without a shared memory", () => {
    for (const shared of [false, true]) {
      expect(wasmApi().validate(buildKernelModule({ shared }))).toBe(true);
    }
  });

  it("generates relaxed-SIMD GEMM variants that validate exactly where the runtime has them", () => {
    const bytes = buildKernelModule({ shared: false, relaxedSimd: true });
    expect(wasmApi().validate(bytes)).toBe(detectFeatures().relaxedSimd);
  });

  it("runs on its own heap, created synchronously or asynchronously", async () => {
    expect(smallMatmul(WasmKernels.create())).toEqual([58, 64, 139, 154]);
    expect(smallMatmul(await WasmKernels.createAsync())).toEqual([58, 64, 139, 154]);
  });

  it("runs on a shared heap (what worker threads will share)", () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 1024, shared: true });
    const k = WasmKernels.create({ heap });
    expect(k.heap).toBe(heap);
    expect(k.heap.views.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(smallMatmul(k)).toEqual([58, 64, 139, 154]);
  });

  it("keeps working after the memory grows under it", () => {
    const k = WasmKernels.create({ initialPages: 1 });
    const before = k.heap.views.buffer;
    expect(smallMatmul(k)).toEqual([58, 64, 139, 154]); // allocates the GEMM workspace: grows
    expect(k.heap.views.buffer).not.toBe(before);
    const big = k.heap.alloc(8 << 20);
    const n = 1000;
    k.heap.views.f32.fill(2, big / 4, big / 4 + n);
    k.unary("sqrt", "f32", big, big, n);
    expect(k.heap.views.f32[big / 4 + n - 1]).toBeCloseTo(Math.SQRT2, 6);
  });
});
