// Minimal typed access to the global `WebAssembly` object, without lib "DOM" or Node typings.
// Declares only what this package uses, as plain interfaces, so that it never clashes with the
// full declarations a consumer's compilation may include.

/** A memory descriptor, as `new WebAssembly.Memory(descriptor)` takes it (sizes in 64 KiB pages). */
export interface WasmMemoryDescriptor {
  readonly initial: number;
  readonly maximum?: number;
  readonly shared?: boolean;
}

/** A `WebAssembly.Memory`: `buffer` is replaced (and, if not shared, detached) by `grow`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `delta` pages; returns the previous size in pages; throws a `RangeError` on failure. */
  grow(delta: number): number;
}

/** A compiled module. */
export type WasmModule = object;

/** An instantiated module: its exports. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** Values importable by a module: functions and memories, keyed by module then name. */
export type WasmImports = Record<string, Record<string, unknown>>;

/** The subset of the `WebAssembly` namespace this package uses. */
export interface WasmApi {
  readonly Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/**
 * Returns the runtime's `WebAssembly` object, or `undefined` where there is none.
 *
 * @example
 * const api = getWasmApi();
 * if (api) api.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])); // true
 */
export function getWasmApi(): WasmApi | undefined {
  const g = globalThis as { WebAssembly?: WasmApi };
  return g.WebAssembly;
}

/**
 * Returns the runtime's `WebAssembly` object, or throws an `Error` naming the missing feature.
 *
 * @example
 * const memory = wasmApi().Memory;
 */
export function wasmApi(): WasmApi {
  const api = getWasmApi();
  if (!api) throw new Error("@x/kernels-wasm: this runtime has no WebAssembly support");
  return api;
}
