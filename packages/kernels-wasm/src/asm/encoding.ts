// Binary encodings of the WebAssembly format: LEB128 integers, IEEE floats, names, vectors.
// `ByteWriter` is the growable byte sink every section and function body is written into.

const f32Scratch = new DataView(new ArrayBuffer(8));

/**
 * A growable byte buffer with the primitive encoders of the WebAssembly binary format.
 *
 * @example
 * const w = new ByteWriter();
 * w.u32(624485); // LEB128: e5 8e 26
 * w.toBytes(); // Uint8Array [0xe5, 0x8e, 0x26]
 */
export class ByteWriter {
  #bytes = new Uint8Array(64);
  #length = 0;

  /** Number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }

  /** Appends one byte (0..255). */
  byte(b: number): this {
    this.#reserve(1);
    this.#bytes[this.#length++] = b & 0xff;
    return this;
  }

  /** Appends raw bytes. */
  bytes(data: ArrayLike<number>): this {
    this.#reserve(data.length);
    for (let i = 0; i < data.length; i++) this.#bytes[this.#length++] = (data[i] ?? 0) & 0xff;
    return this;
  }

  /** Appends an unsigned LEB128 integer in 0..2^32-1. */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`u32 LEB128: ${value} is not an integer in [0, 2^32)`);
    }
    let v = value;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Appends a signed LEB128 integer in -2^31..2^32-1 (values ≥ 2^31 wrap, as i32 constants do). */
  s32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
      throw new RangeError(`s32 LEB128: ${value} is not a 32-bit integer`);
    }
    let v = value | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Appends a signed LEB128 64-bit integer (values ≥ 2^63 wrap, as i64 constants do). */
  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Appends an IEEE 754 single, little-endian. */
  f32(value: number): this {
    f32Scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.byte(f32Scratch.getUint8(i));
    return this;
  }

  /** Appends an IEEE 754 double, little-endian. */
  f64(value: number): this {
    f32Scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.byte(f32Scratch.getUint8(i));
    return this;
  }

  /** Appends a name prefixed by its byte length; names are restricted to printable ASCII. */
  name(text: string): this {
    this.u32(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) throw new RangeError(`name ${JSON.stringify(text)}: not ASCII`);
      this.byte(c);
    }
    return this;
  }

  /** Appends another writer's bytes prefixed by their length (a section or a function body). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.toBytes());
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}
