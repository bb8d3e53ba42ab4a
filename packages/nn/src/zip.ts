/**
 * A minimal zip reader for `torch.save` archives: the central directory (zip64 included), stored
 * entries only (torch.save never compresses), each checked against its CRC-32. Bytes in, entry
 * bytes out (subarrays, no copy) — no Node API, so it runs in browsers.
 */
import { ValueError } from "@x/storage";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U16 = 0xffff;
const U32 = 0xffffffff;

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, as zip uses) of `bytes`.
 * @example crc32(new TextEncoder().encode("123456789")) === 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bounds-checked little-endian reads: every failure is a `ValueError` naming the archive part. */
class Bytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, n: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + n > this.bytes.length) {
      throw new ValueError(`zip archive is truncated or corrupt: ${what} lies outside the file`);
    }
  }
  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this.view.getUint16(at, true);
  }
  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    const lo = this.u32(at, what);
    const hi = this.u32(at + 4, what);
    const v = hi * 0x100000000 + lo;
    if (!Number.isSafeInteger(v))
      throw new ValueError(`zip archive is corrupt: ${what} is out of range`);
    return v;
  }
}

/** Finds the end-of-central-directory record, scanning back over a comment of up to 64 KiB. */
function findEocd(b: Bytes): number {
  const n = b.bytes.length;
  const stop = Math.max(0, n - 22 - 0xffff);
  for (let at = n - 22; at >= stop; at--) {
    if (b.view.getUint32(at, true) === EOCD) return at;
  }
  throw new ValueError(
    "not a zip archive (no end of central directory record): truncated, or not written by torch.save",
  );
}

interface Directory {
  count: number;
  offset: number;
  size: number;
}

function readDirectory(b: Bytes, eocd: number): Directory {
  let count = b.u16(eocd + 10, "end of central directory");
  let size = b.u32(eocd + 12, "end of central directory");
  let offset = b.u32(eocd + 16, "end of central directory");
  if (count === U16 || size === U32 || offset === U32) {
    const loc = eocd - 20;
    if (loc < 0 || b.u32(loc, "zip64 locator") !== ZIP64_LOCATOR) {
      throw new ValueError(
        "zip archive is corrupt: zip64 end of central directory locator missing",
      );
    }
    const at = b.u64(loc + 8, "zip64 locator");
    if (b.u32(at, "zip64 end of central directory") !== ZIP64_EOCD) {
      throw new ValueError("zip archive is corrupt: bad zip64 end of central directory record");
    }
    count = b.u64(at + 32, "zip64 end of central directory");
    size = b.u64(at + 40, "zip64 end of central directory");
    offset = b.u64(at + 48, "zip64 end of central directory");
  }
  b.need(offset, size, "central directory");
  return { count, offset, size };
}

/** Reads the zip64 extended-information extra field for the values marked 0xFFFFFFFF. */
function zip64Extra(b: Bytes, at: number, end: number, sizes: number[], name: string): void {
  while (at + 4 <= end) {
    const id = b.u16(at, "extra field");
    const len = b.u16(at + 2, "extra field");
    if (id === 0x0001) {
      let p = at + 4;
      for (let i = 0; i < sizes.length; i++) {
        if (sizes[i] !== U32) continue;
        if (p + 8 > at + 4 + len)
          throw new ValueError(`zip archive is corrupt: short zip64 field for ${name}`);
        sizes[i] = b.u64(p, "zip64 extra field");
        p += 8;
      }
      return;
    }
    at += 4 + len;
  }
  if (sizes.includes(U32))
    throw new ValueError(`zip archive is corrupt: missing zip64 field for ${name}`);
}

/**
 * The entries of a zip archive by name, each the bytes of a stored (uncompressed) entry after its
 * CRC-32 was checked. Throws a `ValueError` for a truncated or corrupt archive, and for entries that
 * are compressed or encrypted.
 * @example const entries = readZip(bytes); entries.get("model/data.pkl");
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  if (bytes.length < 22) throw new ValueError("not a zip archive: the file is too short");
  const b = new Bytes(bytes);
  const dir = readDirectory(b, findEocd(b));
  const names = new TextDecoder("utf-8", { fatal: false });
  const out = new Map<string, Uint8Array>();
  let at = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    if (b.u32(at, "central directory") !== CENTRAL) {
      throw new ValueError(`zip archive is corrupt: bad central directory entry ${i}`);
    }
    const flags = b.u16(at + 8, "central directory");
    const method = b.u16(at + 10, "central directory");
    const crc = b.u32(at + 16, "central directory");
    const nameLen = b.u16(at + 28, "central directory");
    const extraLen = b.u16(at + 30, "central directory");
    const commentLen = b.u16(at + 32, "central directory");
    b.need(at + 46, nameLen + extraLen, "central directory entry name");
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    const sizes = [
      b.u32(at + 24, "central directory"),
      b.u32(at + 20, "central directory"),
      b.u32(at + 42, "central directory"),
    ];
    zip64Extra(b, at + 46 + nameLen, at + 46 + nameLen + extraLen, sizes, name);
    const [size, compressed, local] = sizes as [number, number, number];
    if (flags & 1)
      throw new ValueError(`zip entry ${name} is encrypted; torch.save archives never are`);
    if (method !== 0) {
      throw new ValueError(
        `zip entry ${name} is compressed (method ${method}); only stored entries are supported, as torch.save writes them (the archive was re-packed: re-save it with torch.save)`,
      );
    }
    if (compressed !== size)
      throw new ValueError(`zip archive is corrupt: stored entry ${name} has two sizes`);
    if (b.u32(local, `local header of ${name}`) !== LOCAL) {
      throw new ValueError(`zip archive is corrupt: bad local header for ${name}`);
    }
    const start =
      local +
      30 +
      b.u16(local + 26, `local header of ${name}`) +
      b.u16(local + 28, `local header of ${name}`);
    b.need(start, size, `data of ${name}`);
    const data = bytes.subarray(start, start + size);
    if (crc32(data) !== crc)
      throw new ValueError(`zip archive is corrupt: CRC-32 mismatch in ${name}`);
    out.set(name, data);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
