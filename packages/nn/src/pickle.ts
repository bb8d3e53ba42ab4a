/**
 * A safe pickle virtual machine for the data `torch.save` writes (protocols 2 to 5, the opcodes a
 * state dict uses). Globals resolve ONLY through the caller's allowlist; any other global, and
 * the opcodes that build arbitrary objects (INST, OBJ, NEWOBJ, EXT…), are refused. Unpickling is
 * code execution in Python; here it is data only, safe by construction: no prototype is touched
 * (dicts are `Map`s) and nothing but an allowlisted function is ever called.
 */
import { RuntimeError } from "@x/storage";

/** A pickle that is malformed or asks for something not allowed (Python's `pickle.UnpicklingError`). */
export class UnpicklingError extends RuntimeError {}

/** A callable global from the allowlist: REDUCE calls `fn` with the argument tuple. */
export class PyCallable {
  constructor(
    readonly path: string,
    readonly fn: (args: readonly unknown[]) => unknown,
  ) {}
}

/** A Python dict (or `OrderedDict`): items in insertion order, attributes set by BUILD. */
export class PyDict {
  readonly items = new Map<unknown, unknown>();
  readonly attrs = new Map<string, unknown>();
  constructor(readonly ordered = false) {}
}

/** What `unpickle` needs from its caller. */
export interface UnpickleOptions {
  /** The allowlist: `module.name` → the value GLOBAL pushes (a `PyCallable` if REDUCE may call it). */
  globals: ReadonlyMap<string, unknown>;
  /** Resolves a BINPERSID id (the tuple the pickler's `persistent_id` returned). */
  persistentLoad: (pid: unknown) => unknown;
}

/** Opcodes that are valid pickle but never appear in a state dict, refused by name. */
const REFUSED = new Map<number, string>([
  [0x69, "INST"],
  [0x6f, "OBJ"],
  [0x81, "NEWOBJ"],
  [0x92, "NEWOBJ_EX"],
  [0x82, "EXT1"],
  [0x83, "EXT2"],
  [0x84, "EXT4"],
  [0x50, "PERSID"],
  [0x49, "INT"],
  [0x4c, "LONG"],
  [0x46, "FLOAT"],
  [0x53, "STRING"],
  [0x56, "UNICODE"],
  [0x54, "BINSTRING"],
  [0x55, "SHORT_BINSTRING"],
  [0x70, "PUT"],
  [0x67, "GET"],
  [0x8f, "EMPTY_SET"],
  [0x90, "ADDITEMS"],
  [0x91, "FROZENSET"],
  [0x96, "BYTEARRAY8"],
  [0x97, "NEXT_BUFFER"],
  [0x98, "READONLY_BUFFER"],
]);

/**
 * A tuple: a frozen array (lists are plain arrays).
 * @example isTuple(unpickle(bytes("K\x01\x85."), opts)) === true
 */
export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/**
 * A short description of a value for error messages (Python's type names).
 * @example describe(new PyDict(true)) === "OrderedDict"
 */
export function describe(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "string") return "str";
  if (v instanceof Uint8Array) return "bytes";
  if (isTuple(v)) return "tuple";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyDict) return v.ordered ? "OrderedDict" : "dict";
  if (v instanceof PyCallable) return v.path;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name ?? typeof v;
}

function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

/**
 * Runs the pickle in `bytes` and returns the object it builds.
 * @example const obj = unpickle(pkl, { globals: new Map(), persistentLoad: () => null });
 */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8");
  const memo = new Map<number, unknown>();
  const metastack: unknown[][] = [];
  let stack: unknown[] = [];
  let pos = 0;

  const fail: (msg: string) => never = (msg) => {
    throw new UnpicklingError(`${msg} (pickle byte ${pos})`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) fail("pickle data was truncated");
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const lo = u32();
    const v = u32() * 0x100000000 + lo;
    if (!Number.isSafeInteger(v)) fail("pickle length out of range");
    return v;
  };
  const raw = (n: number): Uint8Array => bytes.subarray(need(n), pos);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("pickle data was truncated");
    const s = utf8.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  // `stack` is reassigned by MARK and popMark: push reads it only once its argument is computed
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail("unpickling stack underflow");
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail("unpickling stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail("could not find MARK");
    stack = prev;
    return items;
  };
  const dictTarget = (): PyDict => {
    const d = top();
    if (!(d instanceof PyDict)) return fail(`can only set items of a dict, but got ${describe(d)}`);
    return d;
  };
  const listTarget = (): unknown[] => {
    const l = top();
    if (!Array.isArray(l) || isTuple(l))
      return fail(`can only append to lists, but got ${describe(l)}`);
    return l;
  };
  const global = (module: string, name: string): void => {
    const path = `${module}.${name}`;
    if (!opts.globals.has(path)) {
      fail(
        `Weights only load failed: unsupported global ${path} (only tensors, their storages and OrderedDict may be unpickled; loading it in Python would run code)`,
      );
    }
    push(opts.globals.get(path));
  };
  const long = (n: number): number | bigint => {
    const b = raw(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  };

  while (true) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unsupported pickle protocol");
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: // LONG1
        push(long(u8()));
        break;
      case 0x8b: {
        // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0) fail("LONG pickle has negative byte count");
        push(long(n));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        push(utf8.decode(raw(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(utf8.decode(raw(u8())));
        break;
      case 0x8d: // BINUNICODE8
        push(utf8.decode(raw(u64())));
        break;
      case 0x43: // SHORT_BINBYTES
        push(raw(u8()).slice());
        break;
      case 0x42: // BINBYTES
        push(raw(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
        push(raw(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x74: // TUPLE
        push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push(tuple([pop(), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        listTarget().push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const l = listTarget();
        for (const v of items) l.push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new PyDict();
        for (let i = 0; i + 1 < items.length; i += 2) d.items.set(items[i], items[i + 1]);
        push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dictTarget().items.set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail("SETITEMS with an odd number of items");
        const d = dictTarget();
        for (let i = 0; i < items.length; i += 2) d.items.set(items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo key ${i} not found`);
        push(memo.get(i));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        global(module, line());
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string")
          fail("STACK_GLOBAL requires str");
        global(module, name);
        break;
      }
      case 0x51: // BINPERSID
        push(opts.persistentLoad(pop()));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyCallable))
          fail(`Trying to call reduce for unrecognized function ${describe(fn)}`);
        if (!isTuple(args)) fail(`REDUCE arguments must be a tuple, but got ${describe(args)}`);
        push(fn.fn(args));
        break;
      }
      case 0x62: {
        // BUILD: only a dict's attributes (OrderedDict's `_metadata`) may be set
        const state = pop();
        const inst = top();
        if (!(inst instanceof PyDict) || !(state instanceof PyDict)) {
          fail(
            `Can only build dict objects from a dict state, but got ${describe(inst)} from ${describe(state)}`,
          );
        }
        for (const [k, v] of state.items) {
          if (typeof k !== "string") fail("BUILD state keys must be str");
          inst.attrs.set(k, v);
        }
        break;
      }
      default: {
        const name = REFUSED.get(op);
        fail(
          name !== undefined
            ? `pickle opcode ${name} is not allowed in a state dict`
            : `invalid pickle opcode 0x${op.toString(16).padStart(2, "0")}`,
        );
      }
    }
  }
}
