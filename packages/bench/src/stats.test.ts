import { describe, expect, it } from "vitest";
import type { RepPolicy } from "./cases.js";
import { measure, median } from "./stats.js";

/** A clock that advances by `step` seconds per iteration (read twice per iteration). */
function fakeClock(iterSeconds: number): {
  clock: () => number;
  iter: () => void;
  calls: () => number;
} {
  let now = 0;
  let n = 0;
  return {
    clock: () => now,
    iter: () => {
      n++;
      now += iterSeconds;
    },
    calls: () => n,
  };
}

const policy = (p: Partial<RepPolicy>): RepPolicy => ({
  warmup: 0,
  minReps: 1,
  maxReps: 100,
  minSeconds: 0,
  maxSeconds: 100,
  ...p,
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
  it("does not reorder its argument", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe("measure", () => {
  it("runs the warm-up untimed, then at least minReps until minSeconds", async () => {
    const f = fakeClock(0.1);
    const times = await measure(
      f.iter,
      policy({ warmup: 2, minReps: 3, minSeconds: 0.55 }),
      f.clock,
    );
    expect(times.length).toBe(6); // 0.6 s ≥ 0.55 s after 6 timed iterations
    expect(f.calls()).toBe(8);
    for (const t of times) expect(t).toBeCloseTo(0.1);
  });
  it("stops at maxReps", async () => {
    const f = fakeClock(0.001);
    const times = await measure(
      f.iter,
      policy({ minReps: 1, maxReps: 7, minSeconds: 10 }),
      f.clock,
    );
    expect(times.length).toBe(7);
  });
  it("stops a slow workload after two iterations past maxSeconds, and warms it up once", async () => {
    const f = fakeClock(5);
    const times = await measure(f.iter, policy({ warmup: 3, minReps: 5, maxSeconds: 8 }), f.clock);
    expect(times.length).toBe(2);
    expect(f.calls()).toBe(3);
  });
  it("awaits asynchronous iterations", async () => {
    let done = 0;
    const times = await measure(
      async () => {
        await new Promise((r) => setTimeout(r, 1));
        done++;
      },
      policy({ minReps: 2, maxReps: 2 }),
    );
    expect(done).toBe(2);
    expect(times.every((t) => t > 0)).toBe(true);
  });
});
