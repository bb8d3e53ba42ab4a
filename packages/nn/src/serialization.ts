/**
 * safetensors I/O with PyTorch's parameter names: a state dict moves between x and PyTorch in
 * both directions. Bytes in, bytes out — reading and writing files is the caller's (no Node API).
 */
import { Tensor } from "@x/autograd";
import { type DType, NDArray, RuntimeError, ValueError } from "@x/storage";

const TO_DTYPE: Record<string, DType> = {
  F32: "float32",
  F64: "float64",
  I32: "int32",
  I64: "int64",
  U8: "uint8",
  BOOL: "bool",
};
const FROM_DTYPE: Record<DType, string> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  int64: "I64",
  uint8: "U8",
  bool: "BOOL",
};

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Parses a safetensors file into tensors by name (in file order).
 * @example const sd = loadSafetensors(new Uint8Array(await file.arrayBuffer())); model.loadStateDict(sd);
 */
export function loadSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  if (bytes.length < 8) throw new ValueError("safetensors: file too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new ValueError("safetensors: header length exceeds the file");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
    string,
    HeaderEntry
  >;
  const base = 8 + n;
  const out = new Map<string, Tensor>();
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__");
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  for (const [name, e] of entries) {
    const dtype = TO_DTYPE[e.dtype];
    if (dtype === undefined)
      throw new ValueError(`safetensors: unsupported dtype ${e.dtype} for ${name}`);
    const [begin, end] = e.data_offsets;
    const arr = NDArray.empty(e.shape, dtype);
    const count = arr.numel();
    const src = new DataView(bytes.buffer, bytes.byteOffset + base + begin, end - begin);
    const dst = arr.typed();
    const size = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1 }[dtype];
    if (count * size !== end - begin) {
      throw new RuntimeError(
        `safetensors: ${name} has ${end - begin} bytes, expected ${count * size}`,
      );
    }
    for (let i = 0; i < count; i++) {
      const o = i * size;
      dst[i] =
        dtype === "float32"
          ? src.getFloat32(o, true)
          : dtype === "float64"
            ? src.getFloat64(o, true)
            : dtype === "int32"
              ? src.getInt32(o, true)
              : dtype === "int64"
                ? Number(src.getBigInt64(o, true))
                : src.getUint8(o);
    }
    out.set(name, new Tensor(arr));
    arr.dispose();
  }
  return out;
}

/**
 * Writes tensors (a state dict) as a safetensors file.
 * @example const bytes = saveSafetensors(model.stateDict());
 */
export function saveSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const parts: { t: Tensor; at: number; size: number }[] = [];
  for (const [name, t] of list) {
    const size = { float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1 }[t.dtype];
    const bytes = t.numel() * size;
    header[name] = {
      dtype: FROM_DTYPE[t.dtype],
      shape: t.shape.slice(),
      data_offsets: [offset, offset + bytes],
    };
    parts.push({ t, at: offset, size });
    offset += bytes;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  head.set(raw);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  const base = 8 + head.length;
  for (const { t, at, size } of parts) {
    const vals = t.data.toArray();
    for (let i = 0; i < vals.length; i++) {
      const o = base + at + i * size;
      const v = vals[i]!;
      if (t.dtype === "float32") view.setFloat32(o, v, true);
      else if (t.dtype === "float64") view.setFloat64(o, v, true);
      else if (t.dtype === "int32") view.setInt32(o, v, true);
      else if (t.dtype === "int64") view.setBigInt64(o, BigInt(v), true);
      else view.setUint8(o, v);
    }
  }
  return out;
}
