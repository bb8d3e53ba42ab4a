/// <reference types="node" />
/**
 * `loadTorchStateDict` on files written by real PyTorch: the shared digits model (same tensors as
 * its safetensors twin, same probe logits), `testdata/mixed.pt` and `params.pt` (made by
 * `testdata/torchSave.py`: shared storages, views, dtypes, Parameters, protocol 4), and archives
 * crafted here to be malicious, truncated or corrupt.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as A from "@x/autograd";
import { fromArray, storageStats, XError } from "@x/storage";
import { describe, expect, it } from "vitest";
import * as nn from "./index.js";
import { UnpicklingError } from "./pickle.js";
import { loadTorchStateDict } from "./torchLoad.js";
import { crc32, readZip } from "./zip.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const SHARED = resolve(HERE, "../../../../shared");
const read = (p: string) => new Uint8Array(readFileSync(p));
const DIGITS_PT = read(resolve(SHARED, "conformance/digits-public.pt"));
const testdata = (name: string) => read(resolve(HERE, "testdata", name));

type Value = number | "inf" | "-inf" | "nan";
interface Expected {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  values: Value[];
  requires_grad: boolean;
}
const EXPECTED = JSON.parse(readFileSync(resolve(HERE, "testdata/torchSave.json"), "utf8")) as {
  mixed: Record<string, Expected>;
  mixed_shared: string[][];
  params: Record<string, Expected>;
  params_types: Record<string, string>;
};
const num = (v: Value) =>
  v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? Number.NaN : v;

/** A zip archive of stored entries (as torch.save writes), optionally with zip64 end records. */
function storedZip(
  entries: [string, Uint8Array][],
  opts: { zip64?: boolean; method?: number } = {},
): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let at = 0;
  for (const [name, data] of entries) {
    const n = enc.encode(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, opts.method ?? 0, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, opts.method ?? 0, true);
    cv.setUint32(16, crc32(data), true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, at, true);
    c.set(n, 46);
    parts.push(local, data);
    central.push(c);
    at += local.length + data.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const tail = new Uint8Array((opts.zip64 ? 56 + 20 : 0) + 22);
  const tv = new DataView(tail.buffer);
  let e = 0;
  if (opts.zip64) {
    tv.setUint32(0, 0x06064b50, true);
    tv.setBigUint64(4, 44n, true);
    tv.setBigUint64(24, BigInt(entries.length), true);
    tv.setBigUint64(32, BigInt(entries.length), true);
    tv.setBigUint64(40, BigInt(cdSize), true);
    tv.setBigUint64(48, BigInt(at), true);
    tv.setUint32(56, 0x07064b50, true);
    tv.setBigUint64(64, BigInt(at + cdSize), true);
    e = 76;
  }
  tv.setUint32(e, 0x06054b50, true);
  tv.setUint16(e + 8, opts.zip64 ? 0xffff : entries.length, true);
  tv.setUint16(e + 10, opts.zip64 ? 0xffff : entries.length, true);
  tv.setUint32(e + 12, opts.zip64 ? 0xffffffff : cdSize, true);
  tv.setUint32(e + 16, opts.zip64 ? 0xffffffff : at, true);
  const all = [...parts, ...central, tail];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of all) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The digits archive's entries, with `replace` swapped in. */
function digitsWith(replace: Record<string, Uint8Array | null>): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const [k, v] of readZip(DIGITS_PT)) {
    const r = replace[k];
    if (r !== null) out.push([k, r ?? v]);
  }
  return out;
}

/** A string of byte values (`"\x80\x02"`) as bytes. */
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("loadTorchStateDict: the digits model", () => {
  it("reads the keys and tensors of digits-public.pt, equal to digits-public.safetensors", () => {
    const pt = loadTorchStateDict(DIGITS_PT);
    const st = nn.loadSafetensors(read(resolve(SHARED, "conformance/digits-public.safetensors")));
    expect([...pt.keys()]).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(new Set(pt.keys())).toEqual(new Set(st.keys()));
    for (const [k, t] of pt) {
      const s = st.get(k)!;
      expect(t.dtype, k).toBe("float32");
      expect(t.shape, k).toEqual(s.shape);
      expect(t.data.toArray(), k).toEqual(s.data.toArray());
      expect(t.requiresGrad).toBe(false);
    }
  });

  it("a model loading it gives the fixture's probe logits", () => {
    const fx = JSON.parse(
      readFileSync(resolve(SHARED, "conformance/training-public.json"), "utf8"),
    ) as {
      probe_rows: [number, number];
      probe_logits: { shape: number[]; data: number[] };
    };
    const [a, b] = fx.probe_rows;
    const lines = gunzipSync(readFileSync(resolve(SHARED, "data/digits.csv.gz")))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(a, b);
    const pixels = lines.flatMap((l) =>
      l
        .split(",")
        .slice(0, 64)
        .map((v) => Number(v) / 16),
    );
    const xs = new A.Tensor(fromArray(pixels, "float32").reshape([b - a, 64]));
    const model = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 10));
    model.loadStateDict(loadTorchStateDict(DIGITS_PT));
    const logits = A.noGrad(() => model(xs) as A.Tensor);
    expect(logits.shape).toEqual(fx.probe_logits.shape);
    const got = logits.data.toArray();
    fx.probe_logits.data.forEach((e, i) => {
      expect(Math.abs(got[i]! - e)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(e));
    });
  });
});

describe("loadTorchStateDict: files from torch.save (testdata/torchSave.py)", () => {
  const check = (sd: Map<string, A.Tensor>, want: Record<string, Expected>) => {
    expect([...sd.keys()]).toEqual(Object.keys(want));
    for (const [k, e] of Object.entries(want)) {
      const t = sd.get(k)!;
      const dtype = e.dtype === "float16" || e.dtype === "bfloat16" ? "float32" : e.dtype;
      expect(t.dtype, k).toBe(dtype);
      expect(t.shape, k).toEqual(e.shape);
      expect(t.data.strides, k).toEqual(e.stride);
      expect(t.data.offset, k).toBe(e.offset);
      expect(t.data.toArray(), k).toEqual(e.values.map(num));
      expect(t.requiresGrad, k).toBe(e.requires_grad);
    }
  };

  it("mixed.pt: every dtype, 0-d tensors, views and strides as PyTorch loads them", () => {
    check(loadTorchStateDict(testdata("mixed.pt")), EXPECTED.mixed);
  });

  it("mixed.pt: tensors that share a storage alias it, as in PyTorch", () => {
    const sd = loadTorchStateDict(testdata("mixed.pt"));
    for (const group of EXPECTED.mixed_shared) {
      const s = sd.get(group[0]!)!.data.storage;
      for (const k of group) expect(sd.get(k)!.data.storage, k).toBe(s);
    }
    expect(sd.get("tied.a")).toBe(sd.get("tied.b"));
    expect(sd.get("0.weight")!.data.storage).not.toBe(sd.get("shared.base")!.data.storage);
    sd.get("shared.base")!.data.typed()[6] = 100; // element [1, 2]
    expect(sd.get("shared.row")!.data.toArray()).toEqual([4, 5, 100, 7]);
    expect(sd.get("shared.col")!.data.toArray()).toEqual([2, 100, 10]);
    expect(sd.get("shared.t")!.data.toArray()[7]).toBe(100); // t[2, 1]
  });

  it("mixed.pt: a model with an int64 BatchNorm buffer loads its part", () => {
    const sd = loadTorchStateDict(testdata("mixed.pt"));
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const { unexpectedKeys } = model.loadStateDict(sd, { strict: false });
    expect(unexpectedKeys).not.toContain("1.num_batches_tracked");
    const own = model.stateDict();
    expect(own.get("1.num_batches_tracked")!.dtype).toBe("int64");
    expect(own.get("1.num_batches_tracked")!.item()).toBe(1);
    expect(own.get("1.running_var")!.data.toArray()).toEqual(
      EXPECTED.mixed["1.running_var"]!.values,
    );
  });

  it("params.pt: Parameters (protocol 4) keep their requires_grad", () => {
    const sd = loadTorchStateDict(testdata("params.pt"));
    check(sd, EXPECTED.params);
    for (const [k, t] of sd)
      expect(t instanceof nn.Parameter, k).toBe(EXPECTED.params_types[k] === "Parameter");
  });

  it("reads zip64 end records and refuses compressed entries", () => {
    const sd = loadTorchStateDict(storedZip(digitsWith({}), { zip64: true }));
    expect([...sd.keys()]).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(() => loadTorchStateDict(storedZip(digitsWith({}), { method: 8 }))).toThrow(
      /compressed \(method 8\)/,
    );
  });
});

describe("loadTorchStateDict: refuses what it must not run", () => {
  it("a pickle that calls os.system is refused at its global, naming it", () => {
    expect(() => loadTorchStateDict(testdata("evil.pt"))).toThrow(UnpicklingError);
    expect(() => loadTorchStateDict(testdata("evil.pt"))).toThrow(
      /unsupported global posix\.system/,
    );
  });

  it("builtins.eval inside an otherwise valid state dict is refused", () => {
    const pkl = readZip(DIGITS_PT).get("digits-public/data.pkl")!;
    const g = ascii("ctorch._utils\n_rebuild_tensor_v2\n");
    const at = indexOf(pkl, g);
    expect(at).toBeGreaterThan(0);
    const evil = concat(
      pkl.subarray(0, at),
      ascii("cbuiltins\neval\n"),
      pkl.subarray(at + g.length),
    );
    const zip = storedZip(digitsWith({ "digits-public/data.pkl": evil }));
    expect(() => loadTorchStateDict(zip)).toThrow(/unsupported global builtins\.eval/);
  });

  it("crafted archives give clear errors", () => {
    const pkl = (s: string) => ({ "digits-public/data.pkl": ascii(s) });
    // a list, not a dict
    expect(() => loadTorchStateDict(storedZip(digitsWith(pkl("\x80\x02]K\x01a."))))).toThrow(
      /holds a list/,
    );
    // {'epoch': 3}
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith(pkl("\x80\x02}X\x05\x00\x00\x00epochK\x03s.")))),
    ).toThrow(/entry 'epoch' is a int, not a tensor/);
    // a persistent id that is not a storage
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith(pkl("\x80\x02X\x01\x00\x00\x00x\x85Q.")))),
    ).toThrow(/Only persistent_load of storage/);
    // REDUCE on a storage type (a class, not an allowed function)
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith(pkl("\x80\x02ctorch\nFloatStorage\n)R.")))),
    ).toThrow(/unrecognized function/);
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith({ "digits-public/data/0": new Uint8Array(8) }))),
    ).toThrow(/has 8 bytes, expected 2048 × 4/);
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith({ "digits-public/data/3": null }))),
    ).toThrow(/no record digits-public\/data\/3/);
    const big = [...digitsWith({}), ["digits-public/byteorder", ascii("big")]] as [
      string,
      Uint8Array,
    ][];
    expect(() => loadTorchStateDict(storedZip(big))).toThrow(/big-endian/);
    const little = [...digitsWith({}), ["digits-public/byteorder", ascii("little")]] as [
      string,
      Uint8Array,
    ][];
    expect(loadTorchStateDict(storedZip(little)).size).toBe(4);
    const script = storedZip([["m/constants.pkl", ascii("\x80\x02).")]]);
    expect(() => loadTorchStateDict(script)).toThrow(/TorchScript/);
    expect(() => loadTorchStateDict(ascii("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."))).toThrow(
      /legacy/,
    );
    expect(() => loadTorchStateDict(ascii("hello, this is not a zip archive at all"))).toThrow(
      /not a zip archive/,
    );
  });

  it("a tensor reaching past its storage is refused with PyTorch's message", () => {
    const pkl = readZip(DIGITS_PT).get("digits-public/data.pkl")!.slice();
    // 2.bias: size (10,) over a 10-element storage; make its offset 1
    const at = indexOf(pkl, ascii("QK\x00K\x0a\x85"));
    expect(at).toBeGreaterThan(0);
    pkl[at + 2] = 1;
    const zip = storedZip(digitsWith({ "digits-public/data.pkl": pkl }));
    expect(() => loadTorchStateDict(zip)).toThrow(
      /requiring a storage size of 44 are out of bounds for storage of size 40/,
    );
  });
});

describe("loadTorchStateDict: memory", () => {
  it("holds one storage per archive storage, freed with the tensors; nothing is left after a failure", () => {
    const before = storageStats.storages;
    const sd = loadTorchStateDict(testdata("params.pt"));
    expect(storageStats.storages - before).toBe(2);
    for (const t of sd.values()) t.dispose();
    expect(storageStats.storages).toBe(before);
    const mixed = loadTorchStateDict(testdata("mixed.pt"));
    expect(storageStats.storages - before).toBe(readZipCount("mixed.pt"));
    for (const t of new Set(mixed.values())) t.dispose();
    expect(storageStats.storages).toBe(before);
    const pkl = readZip(DIGITS_PT).get("digits-public/data.pkl")!.slice();
    pkl[indexOf(pkl, ascii("QK\x00K\x0a\x85")) + 2] = 1; // the last tensor fails, after three were built
    expect(() =>
      loadTorchStateDict(storedZip(digitsWith({ "digits-public/data.pkl": pkl }))),
    ).toThrow(/out of bounds/);
    expect(storageStats.storages).toBe(before);
  });
});

/** The number of storages (`data/` records) in a testdata archive. */
function readZipCount(name: string): number {
  return [...readZip(testdata(name)).keys()].filter((k) => k.includes("/data/")).length;
}

describe("loadTorchStateDict: truncated and corrupt input", () => {
  it("every truncation of the file throws a typed error", () => {
    for (let n = 0; n < DIGITS_PT.length; n += 41) {
      expect(() => loadTorchStateDict(DIGITS_PT.subarray(0, n)), `length ${n}`).toThrow(XError);
    }
  });

  it("a flipped byte in a storage fails the CRC check", () => {
    const bad = DIGITS_PT.slice();
    bad[2000] = bad[2000]! ^ 0x10;
    expect(() => loadTorchStateDict(bad)).toThrow(/CRC-32 mismatch in digits-public\/data\/0/);
  });

  it("every truncation of data.pkl (in a valid zip) throws an UnpicklingError", () => {
    const pkl = readZip(DIGITS_PT).get("digits-public/data.pkl")!;
    for (let n = 0; n < pkl.length; n++) {
      const zip = storedZip(digitsWith({ "digits-public/data.pkl": pkl.subarray(0, n) }));
      expect(() => loadTorchStateDict(zip), `length ${n}`).toThrow(XError);
    }
  });

  it("random corruption of data.pkl gives a typed error or a result, never a crash", () => {
    const pkl = readZip(DIGITS_PT).get("digits-public/data.pkl")!;
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let errors = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bad = pkl.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++)
        bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        loadTorchStateDict(storedZip(digitsWith({ "digits-public/data.pkl": bad })));
      } catch (err) {
        expect(err, String(err)).toBeInstanceOf(XError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
