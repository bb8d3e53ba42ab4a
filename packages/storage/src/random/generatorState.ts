// Serialization of the CPU generator's state in the byte layout of `torch.get_rng_state()`
// (`CPUGeneratorImplState`, 5056 bytes, little endian), so states move between PyTorch and here.

import { MT_STATE_N, type MT19937 } from "./mt19937.js";

/** Size in bytes of PyTorch's CPU generator state. */
export const STATE_BYTES = 5056;
/** Size in bytes of the legacy `THGeneratorState` (no float normal), still accepted on load. */
export const LEGACY_STATE_BYTES = 5048;

const OFF_SEED = 0;
const OFF_LEFT = 8;
const OFF_SEEDED = 12;
const OFF_NEXT = 16;
const OFF_STATE = 24;
const OFF_NORMAL_X = OFF_STATE + MT_STATE_N * 8;
const OFF_NORMAL_Y = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO = OFF_NORMAL_Y + 8;
const OFF_NORMAL_VALID = OFF_NORMAL_RHO + 8;
const OFF_FLOAT_NORMAL = OFF_NORMAL_VALID + 8;
const OFF_FLOAT_VALID = OFF_FLOAT_NORMAL + 4;

/** Cached Box-Muller samples carried by a state. */
export interface CachedNormals {
  nextDouble: number | null;
  nextFloat: number | null;
}

/**
 * Writes an engine and its cached normals as `CPUGeneratorImpl::get_state` does.
 *
 * @example
 * const bytes = writeState(mt, null, null); // bytes.length === 5056
 */
export function writeState(
  mt: MT19937,
  nextDouble: number | null,
  nextFloat: number | null,
): Uint8Array {
  const bytes = new Uint8Array(STATE_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(OFF_SEED, mt.seed, true);
  view.setInt32(OFF_LEFT, mt.left, true);
  view.setInt32(OFF_SEEDED, 1, true);
  view.setBigUint64(OFF_NEXT, BigInt(mt.next), true);
  for (let i = 0; i < MT_STATE_N; i++) {
    view.setBigUint64(OFF_STATE + i * 8, BigInt(mt.state[i] as number), true);
  }
  if (nextDouble !== null) {
    view.setFloat64(OFF_NORMAL_Y, nextDouble, true);
    view.setInt32(OFF_NORMAL_VALID, 1, true);
  }
  if (nextFloat !== null) {
    view.setFloat32(OFF_FLOAT_NORMAL, nextFloat, true);
    bytes[OFF_FLOAT_VALID] = 1;
  }
  return bytes;
}

/**
 * Loads bytes from `writeState` or `torch.get_rng_state()` into `mt`, as
 * `CPUGeneratorImpl::set_state` does, and returns the cached normals they carry.
 *
 * @example
 * const { nextDouble } = readState(bytes, mt);
 */
export function readState(bytes: Uint8Array, mt: MT19937): CachedNormals {
  if (bytes.length !== STATE_BYTES && bytes.length !== LEGACY_STATE_BYTES) {
    throw new RangeError(
      `Expected either a THGeneratorState of size ${LEGACY_STATE_BYTES} or a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const left = view.getInt32(OFF_LEFT, true);
  const next = Number(view.getBigUint64(OFF_NEXT, true));
  const fresh = left === 1 && next === 0;
  if (!fresh && (left < 1 || left > MT_STATE_N || left + next !== MT_STATE_N + 1)) {
    throw new RangeError("Invalid mt19937 state");
  }
  mt.seed = view.getBigUint64(OFF_SEED, true);
  mt.left = left;
  mt.next = next;
  for (let i = 0; i < MT_STATE_N; i++) {
    mt.state[i] = Number(view.getBigUint64(OFF_STATE + i * 8, true) & 0xffffffffn);
  }
  const nextDouble =
    view.getInt32(OFF_NORMAL_VALID, true) !== 0 ? view.getFloat64(OFF_NORMAL_Y, true) : null;
  const hasFloat = bytes.length === STATE_BYTES && bytes[OFF_FLOAT_VALID] !== 0;
  const nextFloat = hasFloat ? view.getFloat32(OFF_FLOAT_NORMAL, true) : null;
  return { nextDouble, nextFloat };
}
