import { describe, expect, it } from "vitest";
import { parseArgs } from "./cli.js";
import { SYSTEMS } from "./protocol.js";

describe("parseArgs", () => {
  it("defaults to every system, 3 rounds", () => {
    const o = parseArgs([]);
    expect(o.systems).toEqual([...SYSTEMS]);
    expect(o.rounds).toBe(3);
    expect(o.quick).toBe(false);
    expect(o.threads).toBeGreaterThanOrEqual(1);
  });
  it("reads --quick and the lists (ignoring a lone --)", () => {
    const o = parseArgs([
      "--",
      "--quick",
      "--systems=x-ref,pytorch",
      "--workloads=add",
      "--threads=4",
    ]);
    expect(o.quick).toBe(true);
    expect(o.rounds).toBe(1);
    expect(o.systems).toEqual(["x-ref", "pytorch"]);
    expect(o.workloads).toEqual(["add"]);
    expect(o.threads).toBe(4);
  });
  it("rejects what it does not know", () => {
    expect(() => parseArgs(["--systems=numpy"])).toThrow(/unknown system "numpy"/);
    expect(() => parseArgs(["--rounds=0"])).toThrow(/positive integer/);
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument/);
    expect(() => parseArgs(["--color=1"])).toThrow(/unknown option --color/);
  });
});
