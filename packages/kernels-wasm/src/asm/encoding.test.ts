import { describe, expect, it } from "vitest";
import { ByteWriter } from "./encoding";

const hex = (w: ByteWriter) => Array.from(w.toBytes(), (b) => b.toString(16).padStart(2, "0"));

describe("ByteWriter LEB128", () => {
  it("encodes unsigned integers", () => {
    expect(hex(new ByteWriter().u32(0))).toEqual(["00"]);
    expect(hex(new ByteWriter().u32(127))).toEqual(["7f"]);
    expect(hex(new ByteWriter().u32(128))).toEqual(["80", "01"]);
    expect(hex(new ByteWriter().u32(624485))).toEqual(["e5", "8e", "26"]);
    expect(hex(new ByteWriter().u32(0xffffffff))).toEqual(["ff", "ff", "ff", "ff", "0f"]);
    expect(() => new ByteWriter().u32(-1)).toThrow(RangeError);
    expect(() => new ByteWriter().u32(2 ** 32)).toThrow(RangeError);
  });

  it("encodes signed 32-bit integers", () => {
    expect(hex(new ByteWriter().s32(0))).toEqual(["00"]);
    expect(hex(new ByteWriter().s32(63))).toEqual(["3f"]);
    expect(hex(new ByteWriter().s32(64))).toEqual(["c0", "00"]);
    expect(hex(new ByteWriter().s32(-1))).toEqual(["7f"]);
    expect(hex(new ByteWriter().s32(-64))).toEqual(["40"]);
    expect(hex(new ByteWriter().s32(-65))).toEqual(["bf", "7f"]);
    expect(hex(new ByteWriter().s32(-123456))).toEqual(["c0", "bb", "78"]);
    expect(hex(new ByteWriter().s32(0x7fffffff))).toEqual(["ff", "ff", "ff", "ff", "07"]);
    expect(hex(new ByteWriter().s32(-0x80000000))).toEqual(["80", "80", "80", "80", "78"]);
    // unsigned 32-bit values wrap, as i32.const expects
    expect(hex(new ByteWriter().s32(0xffffffff))).toEqual(["7f"]);
  });

  it("encodes signed 64-bit integers", () => {
    expect(hex(new ByteWriter().s64(-1n))).toEqual(["7f"]);
    expect(hex(new ByteWriter().s64(2n ** 63n - 1n))).toEqual([...Array(8).fill("ff"), "ff", "00"]);
    expect(hex(new ByteWriter().s64(-(2n ** 63n)))).toEqual([...Array(9).fill("80"), "7f"]);
  });

  it("encodes floats little-endian and grows past its initial capacity", () => {
    expect(hex(new ByteWriter().f32(1))).toEqual(["00", "00", "80", "3f"]);
    expect(hex(new ByteWriter().f64(-2))).toEqual([...Array(7).fill("00"), "c0"]);
    const w = new ByteWriter();
    for (let i = 0; i < 1000; i++) w.byte(i);
    expect(w.length).toBe(1000);
    expect(w.toBytes()[999]).toBe(999 & 0xff);
  });

  it("writes ASCII names and rejects others", () => {
    expect(hex(new ByteWriter().name("ab"))).toEqual(["02", "61", "62"]);
    expect(() => new ByteWriter().name("é")).toThrow(RangeError);
  });
});
