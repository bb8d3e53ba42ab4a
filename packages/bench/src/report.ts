/**
 * From samples to results: medians over rounds per (case, threads, system), ratios of x to the
 * best npm peer and to PyTorch, the printed table, and the JSON lines kept for tracking.
 */
import { type Case, flopsPerIteration, metric, secondsPer, speedup } from "./cases.js";
import { NPM_PEERS, type Sample, type Status, type SystemId, X_SYSTEMS } from "./protocol.js";
import { median } from "./stats.js";

/** The result of one (case, threads, system): the median over rounds, or why there is none. */
export interface Cell {
  readonly status: Status;
  /** In the case's unit (status `ok`). */
  readonly value?: number;
  /** Rounds that measured it. */
  readonly rounds: number;
  readonly note?: string;
  readonly extra?: Readonly<Record<string, number>>;
}

/** One table row: a case at one thread count. */
export interface Row {
  readonly case: Case;
  readonly threads: number;
  readonly cells: ReadonlyMap<SystemId, Cell>;
  /** The x system the ratios use (x-wasm when measured, else x-ref). */
  readonly x?: SystemId;
  readonly bestPeer?: SystemId;
  /** x's speed over the best peer's and over PyTorch's (> 1: x is faster). */
  readonly vsBestPeer?: number;
  readonly vsPytorch?: number;
  /** x's GFLOP/s over the SIMD128 ceiling of the threads it ran on (cases that count flops). */
  readonly ofCeiling?: number;
}

/** A sample with the round it came from. */
export interface RoundSample extends Sample {
  readonly round: number;
}

const key = (caseId: string, threads: number, system: string): string =>
  `${caseId}|${threads}|${system}`;

/** Combines the samples of one (case, threads, system) over rounds. */
export function combine(c: Case, samples: readonly RoundSample[]): Cell {
  const ok = samples.filter((s) => s.status === "ok" && s.seconds !== undefined);
  if (ok.length > 0) {
    const seconds = median(ok.map((s) => s.seconds!));
    const lastExtra = ok[ok.length - 1]!.extra;
    const failed = samples.length - ok.length;
    const notes = new Set(ok.map((s) => s.note).filter((n) => n !== undefined));
    if (failed > 0) {
      notes.add(`${failed} round(s) failed: ${samples.find((s) => s.status !== "ok")?.note}`);
    }
    return {
      status: "ok",
      value: metric(c, seconds),
      rounds: ok.length,
      ...(notes.size > 0 ? { note: [...notes].join("; ") } : {}),
      ...(lastExtra ? { extra: lastExtra } : {}),
    };
  }
  const first = samples[0];
  if (!first) return { status: "error", rounds: 0, note: "no result (the process died?)" };
  return { status: first.status, rounds: 0, ...(first.note ? { note: first.note } : {}) };
}

/**
 * Builds the rows: each case at one thread, and threaded cases also at `threads`. A system with
 * no sample for a row gets `fallback(system, threads)` (e.g. n/a for single-threaded systems).
 * `ceiling` (GFLOP/s of one core's SIMD128 mul+add, measured) gives the rows' `ofCeiling`.
 */
export function buildRows(
  cases: readonly Case[],
  systems: readonly SystemId[],
  threads: number,
  samples: readonly RoundSample[],
  fallback: (system: SystemId, threads: number) => Cell,
  ceiling?: number,
): Row[] {
  const groups = new Map<string, RoundSample[]>();
  for (const s of samples) {
    const k = key(s.caseId, s.threads, s.system);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const rows: Row[] = [];
  for (const c of cases) {
    for (const t of c.threaded && threads > 1 ? [1, threads] : [1]) {
      const cells = new Map<SystemId, Cell>();
      for (const sys of systems) {
        const g = groups.get(key(c.id, t, sys));
        cells.set(sys, g ? combine(c, g) : fallback(sys, t));
      }
      const row: Row = { case: c, threads: t, cells, ...ratios(c, cells) };
      const share = ceiling ? ceilingShare(row, ceiling) : undefined;
      rows.push(share === undefined ? row : { ...row, ofCeiling: share });
    }
  }
  return rows;
}

function ratios(c: Case, cells: ReadonlyMap<SystemId, Cell>): Partial<Row> {
  const val = (s: SystemId): number | undefined => {
    const cell = cells.get(s);
    return cell?.status === "ok" ? cell.value : undefined;
  };
  const x = X_SYSTEMS.find((s) => val(s) !== undefined);
  let bestPeer: SystemId | undefined;
  for (const p of NPM_PEERS) {
    const v = val(p);
    if (v === undefined) continue;
    if (bestPeer === undefined || speedup(c, v, val(bestPeer)!) > 1) bestPeer = p;
  }
  const out: { x?: SystemId; bestPeer?: SystemId; vsBestPeer?: number; vsPytorch?: number } = {};
  if (bestPeer) out.bestPeer = bestPeer;
  if (x === undefined) return out;
  out.x = x;
  const xv = val(x)!;
  if (bestPeer) out.vsBestPeer = speedup(c, xv, val(bestPeer)!);
  const pt = val("pytorch");
  if (pt !== undefined) out.vsPytorch = speedup(c, xv, pt);
  return out;
}

/** The row's x figure as a fraction of `threads` cores' SIMD128 ceiling (GFLOP/s each). */
function ceilingShare(row: Row, ceiling: number): number | undefined {
  const flops = flopsPerIteration(row.case);
  const cell = row.x === "x-wasm" ? row.cells.get("x-wasm") : undefined;
  if (flops === undefined || cell?.status !== "ok" || !(ceiling > 0)) return undefined;
  return flops / secondsPer(row.case, cell.value!) / 1e9 / (ceiling * row.threads);
}

/** A number with three significant digits (no exponent for the usual ranges). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.001) return v.toPrecision(3);
  return v.toExponential(2);
}

const STATUS_TEXT: Record<Exclude<Status, "ok">, string> = {
  na: "n/a",
  notyet: "not yet",
  cannot: "cannot",
  absent: "absent",
  error: "error",
};

function cellText(cell: Cell): string {
  return cell.status === "ok" ? fmt(cell.value!) : STATUS_TEXT[cell.status];
}

function ratioText(r: number | undefined, x: SystemId | undefined): string {
  if (r === undefined) return "—";
  return `${fmt(r)}×${x === "x-ref" ? " ref" : ""}`;
}

/** A row's label: the case, its unit, and the thread count for threaded cases. */
export function rowLabel(row: Row): string {
  const thr = row.case.threaded ? `, ${row.threads} thr` : "";
  return `${row.case.label}${thr} (${row.case.unit})`;
}

/** The table as text, with the notes that explain non-numeric cells. */
export function formatTable(
  rows: readonly Row[],
  systems: readonly SystemId[],
  ceiling?: number,
): string {
  const header = ["workload", ...systems, "best peer", "x/peer", "x/torch", "x/ceil"];
  const body = rows.map((r) => [
    rowLabel(r),
    ...systems.map((s) => cellText(r.cells.get(s)!)),
    r.bestPeer ?? "—",
    ratioText(r.vsBestPeer, r.x),
    ratioText(r.vsPytorch, r.x),
    r.ofCeiling === undefined ? "—" : `${(100 * r.ofCeiling).toFixed(0)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]): string =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  out.push(
    "",
    "x/peer, x/torch: x's speed over the best npm peer's and over PyTorch's at the same thread count",
    "(> 1: x is faster; from x-wasm, or from x-ref when marked 'ref'). Medians over rounds.",
  );
  if (ceiling) {
    out.push(
      `x/ceil: x-wasm's GFLOP/s in the products (matmul, convolutions, linear layers; forward and`,
      `backward) over the SIMD128 mul+add ceiling measured on this machine, ${fmt(ceiling)} GFLOP/s per`,
      "core, times the threads: the share of what any SIMD128 code without FMA could reach.",
    );
  }
  const notes = new Map<string, string[]>();
  for (const r of rows) {
    for (const s of systems) {
      const cell = r.cells.get(s)!;
      if (!cell.note) continue;
      const k = `${s}: ${cell.status === "ok" ? "" : `${STATUS_TEXT[cell.status as Exclude<Status, "ok">]} — `}${cell.note}`;
      const where = notes.get(k);
      const label = `${r.case.id}@${r.threads}`;
      if (where) where.push(label);
      else notes.set(k, [label]);
    }
  }
  if (notes.size > 0) {
    out.push("", "Notes:");
    for (const [k, where] of notes) {
      const at =
        where.length > 4
          ? `${where.slice(0, 3).join(", ")} and ${where.length - 3} more`
          : where.join(", ");
      out.push(`  ${k} [${at}]`);
    }
  }
  const extras: string[] = [];
  for (const r of rows) {
    for (const s of systems) {
      const e = r.cells.get(s)!.extra;
      if (
        e &&
        (r.case.workload === "digits" || r.case.workload === "mlp" || r.case.workload === "cnn")
      ) {
        extras.push(
          `  ${r.case.id}@${r.threads} ${s}: ${Object.entries(e)
            .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : fmt(v)}`)
            .join(" ")}`,
        );
      }
    }
  }
  if (extras.length > 0)
    out.push("", "Sanity (loss after the timed steps / last epoch):", ...extras);
  return out.join("\n");
}

/** The JSON lines of the median cells and ratios (the samples are written as they come). */
export function resultLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    for (const [system, cell] of r.cells) {
      lines.push(
        JSON.stringify({
          type: "median",
          caseId: r.case.id,
          label: r.case.label,
          unit: r.case.unit,
          threads: r.threads,
          system,
          ...cell,
        }),
      );
    }
    lines.push(
      JSON.stringify({
        type: "ratio",
        caseId: r.case.id,
        threads: r.threads,
        x: r.x ?? null,
        bestPeer: r.bestPeer ?? null,
        vsBestPeer: r.vsBestPeer ?? null,
        vsPytorch: r.vsPytorch ?? null,
      }),
    );
  }
  return lines;
}
