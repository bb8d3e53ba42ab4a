/**
 * Conformance reports: pass / fail / skip counts per fixture file, skips with their reasons.
 */

export interface CaseResult {
  id: string;
  status: "pass" | "fail" | "skip";
  detail?: string;
}

export class Report {
  readonly results: CaseResult[] = [];
  constructor(
    readonly file: string,
    readonly layer: string,
  ) {}

  pass(id: string): void {
    this.results.push({ id, status: "pass" });
  }

  fail(id: string, detail: string): void {
    this.results.push({ id, status: "fail", detail });
  }

  skip(id: string, reason: string): void {
    this.results.push({ id, status: "skip", detail: reason });
  }

  count(status: CaseResult["status"]): number {
    return this.results.filter((r) => r.status === status).length;
  }

  /** One summary line (`N passed, N failed, N skipped`), then failures and skip reasons. */
  toString(): string {
    const lines = [
      `conformance ${this.file} [${this.layer}]: ${this.count("pass")} passed, ${this.count("fail")} failed, ${this.count("skip")} skipped`,
    ];
    for (const r of this.results) {
      if (r.status !== "pass") lines.push(`  ${r.status} ${r.id}: ${r.detail}`);
    }
    return lines.join("\n");
  }
}

/**
 * Runs `cases` into `report`: a case listed in `skips` is skipped with its reason, a thrown error
 * is a failure, `run` returns null on a pass or what differs.
 */
export function runCases<C extends { id: string }>(
  report: Report,
  cases: readonly C[],
  skips: Record<string, string>,
  run: (c: C) => string | null,
): Report {
  for (const c of cases) {
    const reason = skips[c.id];
    if (reason !== undefined) {
      report.skip(c.id, reason);
      continue;
    }
    let d: string | null;
    try {
      d = run(c);
    } catch (e) {
      d = `threw ${(e as Error).message}`;
    }
    d === null ? report.pass(c.id) : report.fail(c.id, d);
  }
  return report;
}
