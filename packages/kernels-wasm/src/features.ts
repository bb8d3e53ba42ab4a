// Runtime feature detection: WebAssembly itself, SIMD128, threads (SharedArrayBuffer, shared
// memory, atomics) and relaxed SIMD. Each is detected by validating or constructing something
// tiny, never assumed; relaxed SIMD is optional (Node 20 lacks it without flags).

import { ModuleBuilder } from "./asm/moduleBuilder";
import { getWasmApi } from "./wasmApi";

/** What the runtime supports. */
export interface WasmFeatures {
  /** WebAssembly is available at all. */
  readonly wasm: boolean;
  /** SIMD128 (`v128`, `f32x4.*`). */
  readonly simd: boolean;
  /** Shared memories, atomics and `SharedArrayBuffer`, so that workers can share one memory. */
  readonly threads: boolean;
  /** Why `threads` is false, or `undefined` when it is true. */
  readonly threadsUnavailableReason: string | undefined;
  /** Relaxed SIMD (`f32x4.relaxed_madd`, …). */
  readonly relaxedSimd: boolean;
}

function validates(build: (m: ModuleBuilder) => void): boolean {
  const api = getWasmApi();
  if (!api) return false;
  try {
    const m = new ModuleBuilder();
    build(m);
    return api.validate(m.toBytes());
  } catch {
    return false;
  }
}

function simdModule(m: ModuleBuilder): void {
  m.func({ name: "f", params: {}, result: "f32" }, (b) => {
    b.f32x4.extractLane(
      0,
      b.f32x4.add(b.f32x4.splat(b.f32.const(1)), b.v128.const(new Uint8Array(16))),
    );
  });
}

function relaxedModule(m: ModuleBuilder): void {
  m.func({ name: "f", params: {}, result: "f32" }, (b) => {
    const one = () => b.f32x4.splat(b.f32.const(1));
    b.f32x4.extractLane(0, b.f32x4.relaxedMadd(one(), one(), one()));
  });
}

function threadsReason(): string | undefined {
  const api = getWasmApi();
  if (!api) return "WebAssembly is not available";
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated)";
  }
  if (typeof Atomics !== "object") return "Atomics is not available";
  try {
    const mem = new api.Memory({ initial: 1, maximum: 1, shared: true });
    if (!((mem.buffer as unknown) instanceof SharedArrayBuffer)) {
      return "a shared WebAssembly.Memory is not backed by a SharedArrayBuffer";
    }
  } catch {
    return "shared WebAssembly memories are not supported";
  }
  const ok = validates((m) => {
    m.importMemory("env", "memory", { initial: 1, maximum: 1, shared: true });
    m.func({ name: "f", params: { p: "i32" }, result: "i32" }, (b, p) => {
      b.atomic.i32RmwAdd(p.p.get(), b.i32.const(1));
    });
  });
  return ok ? undefined : "WebAssembly atomics do not validate";
}

let cached: WasmFeatures | undefined;

/**
 * Detects (once, then cached) what the runtime supports.
 *
 * @example
 * const f = detectFeatures();
 * if (!f.threads) console.warn(`single-threaded: ${f.threadsUnavailableReason}`);
 */
export function detectFeatures(): WasmFeatures {
  if (cached) return cached;
  const wasm = getWasmApi() !== undefined && validates(() => {});
  const simd = wasm && validates(simdModule);
  const reason = threadsReason();
  cached = Object.freeze({
    wasm,
    simd,
    threads: reason === undefined,
    threadsUnavailableReason: reason,
    relaxedSimd: simd && validates(relaxedModule),
  });
  return cached;
}
