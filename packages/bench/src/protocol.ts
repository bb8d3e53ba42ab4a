/**
 * What the orchestrator and the per-system child processes say to each other: the systems, the
 * statuses a measurement can have, and the one-line JSON records a child prints on stdout (with a
 * prefix, so that whatever a library prints itself is ignored).
 */

/** The systems measured, in table order. */
export const SYSTEMS = [
  "x-wasm",
  "x-ref",
  "pytorch",
  "onnxruntime",
  "tfjs-wasm",
  "jax-js",
  "tfjs-cpu",
] as const;
export type SystemId = (typeof SYSTEMS)[number];

/** The systems of this project (x on each backend); the rest are peers. */
export const X_SYSTEMS: readonly SystemId[] = ["x-wasm", "x-ref"];

/** npm peers, against which "best peer" is taken (PyTorch is compared separately). */
export const NPM_PEERS: readonly SystemId[] = ["onnxruntime", "tfjs-wasm", "jax-js", "tfjs-cpu"];

/**
 * - `ok`: measured;
 * - `na`: the system does not do this (onnxruntime cannot train; a system without threads);
 * - `notyet`: the API this needs is not exported by x yet;
 * - `cannot`: the system lacks a piece the workload needs (tfjs-wasm: no conv weight gradient);
 * - `absent`: the system is not installed (PyTorch);
 * - `error`: it failed; `note` says how.
 */
export type Status = "ok" | "na" | "notyet" | "cannot" | "absent" | "error";

/** One measurement as a child reports it: seconds per iteration (median within the process). */
export interface Sample {
  readonly system: SystemId;
  readonly threads: number;
  readonly caseId: string;
  readonly status: Status;
  /** Median seconds per iteration (status `ok`). */
  readonly seconds?: number;
  /** Every timed iteration, seconds. */
  readonly times?: readonly number[];
  readonly note?: string;
  /** Extra figures (final loss, accuracy…) for sanity checks. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Prefix of the lines that carry a `Sample` on a child's stdout. */
export const LINE_PREFIX = "@@bench ";

/** Encodes a sample as one stdout line. */
export function encodeSample(s: Sample): string {
  return `${LINE_PREFIX}${JSON.stringify(s)}`;
}

/** Extracts the samples from a child's stdout, ignoring every other line. */
export function decodeSamples(stdout: string): Sample[] {
  const out: Sample[] = [];
  for (const line of stdout.split("\n")) {
    const i = line.indexOf(LINE_PREFIX);
    if (i < 0) continue;
    out.push(JSON.parse(line.slice(i + LINE_PREFIX.length)) as Sample);
  }
  return out;
}

/** A status for a failure that is not a bug of the benchmark: thrown by systems' `prepare`. */
export class StatusError extends Error {
  readonly status: Exclude<Status, "ok">;
  constructor(status: Exclude<Status, "ok">, message: string) {
    super(message);
    this.status = status;
    this.name = "StatusError";
  }
}

/** Shorthands for the common `StatusError`s. */
export const notApplicable = (why: string): StatusError => new StatusError("na", why);
export const notYet = (why: string): StatusError => new StatusError("notyet", why);
export const cannot = (why: string): StatusError => new StatusError("cannot", why);
