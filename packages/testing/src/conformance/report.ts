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
  constructor(readonly file: string, readonly layer: string) {}

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
