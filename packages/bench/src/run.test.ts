// A smoke test of the harness in-process: real systems (x on its reference backend,
// onnxruntime-node) on tiny cases, reporting through the same path as a child process.
import { describe, expect, it } from "vitest";
import type { Case } from "./cases.js";
import type { Sample } from "./protocol.js";
import { runCases } from "./run.js";
import { findWasmBackend, isBackend } from "./systems/x.js";

const tiny = { warmup: 1, minReps: 2, maxReps: 3, minSeconds: 0, maxSeconds: 1 };
const mm: Case = {
  id: "matmul:8",
  workload: "matmul",
  label: "matmul 8³",
  unit: "GFLOP/s",
  higherIsBetter: true,
  threaded: true,
  params: { n: 8 },
  reps: tiny,
};
const mlp: Case = {
  ...mm,
  id: "mlp",
  workload: "mlp",
  label: "MLP",
  unit: "ms",
  params: { batch: 4, lr: 0.01 },
};

async function collect(
  system: Sample["system"],
  threads: number,
  cases: Case[],
): Promise<Sample[]> {
  const out: Sample[] = [];
  await runCases(system, threads, cases, (s) => out.push(s));
  return out;
}

describe("runCases", () => {
  it("measures x on the reference backend", async () => {
    const [s] = await collect("x-ref", 1, [mm]);
    expect(s!.status).toBe("ok");
    expect(s!.seconds!).toBeGreaterThan(0);
    expect(s!.times!.length).toBeGreaterThanOrEqual(2);
  });
  it("reports a status, not a crash, for what a system cannot do", async () => {
    const [a, b] = await collect("onnxruntime", 1, [mm, mlp]);
    expect(a!.status).toBe("ok");
    expect(b!.status).toBe("na");
    const [r] = await collect("x-ref", 2, [mm]);
    expect(r!.status).toBe("na");
  });
});

describe("findWasmBackend", () => {
  const backend = { name: "wasm", kernels: {}, alloc: () => ({}), free: () => {} };
  const storage = { getBackend: () => ({ name: "reference", kernels: {}, alloc() {}, free() {} }) };
  it("recognizes a backend", () => {
    expect(isBackend(backend)).toBe(true);
    expect(isBackend({ kernels: {} })).toBe(false);
  });
  it("uses createWasmBackend, else a factory named like a backend", async () => {
    expect(await findWasmBackend(storage, { createWasmBackend: () => backend })).toBe(backend);
    expect(await findWasmBackend(storage, { makeBackend: () => backend, other: 1 })).toBe(backend);
    expect(await findWasmBackend(storage, { nothing: 1 })).toBeUndefined();
  });
  it("takes the current backend when x already selected the WASM one", async () => {
    expect(await findWasmBackend({ getBackend: () => backend }, {})).toBe(backend);
  });
});
