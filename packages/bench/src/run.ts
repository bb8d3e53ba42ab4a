/**
 * Runs cases on one JS system with one thread count (the body of a child process): init the
 * system, then per case prepare, measure and report one sample; failures become statuses.
 */
import type { Case } from "./cases.js";
import { type Digits, loadDigits } from "./digits.js";
import { type Sample, StatusError, type SystemId } from "./protocol.js";
import { measure, median } from "./stats.js";
import type { Context, SystemImpl } from "./systems/system.js";

/** Makes the implementation of a JS system (PyTorch runs in python, not here). */
export async function makeSystem(id: SystemId): Promise<SystemImpl> {
  switch (id) {
    case "x-wasm":
    case "x-ref":
      return new (await import("./systems/x.js")).XSystem(id === "x-wasm" ? "wasm" : "ref");
    case "tfjs-wasm":
    case "tfjs-cpu":
      return new (await import("./systems/tfjs.js")).TfjsSystem(
        id === "tfjs-wasm" ? "wasm" : "cpu",
      );
    case "jax-js":
      return new (await import("./systems/jax.js")).JaxSystem();
    case "onnxruntime":
      return new (await import("./systems/onnx.js")).OnnxSystem();
    case "pytorch":
      throw new Error("pytorch runs through python/torch_bench.py");
  }
}

function fmtEpochs(c: Case, scale: number): string {
  const epochs = c.params.epochs ?? 1;
  return `${Math.round(epochs / scale)} of ${epochs} epochs`;
}

function failure(e: unknown): { status: Sample["status"]; note: string } {
  if (e instanceof StatusError) return { status: e.status, note: e.message };
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { status: "error", note: msg.split("\n")[0]!.slice(0, 300) };
}

/** Runs `cases` on `system`, calling `emit` with each sample. */
export async function runCases(
  system: SystemId,
  threads: number,
  cases: readonly Case[],
  emit: (s: Sample) => void,
  digitsPath?: string,
): Promise<void> {
  const base = { system, threads };
  let impl: SystemImpl;
  try {
    impl = await makeSystem(system);
    await impl.init(threads);
  } catch (e) {
    for (const c of cases) emit({ ...base, caseId: c.id, ...failure(e) });
    return;
  }
  let digits: Digits | undefined;
  const ctx: Context = { digits: () => (digits ??= loadDigits(digitsPath)) };
  for (const c of cases) {
    try {
      const p = await impl.prepare(c, ctx);
      try {
        const times = await measure(p.run, c.reps);
        const extra = p.extra?.();
        const scale = p.scale?.() ?? 1;
        const note = [
          p.note,
          scale !== 1
            ? `extrapolated from ${fmtEpochs(c, scale)} (time budget ${c.params.budget} s)`
            : undefined,
        ].filter((s) => s !== undefined);
        emit({
          ...base,
          caseId: c.id,
          status: "ok",
          seconds: median(times) * scale,
          times,
          ...(extra ? { extra } : {}),
          ...(note.length > 0 ? { note: note.join("; ") } : {}),
        });
      } finally {
        p.dispose?.();
      }
    } catch (e) {
      emit({ ...base, caseId: c.id, ...failure(e) });
    }
  }
}
