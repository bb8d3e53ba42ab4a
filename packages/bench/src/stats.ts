/**
 * Timing: the median, and the measuring loop every system uses (untimed warm-up, then timed
 * iterations until the case's repetition policy is satisfied).
 */
import type { RepPolicy } from "./cases.js";

/** The median (the mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One iteration of a workload: synchronous, or a promise for systems that compute asynchronously. */
export type Iteration = () => unknown;

/** A clock in seconds (injectable for tests). */
export type Clock = () => number;

const defaultClock: Clock = () => performance.now() / 1e3;

/**
 * Runs `iter` under `policy` and returns the timed seconds of each iteration.
 *
 * @example
 * const times = await measure(() => work(), { warmup: 1, minReps: 3, maxReps: 10, minSeconds: 0.1, maxSeconds: 2 });
 * median(times);
 */
export async function measure(
  iter: Iteration,
  policy: RepPolicy,
  clock: Clock = defaultClock,
): Promise<number[]> {
  for (let i = 0; i < policy.warmup; i++) {
    const t0 = clock();
    await iter();
    // A slow workload gets one warm-up only.
    if (clock() - t0 > policy.maxSeconds / 4) break;
  }
  const times: number[] = [];
  const start = clock();
  for (;;) {
    const t0 = clock();
    await iter();
    const t1 = clock();
    times.push(t1 - t0);
    const spent = t1 - start;
    if (times.length >= policy.maxReps) break;
    if (times.length >= policy.minReps && spent >= policy.minSeconds) break;
    if (times.length >= 2 && spent >= policy.maxSeconds) break;
  }
  return times;
}
