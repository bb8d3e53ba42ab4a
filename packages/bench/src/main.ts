/**
 * `pnpm bench`: runs every selected system in its own process (one per system and thread
 * count), in rotating order, for several rounds; prints the table of medians with ratios to the
 * best npm peer and to PyTorch; writes JSON lines to bench-results/. Options: see cli.ts.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { simdCeilingGflops } from "@x/kernels-wasm";
import { type Case, makeCases } from "./cases.js";
import { type Options, parseArgs } from "./cli.js";
import { defaultDigitsPath } from "./digits.js";
import { decodeSamples, type Sample, type SystemId } from "./protocol.js";
import { buildRows, type Cell, formatTable, type RoundSample, resultLines } from "./report.js";
import { THREADED } from "./systems/system.js";

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** One child process: a system at a thread count, with its cases. */
interface Job {
  readonly system: SystemId;
  readonly threads: number;
  readonly cases: readonly Case[];
}

/** The processes of one round: each system on one thread, and on all threads where it can. */
export function planJobs(
  systems: readonly SystemId[],
  cases: readonly Case[],
  threads: number,
): Job[] {
  const jobs: Job[] = [];
  for (const system of systems) {
    jobs.push({ system, threads: 1, cases });
    const threaded = cases.filter((c) => c.threaded);
    if (threads > 1 && THREADED.has(system) && threaded.length > 0) {
      jobs.push({ system, threads, cases: threaded });
    }
  }
  return jobs;
}

/** Runs one job; resolves with its samples (errors for cases it did not report). */
function runJob(job: Job, opts: Options, digits: string): Promise<Sample[]> {
  const casesJson = JSON.stringify(job.cases);
  const [cmd, args] =
    job.system === "pytorch"
      ? [opts.python, [join(PKG, "python/torch_bench.py"), String(job.threads), casesJson, digits]]
      : [
          process.execPath,
          [join(PKG, "dist/child.js"), job.system, String(job.threads), casesJson, digits],
        ];
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeout * 1000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const finish = (why: string | null): void => {
      let samples: Sample[] = [];
      try {
        samples = decodeSamples(stdout);
      } catch (e) {
        why = `unreadable output: ${String(e)}`;
      }
      const seen = new Set(samples.map((s) => s.caseId));
      const lastErr =
        stderr
          .trim()
          .split("\n")
          .filter((l) => l.trim() !== "")
          .slice(-1)[0] ?? "";
      for (const c of job.cases) {
        if (seen.has(c.id)) continue;
        const absent = job.system === "pytorch" && /ENOENT/.test(why ?? "");
        samples.push({
          system: job.system,
          threads: job.threads,
          caseId: c.id,
          status: absent ? "absent" : "error",
          note: absent
            ? `no python at ${opts.python}`
            : `${why ?? "no result"}${lastErr ? `: ${lastErr.slice(0, 200)}` : ""}`,
        });
      }
      done(samples);
    };
    child.on("error", (e) => finish(e.message));
    child.on("close", (code, signal) =>
      finish(
        code === 0
          ? null
          : signal
            ? `killed by ${signal} (timeout ${opts.timeout} s?)`
            : `exit code ${code}`,
      ),
    );
  });
}

function gitCommit(): string | null {
  try {
    const root = resolve(PKG, "../..");
    const head = readFileSync(join(root, ".git/HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = join(root, ".git", head.slice(5));
    return existsSync(ref) ? readFileSync(ref, "utf8").trim() : head.slice(5);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const cases = makeCases({ quick: opts.quick, workloads: opts.workloads });
  const digits = opts.digits ?? defaultDigitsPath();
  const jobs = planJobs(opts.systems, cases, opts.threads);
  // this core's SIMD128 ceiling, before any child runs (nothing else of the bench is running)
  const ceiling = simdCeilingGflops();
  const outDir = resolve(PKG, opts.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const outFile = join(outDir, `${stamp}${opts.quick ? "-quick" : ""}.jsonl`);
  const write = (o: object): void => appendFileSync(outFile, `${JSON.stringify(o)}\n`);
  write({
    type: "run",
    time: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    simd128CeilingGflops: ceiling,
    quick: opts.quick,
    rounds: opts.rounds,
    threads: opts.threads,
    systems: opts.systems,
    cases: cases.map((c) => c.id),
  });
  if (opts.quick)
    console.log("QUICK RUN: small sizes, few repetitions, 1 round: the figures are noisy.\n");
  const samples: RoundSample[] = [];
  const t0 = performance.now();
  for (let round = 0; round < opts.rounds; round++) {
    // Rotate the order each round, so that no system always runs first (or after the same one).
    const k = round % jobs.length;
    for (const job of [...jobs.slice(k), ...jobs.slice(0, k)]) {
      const start = performance.now();
      const got = await runJob(job, opts, digits);
      const secs = ((performance.now() - start) / 1e3).toFixed(1);
      const ok = got.filter((s) => s.status === "ok").length;
      console.error(
        `round ${round + 1}/${opts.rounds}: ${job.system} (${job.threads} thr): ${ok}/${got.length} measured, ${secs} s`,
      );
      for (const s of got) {
        const rs = { ...s, round };
        samples.push(rs);
        write({ type: "sample", ...rs });
      }
    }
  }
  const fallback = (system: SystemId, threads: number): Cell =>
    threads > 1 && !THREADED.has(system)
      ? {
          status: "na",
          rounds: 0,
          note:
            system === "x-ref" ? "the reference backend has one thread" : "one thread only in Node",
        }
      : { status: "error", rounds: 0, note: "not run" };
  const rows = buildRows(cases, opts.systems, opts.threads, samples, fallback, ceiling);
  for (const line of resultLines(rows)) appendFileSync(outFile, `${line}\n`);
  console.log(formatTable(rows, opts.systems, ceiling));
  const total = ((performance.now() - t0) / 1e3).toFixed(0);
  console.log(`\n${opts.rounds} round(s) in ${total} s; JSON lines: ${outFile}`);
}

await main();
