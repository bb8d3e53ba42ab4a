import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type OpsCase, runOpsCase, type Tolerance } from "./conformance/opsCases.js";
import { OPS_SKIPS } from "./conformance/skips.js";

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance");
const fx = JSON.parse(readFileSync(resolve(FIXTURES, "ops.json"), "utf8")) as {
  tolerance: { float32: Tolerance };
  cases: OpsCase[];
};
const cases = fx.cases.filter((c) => c.call.startsWith("torch.") || c.call.startsWith("Tensor."));

describe("ops.json conformance (torch.* and Tensor.* at the autograd level)", () => {
  it("passes every case that is not in the skip list", () => {
    const fails: string[] = [];
    let pass = 0;
    let skip = 0;
    for (const c of cases) {
      const reason = OPS_SKIPS[c.id];
      if (reason) {
        skip++;
        continue;
      }
      let d: string | null;
      try {
        d = runOpsCase(c, fx.tolerance.float32);
      } catch (e) {
        d = `threw ${(e as Error).message}`;
      }
      if (d === null) pass++;
      else fails.push(`${c.id}: ${d}`);
    }
    console.log(
      `conformance ops.json [autograd]: ${pass} passed, ${fails.length} failed, ${skip} skipped (of ${cases.length})` +
        fails.map((f) => `\n  fail ${f}`).join("") +
        Object.entries(OPS_SKIPS)
          .map(([id, r]) => `\n  skip ${id}: ${r}`)
          .join(""),
    );
    expect(fails).toEqual([]);
  });
});
