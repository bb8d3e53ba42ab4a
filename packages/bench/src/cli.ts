/**
 * Command-line options of `pnpm bench` (after `--`): `--quick`, `--rounds=N`,
 * `--systems=a,b`, `--workloads=a,b`, `--threads=N` (the "all threads" count), `--out=DIR`,
 * `--digits=PATH`, `--python=PATH`, `--timeout=SECONDS` (per child process).
 */
import { availableParallelism } from "node:os";
import { WORKLOADS, type WorkloadId } from "./cases.js";
import { SYSTEMS, type SystemId } from "./protocol.js";

export interface Options {
  readonly quick: boolean;
  readonly rounds: number;
  readonly systems: readonly SystemId[];
  readonly workloads: readonly WorkloadId[];
  /** The thread count of the "all threads" rows. */
  readonly threads: number;
  readonly out: string;
  readonly digits?: string;
  readonly python: string;
  /** Per child process, seconds. */
  readonly timeout: number;
}

export const USAGE = `usage: pnpm bench [-- options]
  --quick               small sizes, few repetitions, 1 round (noisy; for development)
  --rounds=N            rounds of every process, systems in rotating order (default 3; quick 1)
  --systems=a,b         among ${SYSTEMS.join(", ")}
  --workloads=a,b       among ${WORKLOADS.join(", ")}
  --threads=N           thread count of the "all threads" rows (default: all cores)
  --out=DIR             where the JSON lines go (default: bench-results)
  --digits=PATH         the digits CSV (default: <repo>/../shared/data/digits.csv.gz)
  --python=PATH         the python with torch (default: /usr/bin/python3)
  --timeout=S           per child process (default 1200; quick 300)`;

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const s of items) {
    if (!allowed.includes(s as T))
      throw new Error(`unknown ${what} "${s}"; one of ${allowed.join(", ")}`);
  }
  return items as T[];
}

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${what} must be a positive integer, got "${value}"`);
  return n;
}

/** Parses the arguments; throws an `Error` with a message for a bad one. */
export function parseArgs(argv: readonly string[]): Options {
  const kv = new Map<string, string>();
  let quick = false;
  for (const a of argv) {
    if (a === "--") continue;
    if (a === "--quick") {
      quick = true;
      continue;
    }
    const m = /^--([a-z]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`unknown argument "${a}"\n${USAGE}`);
    kv.set(m[1]!, m[2]!);
  }
  const known = new Set([
    "rounds",
    "systems",
    "workloads",
    "threads",
    "out",
    "digits",
    "python",
    "timeout",
  ]);
  for (const k of kv.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const get = (k: string): string | undefined => kv.get(k);
  return {
    quick,
    rounds: get("rounds") ? positiveInt(get("rounds")!, "--rounds") : quick ? 1 : 3,
    systems: get("systems") ? list(get("systems")!, SYSTEMS, "system") : [...SYSTEMS],
    workloads: get("workloads") ? list(get("workloads")!, WORKLOADS, "workload") : [...WORKLOADS],
    threads: get("threads") ? positiveInt(get("threads")!, "--threads") : availableParallelism(),
    out: get("out") ?? "bench-results",
    ...(get("digits") ? { digits: get("digits")! } : {}),
    python: get("python") ?? "/usr/bin/python3",
    timeout: get("timeout") ? positiveInt(get("timeout")!, "--timeout") : quick ? 300 : 1200,
  };
}
