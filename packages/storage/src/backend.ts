/**
 * The backend interface: where storages live and which kernels compute on them. The reference
 * backend (plain TypeScript, JS-heap buffers) is the default and the oracle; `@x/kernels-wasm`
 * provides a faster one. `setBackend` selects the backend new arrays are created on.
 */
import type { Kernels } from "./kernels/index.js";
import { referenceBackend } from "./reference/index.js";

/** A block of bytes: `buffer` from byte `ptr`. `buffer` may change when memory grows. */
export interface Allocation {
  readonly ptr: number;
  readonly buffer: ArrayBufferLike;
}

export interface Backend {
  readonly name: string;
  readonly kernels: Kernels;
  /**
   * `byteLength` bytes, zero-filled unless `zeroed` is false (then their contents are
   * unspecified: for outputs that a kernel overwrites entirely).
   */
  alloc(byteLength: number, zeroed?: boolean): Allocation;
  free(allocation: Allocation): void;
}

let current: Backend = referenceBackend;

/** The backend new arrays are allocated on (the reference backend unless one was set). */
export function getBackend(): Backend {
  return current;
}

/** Selects the backend for new arrays (and for ops on them). Returns the previous one. */
export function setBackend(backend: Backend): Backend {
  const prev = current;
  current = backend;
  return prev;
}
