// The runtime face of the generated kernels: one compiled kernel module instantiated over a
// `WasmHeap`, with thin typed wrappers (pointers are byte addresses from the heap; counts and
// strides are in elements). This is what a `Backend` built on this package calls.

import { detectFeatures, type WasmFeatures } from "./features";
import type { FloatDType } from "./kernels/dtype";
import type { BinaryOp, MulAddLayout, UnaryOp } from "./kernels/elementwise";
import { gemmConfigs, gemmPackedBElements, gemmWorkspaceBytes } from "./kernels/gemm";
import { buildKernelModule, type KernelExports } from "./kernels/kernelModule";
import type { ReduceOp } from "./kernels/reduce";
import { type HeapOptions, WasmHeap } from "./memory";
import { Dispatcher, MIN_PARALLEL_MICROS } from "./threads/dispatch";
import { getNumThreads } from "./threads/threads";
import { type WasmModule, wasmApi } from "./wasmApi";

/** Options of `WasmKernels.create`. */
export interface WasmKernelsOptions extends HeapOptions {
  /** An existing heap to run on; its memory must be shared iff `shared` is. */
  readonly heap?: WasmHeap;
}

/** Strides and accumulation of a matmul; strides default to contiguous row-major. */
export interface MatmulLayout {
  /** Element strides of A (row, column); default (k, 1). Use (1, m) for a transposed A. */
  readonly rsa?: number;
  readonly csa?: number;
  /** Element strides of B (row, column); default (n, 1). Use (1, k) for a transposed B. */
  readonly rsb?: number;
  readonly csb?: number;
  /** Row stride of C in elements; default n. C's column stride is 1. */
  readonly rsc?: number;
  /** Add into C instead of overwriting it. Default false. */
  readonly accumulate?: boolean;
}

/** Single-thread GEMM speed assumed when deciding to split (flops per microsecond). */
const GEMM_FLOPS_PER_MICRO = 30e3;

/** A GEMM split by N is split into items of about this many microseconds, at most GEMM_MAX_ITEMS. */
const GEMM_ITEM_MICROS = 100;
const GEMM_MAX_ITEMS = 8;
/** Items per thread of a GEMM split by M (a multiple of the threads: equal shares). */
const GEMM_ITEMS_PER_THREAD = 4;
/** Elements of B packed per microsecond (for the thread decision of the packing). */
const PACK_ELEMENTS_PER_MICRO = 3000;

/** Elements per item of a split kernel (at least), and the most items. */
const SPLIT_ITEM_ELEMENTS = 1 << 15;
const SPLIT_MAX_ITEMS = 64;

/** Compiled modules by (shared, relaxed SIMD). */
const compiled = new Map<string, WasmModule>();

function sharedOf(options: WasmKernelsOptions): boolean {
  if (!options.heap) return options.shared ?? detectFeatures().threads;
  const buffer: unknown = options.heap.memory.buffer;
  return typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;
}

function moduleOptions(shared: boolean) {
  const relaxedSimd = detectFeatures().relaxedSimd;
  return { key: `${shared}/${relaxedSimd}`, options: { shared, relaxedSimd } };
}

function kernelModule(shared: boolean): WasmModule {
  const { key, options } = moduleOptions(shared);
  let mod = compiled.get(key);
  if (!mod) {
    mod = new (wasmApi().Module)(buildKernelModule(options));
    compiled.set(key, mod);
  }
  return mod;
}

/**
 * WASM SIMD kernels over one heap.
 *
 * @example
 * const k = WasmKernels.create();
 * const a = k.heap.alloc(4 * 6), b = k.heap.alloc(4 * 6), c = k.heap.alloc(4 * 4);
 * k.matmul("f32", 2, 2, 3, a, b, c); // C[2,2] = A[2,3] @ B[3,2]
 */
export class WasmKernels {
  /** The heap whose memory the kernels read and write. */
  readonly heap: WasmHeap;
  /** What the runtime supports. */
  readonly features: WasmFeatures;
  /** The module's exports, for callers that need a kernel without a wrapper. */
  readonly raw: KernelExports;
  /** The worker threads of this heap (see `setNumThreads`). */
  readonly threads: Dispatcher;
  readonly #gemmWork: Partial<Record<FloatDType, number>> = {};

  private constructor(heap: WasmHeap, module: WasmModule, shared: boolean) {
    const api = wasmApi();
    this.heap = heap;
    this.features = detectFeatures();
    const imports = { env: { memory: heap.memory, log: Math.log } };
    const exports = new api.Instance(module, imports).exports;
    this.raw = exports as unknown as KernelExports;
    const fns = exports as unknown as Record<string, (...a: number[]) => unknown>;
    this.threads = new Dispatcher(heap, module, Object.keys(exports), shared, fns);
  }

  /** Compiles (once per process) and instantiates the kernels synchronously. */
  static create(options: WasmKernelsOptions = {}): WasmKernels {
    const features = detectFeatures();
    if (!features.simd) throw new Error("@x/kernels-wasm: this runtime lacks WebAssembly SIMD128");
    const shared = sharedOf(options);
    const heap = options.heap ?? new WasmHeap({ ...options, shared });
    return new WasmKernels(heap, kernelModule(shared), shared);
  }

  /** Like `create`, compiling asynchronously (browsers limit synchronous compilation). */
  static async createAsync(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const { key, options: built } = moduleOptions(sharedOf(options));
    if (!compiled.has(key)) compiled.set(key, await wasmApi().compile(buildKernelModule(built)));
    return WasmKernels.create(options);
  }

  #work(d: FloatDType): number {
    let w = this.#gemmWork[d];
    if (w === undefined) {
      w = this.heap.alloc(gemmWorkspaceBytes(gemmConfigs[d]));
      this.#gemmWork[d] = w;
    }
    return w;
  }

  /**
   * C[m,n] = A[m,k] @ B[k,n] (or C += … with `accumulate`), any element strides for A and B.
   *
   * @example
   * k.matmul("f32", m, n, kk, a, b, c, { rsb: 1, csb: kk }); // C = A @ Bᵀ for a row-major B[n,k]
   */
  matmul(
    d: FloatDType,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    layout: MatmulLayout = {},
  ): void {
    const rsc = layout.rsc ?? n;
    const accumulate = layout.accumulate ?? false;
    if (k === 0 && !accumulate) {
      const v = d === "f32" ? this.heap.views.f32 : this.heap.views.f64;
      const base = c / (d === "f32" ? 4 : 8);
      for (let i = 0; i < m; i++) v.fill(0, base + i * rsc, base + i * rsc + n);
      return;
    }
    const [rsa, csa] = [layout.rsa ?? k, layout.csa ?? 1];
    const [rsb, csb] = [layout.rsb ?? n, layout.csb ?? 1];
    const acc = accumulate ? 1 : 0;
    const name = `gemm_${d}` as const;
    const fn = this.raw[name];
    const micros = (2 * m * n * k) / GEMM_FLOPS_PER_MICRO;
    if (micros < MIN_PARALLEL_MICROS || getNumThreads() === 1) {
      fn(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, acc, this.#work(d));
      return;
    }
    const cfg = gemmConfigs[d];
    const E = d === "f32" ? 4 : 8;
    const T = getNumThreads();
    const nr = cfg.nrv * (16 / E);
    const rowUnits = Math.ceil(m / cfg.mr);
    // by rows when there are as many as columns, or enough that each thread's share spans
    // whole row blocks (each range of rows reads all of B), else by columns
    if (m >= n ? rowUnits >= 2 : rowUnits >= 2 * T && m >= 2 * T * cfg.mc) {
      // B packed once, shared: its panels packed by the threads (ranges of NR columns), then
      // ranges of rows (MR multiples, balanced) that pack only their own rows of A
      const bp = this.heap.alloc(gemmPackedBElements(cfg, n, k) * E);
      const panels = Math.ceil(n / nr);
      const packs = Math.min(panels, 2 * T);
      const cols = (i: number) => Math.min(n, Math.floor((i * panels) / packs) * nr);
      const pack = `gemmPackB_${d}` as const;
      const items = Math.min(rowUnits, GEMM_ITEMS_PER_THREAD * T);
      const row = (i: number) => Math.min(m, Math.floor((i * rowUnits) / items) * cfg.mr);
      const work = this.threads.arena(gemmWorkspaceBytes(cfg));
      const packed = `gemmPackedB_${d}` as const;
      const args = (lo: number, hi: number, w: number) => [
        hi - lo,
        n,
        k,
        a + lo * rsa * E,
        rsa,
        csa,
        bp,
        c + lo * rsc * E,
        rsc,
        acc,
        w,
      ];
      try {
        this.threads.runItems(
          packs,
          (k * n) / PACK_ELEMENTS_PER_MICRO,
          (i, call) => call(pack, [b, rsb, csb, n, k, bp, cols(i), cols(i + 1)]),
          () => this.raw[pack](b, rsb, csb, n, k, bp, 0, n),
        );
        this.threads.runItems(
          items,
          micros,
          (i, call) => call(packed, args(row(i), row(i + 1), work), 1 << 10),
          () => this.raw[packed](...args(0, m, this.#work(d))),
        );
      } finally {
        this.heap.free(bp);
      }
      return;
    }
    // few rows: ranges of N (NR multiples), each packing its own panels of B and all of A in
    // its thread's workspace; every element of C is summed by one item, in the order of one
    // thread
    const unit = nr;
    const units = Math.ceil(n / unit);
    const items = Math.min(
      units,
      GEMM_MAX_ITEMS,
      Math.max(2, Math.floor(micros / GEMM_ITEM_MICROS)),
    );
    const chunk = Math.ceil(units / items) * unit;
    const work = this.threads.arena(gemmWorkspaceBytes(cfg));
    this.threads.runItems(
      Math.ceil(n / chunk),
      micros,
      (i, call) => {
        const lo = i * chunk;
        const len = Math.min(n, lo + chunk) - lo;
        const args = [
          m,
          len,
          k,
          a,
          rsa,
          csa,
          b + lo * csb * E,
          rsb,
          csb,
          c + lo * E,
          rsc,
          acc,
          work,
        ];
        call(name, args, 1 << 12);
      },
      () => fn(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, acc, this.#work(d)),
    );
  }

  /**
   * Runs `exports[name](...args(start, len))` over [0, n) in ranges that are multiples of
   * `grain`, claimed by the threads as they come (about 32 K elements each, at most 64), when the
   * whole takes about `micros` on one thread; else in one call.
   *
   * @example
   * k.split("binary_add_f32_vv", n, n / 2000, 16, (s, len) => [a + 4 * s, b + 4 * s, out + 4 * s, len]);
   */
  split(
    name: keyof KernelExports,
    n: number,
    micros: number,
    grain: number,
    args: (start: number, len: number) => number[],
  ): void {
    const fn = this.raw[name] as unknown as (...a: number[]) => void;
    const items = Math.max(1, Math.min(SPLIT_MAX_ITEMS, Math.floor(n / SPLIT_ITEM_ELEMENTS)));
    const chunk = Math.max(grain, Math.ceil(n / items / grain) * grain);
    this.threads.runItems(
      Math.ceil(n / chunk),
      micros,
      (i, call) => call(name, args(i * chunk, Math.min(n, (i + 1) * chunk) - i * chunk)),
      () => fn(...args(0, n)),
    );
  }

  /** out[i] = a[i] ∘ b[i] for i < n. */
  binary(op: BinaryOp, d: FloatDType, a: number, b: number, out: number, n: number): void {
    this.raw[`binary_${op}_${d}_vv`](a, b, out, n);
  }

  /** out[i] = a[i] ∘ s for i < n. */
  binaryScalar(op: BinaryOp, d: FloatDType, a: number, s: number, out: number, n: number): void {
    this.raw[`binary_${op}_${d}_vs`](a, s, out, n);
  }

  /** out[i] = s ∘ b[i] for i < n. */
  scalarBinary(op: BinaryOp, d: FloatDType, s: number, b: number, out: number, n: number): void {
    this.raw[`binary_${op}_${d}_sv`](s, b, out, n);
  }

  /** out[i] = op(x[i]) for i < n. */
  unary(op: UnaryOp, d: FloatDType, x: number, out: number, n: number): void {
    this.raw[`unary_${op}_${d}`](x, out, n);
  }

  /**
   * out[i] = a[i] * b + c for i < n; `layout` says which of b and c are pointers (v) or numbers
   * (s): "vvv", "vsv", "vvs" or "vss".
   */
  mulAdd(
    d: FloatDType,
    layout: MulAddLayout,
    a: number,
    b: number,
    c: number,
    out: number,
    n: number,
  ): void {
    this.raw[`mulAdd_${d}_${layout}`](a, b, c, out, n);
  }

  /** Reduces x viewed as [outer, r, inner] over its middle axis into out [outer, inner]. */
  reduce(
    op: ReduceOp,
    d: FloatDType,
    x: number,
    out: number,
    outer: number,
    r: number,
    inner: number,
  ): void {
    this.raw[`reduce_${op}_${d}`](x, out, outer, r, inner);
  }

  /** Softmax over each row of a contiguous [rows, cols] block (out may be x). */
  softmax(x: number, out: number, rows: number, cols: number, d: FloatDType = "f32"): void {
    this.raw[`softmax_${d}`](x, out, rows, cols);
  }

  /** Log-softmax over each row of a contiguous [rows, cols] block (out may be x). */
  logSoftmax(x: number, out: number, rows: number, cols: number, d: FloatDType = "f32"): void {
    this.raw[`logSoftmax_${d}`](x, out, rows, cols);
  }
}
