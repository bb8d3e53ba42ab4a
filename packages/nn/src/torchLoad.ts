/**
 * Reading PyTorch's `torch.save` files (state dicts) safely: the zip archive, then its `data.pkl`
 * run by a pickle VM whose globals come only from an allowlist (tensor rebuild functions, storage
 * types, `OrderedDict`), each storage under `data/` loaded once so that tensors sharing it alias
 * as in PyTorch. Bytes in, tensors out — no Node API, so it runs in browsers.
 */
import { Tensor } from "@x/autograd";
import { type DType, NDArray, RuntimeError, ValueError } from "@x/storage";
import { Parameter } from "./parameter.js";
import { describe, isTuple, PyCallable, PyDict, UnpicklingError, unpickle } from "./pickle.js";
import { readZip } from "./zip.js";

export { UnpicklingError } from "./pickle.js";

/** Storage element layouts in the file and the dtype each becomes (half types widen to float32). */
type Layout = "f32" | "f64" | "i64" | "i32" | "u8" | "f16" | "bf16";

/** A storage class named in the pickle (`torch.FloatStorage`…). */
class StorageType {
  constructor(
    readonly path: string,
    readonly dtype: DType,
    readonly layout: Layout,
    readonly itemSize: number,
  ) {}
}

const STORAGE_TYPES: readonly StorageType[] = [
  new StorageType("torch.FloatStorage", "float32", "f32", 4),
  new StorageType("torch.DoubleStorage", "float64", "f64", 8),
  new StorageType("torch.LongStorage", "int64", "i64", 8),
  new StorageType("torch.IntStorage", "int32", "i32", 4),
  new StorageType("torch.BoolStorage", "bool", "u8", 1),
  new StorageType("torch.ByteStorage", "uint8", "u8", 1),
  new StorageType("torch.HalfStorage", "float32", "f16", 2),
  new StorageType("torch.BFloat16Storage", "float32", "bf16", 2),
];

/** One storage of the archive, loaded once: every tensor over it is a view of `base`. */
class Loaded {
  constructor(
    readonly type: StorageType,
    readonly base: NDArray,
  ) {}
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half precision bits to a number. */
function halfToFloat(h: number): number {
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : Number.NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Decodes `count` little-endian elements of `src` into the flat array `dst`. */
function decode(src: Uint8Array, type: StorageType, count: number, dst: NDArray): void {
  const out = dst.typed();
  const direct =
    type.layout === "f32" || type.layout === "f64" || type.layout === "i32" || type.layout === "u8";
  if (direct && LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer, out.byteOffset + dst.offset * type.itemSize, src.length).set(src);
    return;
  }
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    const o = i * type.itemSize;
    switch (type.layout) {
      case "f32":
        out[i] = v.getFloat32(o, true);
        break;
      case "f64":
        out[i] = v.getFloat64(o, true);
        break;
      case "i32":
        out[i] = v.getInt32(o, true);
        break;
      case "u8":
        out[i] = src[i]!;
        break;
      case "i64": // exact within 2^53, as the project's int64
        out[i] = v.getInt32(o + 4, true) * 0x100000000 + v.getUint32(o, true);
        break;
      case "f16":
        out[i] = halfToFloat(v.getUint16(o, true));
        break;
      case "bf16": // the top half of a float32
        scratch.setUint32(0, v.getUint16(o, true) << 16);
        out[i] = scratch.getFloat32(0);
        break;
    }
  }
}

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new UnpicklingError(
      `${what} must be a non-negative int, but got ${describe(v)} ${String(v)}`,
    );
  }
  return v;
}

function ints(v: unknown, what: string): number[] {
  if (!isTuple(v) && !Array.isArray(v))
    throw new UnpicklingError(`${what} must be a tuple, but got ${describe(v)}`);
  return v.map((x, i) => int(x, `${what}[${i}]`));
}

/** Reads an archive's tensors: the persistent-id loader and the allowlisted rebuild functions. */
class Reader {
  readonly storages = new Map<string, Loaded>();
  readonly tensors: Tensor[] = [];

  constructor(
    readonly entries: Map<string, Uint8Array>,
    readonly prefix: string,
  ) {}

  globals(): Map<string, unknown> {
    const g = new Map<string, unknown>(STORAGE_TYPES.map((t) => [t.path, t]));
    g.set(
      "collections.OrderedDict",
      new PyCallable("collections.OrderedDict", (args) => this.orderedDict(args)),
    );
    const v2 = new PyCallable("torch._utils._rebuild_tensor_v2", (args) =>
      this.rebuildTensor(args, true),
    );
    g.set(v2.path, v2);
    g.set(
      "torch._utils._rebuild_tensor",
      new PyCallable("torch._utils._rebuild_tensor", (args) => this.rebuildTensor(args, false)),
    );
    g.set(
      "torch._utils._rebuild_parameter",
      new PyCallable("torch._utils._rebuild_parameter", (args) => this.rebuildParameter(args)),
    );
    return g;
  }

  orderedDict(args: readonly unknown[]): PyDict {
    if (args.length !== 0)
      throw new UnpicklingError("OrderedDict() is only rebuilt from no arguments");
    return new PyDict(true);
  }

  /** `('storage', StorageType, key, location, numel)` → the storage `data/<key>`, loaded once. */
  persistentLoad(pid: unknown): Loaded {
    if (!isTuple(pid) || pid.length !== 5 || pid[0] !== "storage") {
      throw new UnpicklingError(
        `Only persistent_load of storage is allowed, but got ${describe(isTuple(pid) ? pid[0] : pid)}`,
      );
    }
    const [, type, key, location, n] = pid;
    if (!(type instanceof StorageType))
      throw new UnpicklingError(`persistent id names no storage type: ${describe(type)}`);
    if (typeof key !== "string" || typeof location !== "string")
      throw new UnpicklingError("persistent id key and location must be str");
    const numel = int(n, `numel of storage ${key}`);
    const seen = this.storages.get(key);
    if (seen !== undefined) {
      if (seen.type !== type || seen.base.numel() !== numel) {
        throw new UnpicklingError(
          `storage ${key} is described twice, as ${seen.type.path} of ${seen.base.numel()} and ${type.path} of ${numel}`,
        );
      }
      return seen;
    }
    const name = `${this.prefix}data/${key}`;
    const bytes = this.entries.get(name);
    if (bytes === undefined) throw new ValueError(`torch.save archive has no record ${name}`);
    if (bytes.length !== numel * type.itemSize) {
      throw new ValueError(
        `storage ${name} has ${bytes.length} bytes, expected ${numel} × ${type.itemSize} (${type.path})`,
      );
    }
    const base = NDArray.empty([numel], type.dtype);
    const loaded = new Loaded(type, base);
    this.storages.set(key, loaded);
    decode(bytes, type, numel, base);
    return loaded;
  }

  /** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
  rebuildTensor(args: readonly unknown[], v2: boolean): Tensor {
    const fn = v2 ? "_rebuild_tensor_v2" : "_rebuild_tensor";
    if (v2 ? args.length < 6 || args.length > 7 : args.length !== 4) {
      throw new UnpicklingError(`${fn} got ${args.length} arguments`);
    }
    const [storage, off, size, stride, requiresGrad, hooks] = args;
    if (!(storage instanceof Loaded)) {
      throw new UnpicklingError(`${fn} expects a storage, but got ${describe(storage)}`);
    }
    const offset = int(off, "storage offset");
    const shape = ints(size, "size");
    const strides = ints(stride, "stride");
    if (shape.length !== strides.length) {
      throw new RuntimeError(
        `mismatch in length of strides and shape (${strides.length} vs ${shape.length})`,
      );
    }
    let last = offset;
    for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * strides[d]!;
    const numel = storage.base.numel();
    if (!shape.includes(0) && last >= numel) {
      throw new RuntimeError(
        `setStorage: sizes [${shape.join(", ")}], strides [${strides.join(", ")}], storage offset ${offset}, and itemsize ${storage.type.itemSize} requiring a storage size of ${(last + 1) * storage.type.itemSize} are out of bounds for storage of size ${numel * storage.type.itemSize}`,
      );
    }
    if (v2 && typeof requiresGrad !== "boolean")
      throw new UnpicklingError("requires_grad must be a bool");
    if (v2 && !(hooks instanceof PyDict && hooks.items.size === 0)) {
      throw new UnpicklingError("backward hooks cannot be loaded: expected an empty OrderedDict");
    }
    const view = storage.base.asStrided(shape, strides, offset);
    const t = new Tensor(view);
    view.dispose();
    this.tensors.push(t);
    if (requiresGrad === true) t.requiresGrad_(true);
    return t;
  }

  /** `_rebuild_parameter(data, requires_grad, backward_hooks)`: a `Parameter` over the same storage. */
  rebuildParameter(args: readonly unknown[]): Parameter {
    const [data, requiresGrad, hooks] = args;
    if (args.length !== 3 || !(data instanceof Tensor) || typeof requiresGrad !== "boolean") {
      throw new UnpicklingError("_rebuild_parameter expects (Tensor, bool, OrderedDict)");
    }
    if (!(hooks instanceof PyDict && hooks.items.size === 0)) {
      throw new UnpicklingError("backward hooks cannot be loaded: expected an empty OrderedDict");
    }
    const p = new Parameter(data, requiresGrad);
    this.tensors.push(p);
    return p;
  }

  /**
   * Drops the flat storages' own references and every tensor built but not returned (a
   * Parameter's inner tensor, or all of them after a failure); returned tensors keep theirs.
   */
  close(kept: ReadonlySet<Tensor>): void {
    for (const s of this.storages.values()) s.base.dispose();
    for (const t of this.tensors) if (!kept.has(t)) t.dispose();
  }
}

/** The archive's record prefix (`<archive>/`): PyTorch takes the first record's folder. */
function archivePrefix(entries: Map<string, Uint8Array>): string {
  const first = entries.keys().next();
  if (first.done === true) throw new ValueError("torch.save archive is empty");
  const slash = first.value.indexOf("/");
  const prefix = slash < 0 ? "" : first.value.slice(0, slash + 1);
  if (!entries.has(`${prefix}data.pkl`)) {
    if (entries.has(`${prefix}constants.pkl`)) {
      throw new ValueError(
        "this is a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead",
      );
    }
    throw new ValueError(`not a torch.save archive: no record ${prefix}data.pkl`);
  }
  return prefix;
}

/**
 * Reads a state dict written by `torch.save(model.state_dict(), f)` (PyTorch ≥ 1.6's zip format):
 * tensors by name, in file order. Storages shared between tensors stay shared (views alias, as in
 * PyTorch); int64 buffers become int64, half and bfloat16 storages float32. Only tensors, their
 * storages and `OrderedDict` are unpickled: any other global is refused with an
 * `UnpicklingError` naming it, so a malicious file cannot run anything.
 * @example
 * const sd = loadTorchStateDict(new Uint8Array(await (await fetch("model.pt")).arrayBuffer()));
 * model.loadStateDict(sd);
 */
export function loadTorchStateDict(bytes: Uint8Array): Map<string, Tensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) {
    throw new ValueError(
      "this is PyTorch's legacy (pre-1.6) serialization format, which is not supported; re-save it with torch.save(obj, f) in PyTorch ≥ 1.6",
    );
  }
  const entries = readZip(bytes);
  const prefix = archivePrefix(entries);
  const order = entries.get(`${prefix}byteorder`);
  if (order !== undefined) {
    const s = new TextDecoder().decode(order).trim();
    if (s !== "little")
      throw new ValueError(
        `torch.save archive is ${s}-endian; only little-endian archives are supported`,
      );
  }
  const reader = new Reader(entries, prefix);
  const kept = new Set<Tensor>();
  try {
    const obj = unpickle(entries.get(`${prefix}data.pkl`)!, {
      globals: reader.globals(),
      persistentLoad: (pid) => reader.persistentLoad(pid),
    });
    if (!(obj instanceof PyDict)) {
      throw new ValueError(
        `expected a state dict (a dict of tensors), but the file holds a ${describe(obj)}`,
      );
    }
    const out = new Map<string, Tensor>();
    for (const [k, v] of obj.items) {
      if (typeof k !== "string")
        throw new ValueError(`state dict keys must be str, but got ${describe(k)}`);
      if (!(v instanceof Tensor)) {
        throw new ValueError(
          `state dict entry '${k}' is a ${describe(v)}, not a tensor: save model.state_dict() itself`,
        );
      }
      out.set(k, v);
    }
    for (const t of out.values()) kept.add(t);
    return out;
  } finally {
    reader.close(kept);
  }
}
