/// <reference types="node" />
/**
 * The pickle VM on its own: plain data pickled by CPython (protocols 2 and 5, from
 * `testdata/torchSave.py`), the allowlist, refused opcodes, and malformed input.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isTuple, PyCallable, PyDict, UnpicklingError, unpickle } from "./pickle.js";
import { crc32, readZip } from "./zip.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const none = { globals: new Map<string, unknown>(), persistentLoad: () => null };
const run = (s: string | Uint8Array, opts = none) =>
  unpickle(typeof s === "string" ? bytes(s) : s, opts);

/** PyDicts as Maps, recursively (tuples stay arrays; `isTuple` tells them apart). */
function plain(v: unknown): unknown {
  if (v instanceof PyDict) return new Map([...v.items].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe("unpickle: data pickled by CPython", () => {
  const expected = new Map<unknown, unknown>([
    [
      "ints",
      [0, 1, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, -(2n ** 60n), 2n ** 70n],
    ],
    ["floats", [0.5, -1e300, Infinity]],
    ["s", "h\u00e9llo \u2713"],
    ["long", "a".repeat(300)],
    ["tuples", [[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]],
    ["none", null],
    ["bools", [true, false]],
    [
      "nested",
      new Map<unknown, unknown>([
        ["x", [[]]],
        [3, "three"],
      ]),
    ],
  ]);

  for (const [file, extra] of [
    ["plain2.pkl", []],
    ["plain5.pkl", [["b", new Uint8Array([0, 1, 255])]]],
  ] as const) {
    it(`${file}: ints of every width, floats, str, tuples, lists, dicts`, () => {
      const got = run(new Uint8Array(readFileSync(resolve(HERE, "testdata", file))));
      expect(got).toBeInstanceOf(PyDict);
      expect(plain(got)).toEqual(new Map([...expected, ...extra]));
      const tuples = (got as PyDict).items.get("tuples") as unknown[];
      expect(isTuple(tuples)).toBe(false); // a list
      expect(tuples.every(isTuple)).toBe(true);
    });
  }

  it("memo: BINPUT/BINGET give the same object", () => {
    const got = run("\x80\x02]q\x00h\x00\x86.") as unknown[];
    expect(got[0]).toBe(got[1]);
  });
});

describe("unpickle: safe by construction", () => {
  it("refuses every global not on the allowlist, naming it, before anything is called", () => {
    let called = 0;
    const opts = {
      globals: new Map<string, unknown>([["ok.fn", new PyCallable("ok.fn", () => ++called)]]),
      persistentLoad: () => null,
    };
    expect(run("cok\nfn\n)R.", opts)).toBe(1);
    for (const [src, path] of [
      ["cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", "os.system"],
      ["cbuiltins\neval\nX\x01\x00\x00\x001\x85R.", "builtins.eval"],
      ["\x80\x04\x8c\x02os\x8c\x06system\x93.", "os.system"],
      ["cok\nfn\ncsubprocess\nPopen\n.", "subprocess.Popen"],
    ] as const) {
      expect(() => run(src, opts)).toThrow(UnpicklingError);
      expect(() => run(src, opts)).toThrow(`unsupported global ${path}`);
    }
    expect(called).toBe(1);
  });

  it("refuses the opcodes that build arbitrary objects", () => {
    expect(() => run("(cos\nsystem\ni.")).toThrow(/unsupported global os\.system/);
    expect(() => run("(ios\nsystem\n.")).toThrow(/opcode INST is not allowed/);
    expect(() => run("(N)o.")).toThrow(/opcode OBJ is not allowed/);
    expect(() => run("N)\x81.")).toThrow(/opcode NEWOBJ is not allowed/);
    expect(() => run("\x82\x01.")).toThrow(/opcode EXT1 is not allowed/);
    expect(() => run("Pfoo\n.")).toThrow(/opcode PERSID is not allowed/);
    expect(() => run("\xff")).toThrow(/invalid pickle opcode 0xff/);
  });

  it("REDUCE only calls allowlisted functions; BUILD only sets dict attributes", () => {
    const opts = {
      globals: new Map<string, unknown>([["torch.FloatStorage", { kind: "storage" }]]),
      persistentLoad: () => null,
    };
    expect(() => run("ctorch\nFloatStorage\n)R.", opts)).toThrow(/unrecognized function Object/);
    expect(() => run("])R.")).toThrow(/unrecognized function list/);
    expect(() => run("]}b.")).toThrow(/Can only build dict objects/);
    const d = run("}}X\x09\x00\x00\x00_metadataNsb.") as PyDict;
    expect(d.attrs.get("_metadata")).toBe(null);
    expect(d.items.size).toBe(0);
  });

  it("a '__proto__' key stays data: no prototype is touched", () => {
    const d = run("}X\x09\x00\x00\x00__proto__}X\x08\x00\x00\x00polluted\x88ss.") as PyDict;
    expect(d.items.has("__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(d)).toBe(PyDict.prototype);
  });

  it("malformed pickles give UnpicklingErrors, not crashes", () => {
    const cases: [string, RegExp][] = [
      ["", /truncated/],
      ["\x80\x02", /truncated/],
      ["X\xff\xff\xff\x7fabc.", /truncated/],
      ["cos", /truncated/],
      ["\x80\x06.", /unsupported pickle protocol/],
      [".", /stack underflow/],
      ["t.", /could not find MARK/],
      ["h\x05.", /memo key 5 not found/],
      ["K\x00K\x01K\x02s.", /can only set items of a dict, but got int/],
      ["(K\x01K\x02u.", /stack underflow/],
      ["}(K\x01u.", /odd number/],
      ["K\x01K\x02a.", /can only append to lists, but got int/],
      [")K\x01a.", /can only append to lists, but got tuple/],
      ["K\x01\x93.", /stack underflow/],
      ["K\x01K\x02\x93.", /STACK_GLOBAL requires str/],
      ["\x8b\xff\xff\xff\xff.", /negative byte count/],
    ];
    for (const [src, msg] of cases) expect(() => run(src), JSON.stringify(src)).toThrow(msg);
  });
});

describe("readZip", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(bytes("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("reads the entries of a torch.save archive", () => {
    const entries = readZip(new Uint8Array(readFileSync(resolve(HERE, "testdata/params.pt"))));
    expect([...entries.keys()]).toEqual([
      "params/data.pkl",
      "params/data/0",
      "params/data/1",
      "params/version",
    ]);
    expect(new TextDecoder().decode(entries.get("params/version"))).toBe("3\n");
    expect(entries.get("params/data/0")!.length).toBe(16);
  });
});
