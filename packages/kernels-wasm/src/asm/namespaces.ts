// Typed instruction namespaces (`b.i32`, `b.f32x4`, `b.v128`, …) generated from the opcode tables:
// each table entry becomes a method whose parameters and result are typed from the entry, plus
// hand-written methods for instructions with immediates (constants, lanes, loads and stores).

import {
  atomicOps,
  controlOp,
  f32Loads,
  f32Ops,
  f32Stores,
  f32x4Ops,
  f64Loads,
  f64Ops,
  f64Stores,
  f64x2Ops,
  i8x16Ops,
  i16x8Ops,
  i32Loads,
  i32Ops,
  i32Stores,
  i32x4Ops,
  i64Loads,
  i64Ops,
  i64Stores,
  i64x2Ops,
  laneOps,
  type MemTable,
  type OpTable,
  prefix,
  simdImmOp,
  type ValType,
  v128Loads,
  v128Ops,
  v128Stores,
} from "./opcodes";
import type { Emitter, MemArg, Val } from "./val";

type ArgVals<A extends readonly ValType[]> = {
  [I in keyof A]?: A[I] extends ValType ? Val<A[I]> : never;
};

/** Methods derived from an opcode table: operands typed from the entry, result typed too. */
export type Ops<T extends OpTable> = {
  readonly [K in keyof T]: (...operands: ArgVals<T[K][1]>) => Val<T[K][2]>;
};
/** Load methods: `(address, memarg) => value`. */
export type Loads<T extends MemTable, R extends ValType> = {
  readonly [K in keyof T]: (address?: Val<"i32">, m?: MemArg) => Val<R>;
};
/** Store methods: `(address, value, memarg) => void`. */
export type Stores<T extends MemTable, R extends ValType> = {
  readonly [K in keyof T]: (address?: Val<"i32">, value?: Val<R>, m?: MemArg) => void;
};

function ops<T extends OpTable>(e: Emitter, ns: string, table: T, simd: boolean): Ops<T> {
  const out: Record<string, (...operands: unknown[]) => Val<ValType>> = {};
  for (const [name, [code, args, result]] of Object.entries(table)) {
    const what = `${ns}.${name}`;
    out[name] = (...operands) => {
      if (simd) e.prefixed(prefix.simd, code);
      else e.op(code);
      return e.stack.apply(what, args, result, operands);
    };
  }
  return out as Ops<T>;
}

function loads<T extends MemTable, R extends ValType>(
  e: Emitter,
  ns: string,
  table: T,
  result: R,
  simd: boolean,
): Loads<T, R> {
  const out: Record<string, (a?: Val<"i32">, m?: MemArg) => Val<R>> = {};
  for (const [name, [code, natural]] of Object.entries(table)) {
    const what = `${ns}.${name}`;
    out[name] = (a, m) => {
      if (simd) e.prefixed(prefix.simd, code);
      else e.op(code);
      e.memarg(natural, m);
      return e.stack.apply(what, ["i32"], result, [a]);
    };
  }
  return out as Loads<T, R>;
}

function stores<T extends MemTable, R extends ValType>(
  e: Emitter,
  ns: string,
  table: T,
  value: R,
  simd: boolean,
): Stores<T, R> {
  const out: Record<string, (a?: Val<"i32">, v?: Val<R>, m?: MemArg) => void> = {};
  for (const [name, [code, natural]] of Object.entries(table)) {
    const what = `${ns}.${name}`;
    out[name] = (a, v, m) => {
      if (simd) e.prefixed(prefix.simd, code);
      else e.op(code);
      e.memarg(natural, m);
      e.stack.apply(what, ["i32", value], undefined, [a, v]);
    };
  }
  return out as Stores<T, R>;
}

function checkLane(lane: number, lanes: number): void {
  if (!Number.isInteger(lane) || lane < 0 || lane >= lanes) {
    throw new RangeError(`lane index ${lane} out of range [0, ${lanes})`);
  }
}

/** Lane accessors of a SIMD shape. */
export interface LaneAccess<S extends ValType> {
  /** Extracts lane `lane` as a scalar. */
  extractLane(lane: number, v?: Val<"v128">): Val<S>;
  /** Replaces lane `lane` with a scalar. */
  replaceLane(lane: number, v?: Val<"v128">, x?: Val<S>): Val<"v128">;
  /** A v128 constant from one number per lane. */
  const(values: readonly number[]): Val<"v128">;
}

function lanes<S extends ValType>(
  e: Emitter,
  shape: keyof typeof laneOps,
  scalar: S,
  write: (view: DataView, i: number, x: number) => void,
): LaneAccess<S> {
  const spec = laneOps[shape];
  return {
    extractLane(lane, v) {
      checkLane(lane, spec.lanes);
      e.prefixed(prefix.simd, spec.extract);
      e.raw([lane]);
      return e.stack.apply(`${shape}.extractLane`, ["v128"], scalar, [v]);
    },
    replaceLane(lane, v, x) {
      checkLane(lane, spec.lanes);
      e.prefixed(prefix.simd, spec.replace);
      e.raw([lane]);
      return e.stack.apply(`${shape}.replaceLane`, ["v128", scalar], "v128", [v, x]);
    },
    const(values) {
      if (values.length !== spec.lanes) {
        throw new RangeError(`${shape}.const takes ${spec.lanes} lanes, got ${values.length}`);
      }
      const view = new DataView(new ArrayBuffer(16));
      values.forEach((x, i) => {
        write(view, i, x);
      });
      e.prefixed(prefix.simd, simdImmOp.const);
      e.raw(new Uint8Array(view.buffer));
      return e.stack.push("v128");
    },
  };
}

/** `b.i32`: i32 arithmetic, comparisons, conversions, loads, stores and constants. */
export type I32Namespace = Ops<typeof i32Ops> &
  Loads<typeof i32Loads, "i32"> &
  Stores<typeof i32Stores, "i32"> & { const(value: number): Val<"i32"> };
/** `b.i64`: i64 instructions. */
export type I64Namespace = Ops<typeof i64Ops> &
  Loads<typeof i64Loads, "i64"> &
  Stores<typeof i64Stores, "i64"> & { const(value: bigint | number): Val<"i64"> };
/** `b.f32`: f32 instructions. */
export type F32Namespace = Ops<typeof f32Ops> &
  Loads<typeof f32Loads, "f32"> &
  Stores<typeof f32Stores, "f32"> & { const(value: number): Val<"f32"> };
/** `b.f64`: f64 instructions. */
export type F64Namespace = Ops<typeof f64Ops> &
  Loads<typeof f64Loads, "f64"> &
  Stores<typeof f64Stores, "f64"> & { const(value: number): Val<"f64"> };
/** `b.v128`: SIMD loads, stores, bitwise ops, 16-byte constants and shuffles. */
export type V128Namespace = Ops<typeof v128Ops> &
  Loads<typeof v128Loads, "v128"> &
  Stores<typeof v128Stores, "v128"> & {
    const(bytes: ArrayLike<number>): Val<"v128">;
    /** i8x16.shuffle: byte i of the result is byte lanes[i] of a‖b. */
    shuffle(lanes: readonly number[], a?: Val<"v128">, b?: Val<"v128">): Val<"v128">;
  };
/** `b.i8x16`, `b.i16x8`: lane masks, narrowing and widening (no lane access). */
export type I8x16Namespace = Ops<typeof i8x16Ops>;
export type I16x8Namespace = Ops<typeof i16x8Ops>;
/** `b.i32x4`, `b.i64x2`, `b.f32x4`, `b.f64x2`: SIMD arithmetic and lane access. */
export type I32x4Namespace = Ops<typeof i32x4Ops> & LaneAccess<"i32">;
export type I64x2Namespace = Ops<typeof i64x2Ops> & LaneAccess<"i64">;
export type F32x4Namespace = Ops<typeof f32x4Ops> & LaneAccess<"f32">;
export type F64x2Namespace = Ops<typeof f64x2Ops> & LaneAccess<"f64">;

/** `b.atomic`: the i32 atomics, wait/notify and fence (meaningful on a shared memory). */
export interface AtomicNamespace {
  notify(address?: Val<"i32">, count?: Val<"i32">, m?: MemArg): Val<"i32">;
  wait32(
    address?: Val<"i32">,
    expected?: Val<"i32">,
    timeoutNs?: Val<"i64">,
    m?: MemArg,
  ): Val<"i32">;
  fence(): void;
  i32Load(address?: Val<"i32">, m?: MemArg): Val<"i32">;
  i32Store(address?: Val<"i32">, value?: Val<"i32">, m?: MemArg): void;
  i32RmwAdd(address?: Val<"i32">, value?: Val<"i32">, m?: MemArg): Val<"i32">;
  i32RmwSub(address?: Val<"i32">, value?: Val<"i32">, m?: MemArg): Val<"i32">;
  i32RmwXchg(address?: Val<"i32">, value?: Val<"i32">, m?: MemArg): Val<"i32">;
  i32RmwCmpxchg(
    address?: Val<"i32">,
    expected?: Val<"i32">,
    replacement?: Val<"i32">,
    m?: MemArg,
  ): Val<"i32">;
}

/** Every typed namespace of a function body. */
export interface Namespaces {
  readonly i32: I32Namespace;
  readonly i64: I64Namespace;
  readonly f32: F32Namespace;
  readonly f64: F64Namespace;
  readonly v128: V128Namespace;
  readonly i8x16: I8x16Namespace;
  readonly i16x8: I16x8Namespace;
  readonly i32x4: I32x4Namespace;
  readonly i64x2: I64x2Namespace;
  readonly f32x4: F32x4Namespace;
  readonly f64x2: F64x2Namespace;
  readonly atomic: AtomicNamespace;
}

/** Builds the namespaces over an emitter. */
export function makeNamespaces(e: Emitter): Namespaces {
  const i32: I32Namespace = Object.assign(
    ops(e, "i32", i32Ops, false),
    loads(e, "i32", i32Loads, "i32", false),
    stores(e, "i32", i32Stores, "i32", false),
    {
      const(value: number) {
        e.op(controlOp.i32Const);
        e.s32(value);
        return e.stack.push("i32");
      },
    },
  );
  const i64: I64Namespace = Object.assign(
    ops(e, "i64", i64Ops, false),
    loads(e, "i64", i64Loads, "i64", false),
    stores(e, "i64", i64Stores, "i64", false),
    {
      const(value: bigint | number) {
        e.op(controlOp.i64Const);
        e.s64(BigInt(value));
        return e.stack.push("i64");
      },
    },
  );
  const f32: F32Namespace = Object.assign(
    ops(e, "f32", f32Ops, false),
    loads(e, "f32", f32Loads, "f32", false),
    stores(e, "f32", f32Stores, "f32", false),
    {
      const(value: number) {
        e.op(controlOp.f32Const);
        e.f32(value);
        return e.stack.push("f32");
      },
    },
  );
  const f64: F64Namespace = Object.assign(
    ops(e, "f64", f64Ops, false),
    loads(e, "f64", f64Loads, "f64", false),
    stores(e, "f64", f64Stores, "f64", false),
    {
      const(value: number) {
        e.op(controlOp.f64Const);
        e.f64(value);
        return e.stack.push("f64");
      },
    },
  );
  const v128: V128Namespace = Object.assign(
    ops(e, "v128", v128Ops, true),
    loads(e, "v128", v128Loads, "v128", true),
    stores(e, "v128", v128Stores, "v128", true),
    {
      const(bytes: ArrayLike<number>) {
        if (bytes.length !== 16)
          throw new RangeError(`v128.const takes 16 bytes, got ${bytes.length}`);
        e.prefixed(prefix.simd, simdImmOp.const);
        e.raw(bytes);
        return e.stack.push("v128");
      },
      shuffle(laneIdx: readonly number[], a?: Val<"v128">, b?: Val<"v128">) {
        if (laneIdx.length !== 16 || laneIdx.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) {
          throw new RangeError("i8x16.shuffle takes 16 lane indices in [0, 32)");
        }
        e.prefixed(prefix.simd, simdImmOp.shuffle);
        e.raw(laneIdx);
        return e.stack.apply("v128.shuffle", ["v128", "v128"], "v128", [a, b]);
      },
    },
  );
  const atomic = makeAtomics(e);
  return {
    i32,
    i64,
    f32,
    f64,
    v128,
    i8x16: ops(e, "i8x16", i8x16Ops, true),
    i16x8: ops(e, "i16x8", i16x8Ops, true),
    i32x4: Object.assign(
      ops(e, "i32x4", i32x4Ops, true),
      lanes(e, "i32x4", "i32", (v, i, x) => v.setInt32(i * 4, x, true)),
    ),
    i64x2: Object.assign(
      ops(e, "i64x2", i64x2Ops, true),
      lanes(e, "i64x2", "i64", (v, i, x) => v.setBigInt64(i * 8, BigInt(x), true)),
    ),
    f32x4: Object.assign(
      ops(e, "f32x4", f32x4Ops, true),
      lanes(e, "f32x4", "f32", (v, i, x) => v.setFloat32(i * 4, x, true)),
    ),
    f64x2: Object.assign(
      ops(e, "f64x2", f64x2Ops, true),
      lanes(e, "f64x2", "f64", (v, i, x) => v.setFloat64(i * 8, x, true)),
    ),
    atomic,
  };
}

function makeAtomics(e: Emitter): AtomicNamespace {
  const I = "i32";
  const mem =
    (name: keyof typeof atomicOps, args: readonly ValType[], result: "i32" | undefined) =>
    (...operands: unknown[]): any => {
      const [code, natural] = atomicOps[name];
      e.prefixed(prefix.atomic, code);
      e.memarg(natural, operands[args.length] as MemArg | undefined);
      return e.stack.apply(`atomic.${name}`, args, result, operands);
    };
  return {
    notify: mem("notify", [I, I], I),
    wait32: mem("wait32", [I, I, "i64"], I),
    fence() {
      e.prefixed(prefix.atomic, atomicOps.fence[0]);
      e.raw([0]);
    },
    i32Load: mem("i32Load", [I], I),
    i32Store: mem("i32Store", [I, I], undefined),
    i32RmwAdd: mem("i32RmwAdd", [I, I], I),
    i32RmwSub: mem("i32RmwSub", [I, I], I),
    i32RmwXchg: mem("i32RmwXchg", [I, I], I),
    i32RmwCmpxchg: mem("i32RmwCmpxchg", [I, I, I], I),
  };
}
