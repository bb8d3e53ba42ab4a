/**
 * The child process of one system and thread count: runs the cases given as JSON and prints one
 * `@@bench` line per case (protocol.ts). Started by main.ts as
 * `node dist/child.js <system> <threads> <cases-json> [digits.csv.gz]`.
 */
import type { Case } from "./cases.js";
import { encodeSample, type SystemId } from "./protocol.js";
import { runCases } from "./run.js";

async function main(): Promise<void> {
  const [system, threads, casesJson, digitsPath] = process.argv.slice(2);
  const cases = JSON.parse(casesJson ?? "[]") as Case[];
  await runCases(
    system as SystemId,
    Number(threads),
    cases,
    (s) => process.stdout.write(`${encodeSample(s)}\n`),
    digitsPath,
  );
}

main().then(
  // Worker pools (jax-js) and native thread pools keep the process alive: leave explicitly.
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
