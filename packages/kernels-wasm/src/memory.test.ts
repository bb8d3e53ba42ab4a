import { describe, expect, it, vi } from "vitest";
import { PAGE_BYTES, sizeClass, WasmHeap, WasmOutOfMemoryError } from "./memory";

describe("sizeClass", () => {
  it("rounds small sizes to 16-byte steps and large ones to quarter powers of two", () => {
    expect(sizeClass(0)).toEqual({ index: 0, bytes: 16 });
    expect(sizeClass(1).bytes).toBe(16);
    expect(sizeClass(17).bytes).toBe(32);
    expect(sizeClass(256)).toEqual({ index: 15, bytes: 256 });
    expect(sizeClass(257).bytes).toBe(320);
    expect(sizeClass(1000).bytes).toBe(1024);
    expect(sizeClass(1025).bytes).toBe(1280);
    expect(sizeClass(2 ** 32).bytes).toBe(2 ** 32);
  });

  it("is monotonic, 16-byte aligned and wastes at most 25% above 256 bytes", () => {
    let last = 0;
    for (let n = 1; n < 1 << 20; n = Math.ceil(n * 1.07) + 1) {
      const c = sizeClass(n);
      expect(c.bytes).toBeGreaterThanOrEqual(n);
      expect(c.bytes % 16).toBe(0);
      expect(c.index).toBeGreaterThanOrEqual(last);
      if (n > 256) expect(c.bytes / n).toBeLessThanOrEqual(1.25);
      last = c.index;
    }
  });
});

describe("WasmHeap", () => {
  it("returns distinct 16-byte aligned, non-overlapping blocks", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const blocks: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const n = 1 + ((i * 7919) % 3000);
      const p = heap.alloc(n);
      expect(p % 16).toBe(0);
      expect(p).toBeGreaterThanOrEqual(1024);
      blocks.push([p, n]);
    }
    blocks.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]![0]).toBeGreaterThanOrEqual(blocks[i - 1]![0] + blocks[i - 1]![1]);
    }
    expect(heap.stats.liveBlocks).toBe(200);
  });

  it("reuses freed blocks of the same size class", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const a = heap.alloc(1000);
    const keep = heap.alloc(16);
    heap.free(a);
    expect(heap.stats.freeBytes).toBe(1024);
    expect(heap.alloc(900)).toBe(a); // same class (1024)
    expect(heap.stats.freeBytes).toBe(0);
    heap.free(keep);
    const top = heap.stats.topBytes;
    expect(heap.alloc(16)).toBe(keep); // the top block was given back to the bump pointer
    expect(heap.stats.topBytes).toBe(top + 16);
  });

  it("keeps live bytes exact and rejects double or foreign frees", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const p = heap.alloc(100);
    const q = heap.alloc(300);
    expect(heap.stats.liveBytes).toBe(112 + 320);
    expect(heap.sizeOf(q)).toBe(320);
    heap.free(p);
    expect(() => heap.free(p)).toThrow(/not a live block/);
    expect(() => heap.free(q + 16)).toThrow(/not a live block/);
    heap.free(q);
    expect(heap.stats.liveBytes).toBe(0);
    expect(heap.stats.liveBlocks).toBe(0);
  });

  it("grows the memory and refreshes its views, keeping contents", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const grown: number[] = [];
    heap.onGrow((v) => grown.push(v.u8.byteLength));
    const p = heap.alloc(16);
    heap.views.f32[p / 4] = 42;
    const before = heap.views;
    const big = heap.alloc(3 * PAGE_BYTES);
    expect(heap.views === before).toBe(false);
    expect(heap.views.u8.byteLength).toBeGreaterThanOrEqual(big + 3 * PAGE_BYTES);
    expect(heap.views.f32[p / 4]).toBe(42);
    heap.views.f32[(big + 3 * PAGE_BYTES) / 4 - 1] = 7; // the last word of the block is writable
    expect(grown.length).toBe(1);
  });

  it("says once, when the memory first grows past warnAtBytes, how to free a loop's tensors", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const heap = new WasmHeap({ initialPages: 1, warnAtBytes: 4 * PAGE_BYTES });
      heap.alloc(2 * PAGE_BYTES);
      expect(warn).not.toHaveBeenCalled();
      heap.alloc(4 * PAGE_BYTES);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/grew to \d+ MiB.*x\.tidy/);
      heap.alloc(16 * PAGE_BYTES);
      expect(warn).toHaveBeenCalledTimes(1);
      new WasmHeap({ initialPages: 1, warnAtBytes: Number.POSITIVE_INFINITY }).alloc(8 * PAGE_BYTES);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it("works over a shared memory", () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 64, shared: true });
    expect(heap.views.buffer).toBeInstanceOf(SharedArrayBuffer);
    const p = heap.alloc(2 * PAGE_BYTES);
    heap.views.f64[p / 8] = 1.5;
    expect(heap.views.buffer.byteLength).toBeGreaterThanOrEqual(p + 2 * PAGE_BYTES);
  });

  it("zero-fills reused blocks with allocZeroed", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const p = heap.alloc(64);
    heap.alloc(16);
    heap.views.u8.fill(9, p, p + 64);
    heap.free(p);
    const q = heap.allocZeroed(64);
    expect(q).toBe(p);
    expect(Array.from(heap.views.u8.subarray(q, q + 64)).every((b) => b === 0)).toBe(true);
  });

  it("throws WasmOutOfMemoryError at the memory's maximum, and recovers after frees", () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 4 });
    const a = heap.alloc(2 * PAGE_BYTES);
    expect(() => heap.alloc(2 * PAGE_BYTES)).toThrow(WasmOutOfMemoryError);
    expect(() => heap.alloc(2 * PAGE_BYTES)).toThrow(/cannot allocate 131072 bytes/);
    heap.free(a);
    expect(heap.alloc(2 * PAGE_BYTES)).toBe(a);
  });

  it("reports the 4 GiB address space for requests no wasm32 memory can hold", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    expect(() => heap.alloc(5 * 2 ** 30)).toThrow(WasmOutOfMemoryError);
    expect(() => heap.alloc(5 * 2 ** 30)).toThrow(/4 GiB/);
    expect(() => heap.alloc(-1)).toThrow(RangeError);
    expect(() => heap.alloc(Number.NaN)).toThrow(RangeError);
  });

  it("uses a larger free block rather than failing when the bump space is gone", () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 2, reservedBytes: 16 });
    const big = heap.alloc(40000);
    const rest = heap.alloc(81920); // leaves 8176 bytes, too few for a 20 kB block
    expect(2 * PAGE_BYTES - heap.stats.topBytes).toBe(8176);
    heap.free(big);
    const p = heap.alloc(20000);
    expect(p).toBe(big);
    expect(heap.sizeOf(p)).toBe(sizeClass(40000).bytes);
    heap.free(rest);
  });

  it("allocBlock/freeBlock: zero-filled blocks without bookkeeping, reused by size class", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const a = heap.allocBlock(40);
    const keep = heap.allocBlock(8); // so that a is not the top block
    expect(heap.stats.liveBlocks).toBe(2);
    heap.views.u8.fill(7, a, a + 48);
    heap.freeBlock(a, 40);
    expect(heap.stats.liveBlocks).toBe(1);
    expect(heap.sizeOf(a)).toBeUndefined(); // not a tracked block
    const b = heap.allocBlock(33); // same class (48 bytes): the same block, zeroed again
    expect(b).toBe(a);
    expect([...heap.views.u8.subarray(b, b + 33)].every((v) => v === 0)).toBe(true);
    const big = heap.allocBlock(1000);
    heap.views.u8.fill(9, big, big + 1000);
    const spacer = heap.allocBlock(8);
    heap.freeBlock(big, 1000);
    const again = heap.allocBlock(1000);
    expect(again).toBe(big);
    expect([...heap.views.u8.subarray(again, again + 1000)].every((v) => v === 0)).toBe(true);
    heap.freeBlock(again, 1000);
    heap.freeBlock(b, 33);
    heap.freeBlock(keep, 8);
    heap.freeBlock(spacer, 8);
    expect(heap.stats.liveBlocks).toBe(0);
  });

  it("allocBlock(bytes, false) hands a reused block out as it is (no zeroing pass)", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const a = heap.allocBlock(1000);
    const keep = heap.allocBlock(8); // so that a is not the top block
    heap.views.u8.fill(5, a, a + 1000);
    heap.freeBlock(a, 1000);
    const b = heap.allocBlock(1000, false);
    expect(b).toBe(a);
    expect([...heap.views.u8.subarray(b, b + 1000)].every((v) => v === 5)).toBe(true);
    heap.freeBlock(b, 1000);
    expect(heap.allocBlock(1000)).toBe(a); // the default still zeroes
    expect([...heap.views.u8.subarray(a, a + 1000)].every((v) => v === 0)).toBe(true);
    heap.freeBlock(a, 1000);
    heap.freeBlock(keep, 8);
  });

  it("allocBlock takes a larger free block at the limit and frees it back to its own class", () => {
    const heap = new WasmHeap({ initialPages: 1, maximumPages: 2, reservedBytes: 16 });
    const big = heap.allocBlock(40000);
    const rest = heap.alloc(81920);
    heap.freeBlock(big, 40000);
    const live = heap.stats.liveBytes;
    const p = heap.allocBlock(20000);
    expect(p).toBe(big);
    expect(heap.stats.liveBytes).toBe(live + sizeClass(40000).bytes);
    heap.freeBlock(p, 20000);
    expect(heap.stats.liveBytes).toBe(live);
    expect(heap.allocBlock(40000)).toBe(big); // back in the 40 kB class
    heap.free(rest);
  });

  it("zero() clears exactly the range asked, on plain and shared memories", () => {
    for (const shared of [false, true]) {
      const heap = new WasmHeap({ initialPages: 64, shared });
      const p = heap.alloc(1 << 20);
      for (const [off, n] of [
        [0, 64],
        [3, 13],
        [8, 40],
        [5, 3000],
        [16, 1 << 19],
      ] as const) {
        const u8 = heap.views.u8;
        u8.fill(1, p, p + (1 << 20));
        heap.zero(p + off, n);
        expect(u8[p + off - 1] ?? 1).toBe(off === 0 ? u8[p - 1] : 1);
        expect(u8[p + off + n]).toBe(1);
        let zeros = 0;
        for (let i = p + off; i < p + off + n; i++) zeros += u8[i] === 0 ? 1 : 0;
        expect(zeros).toBe(n);
      }
      heap.free(p);
    }
  });

  it("skips zeroing memory never handed out, and zeroes a block given back from the top", () => {
    const heap = new WasmHeap({ initialPages: 1 });
    const a = heap.allocBlock(5000);
    expect([...heap.views.u8.subarray(a, a + 5000)].every((v) => v === 0)).toBe(true);
    heap.views.u8.fill(9, a, a + 5000);
    heap.freeBlock(a, 5000); // the top block: the bump pointer moves back over dirty bytes
    const b = heap.allocBlock(4000);
    expect(b).toBe(a);
    expect([...heap.views.u8.subarray(b, b + 4000)].every((v) => v === 0)).toBe(true);
    const c = heap.allocZeroed(3000);
    expect([...heap.views.u8.subarray(c, c + 3000)].every((v) => v === 0)).toBe(true);
    // a heap over a memory it did not create zeroes everything
    const other = new WasmHeap({ memory: heap.memory, reservedBytes: c + 4096 });
    heap.views.u8.fill(5, c + 4096, c + 8192);
    const d = other.allocBlock(4096);
    expect(d).toBe(c + 4096);
    expect([...other.views.u8.subarray(d, d + 4096)].every((v) => v === 0)).toBe(true);
  });
});
