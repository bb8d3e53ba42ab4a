/**
 * `gradcheck` and `gradgradcheck` (`torch.autograd.gradcheck`): compare the analytical
 * Jacobian from backward with central finite differences, in float64, and report the first
 * mismatch in PyTorch's words.
 */
import { Generator, RuntimeError } from "@x/storage";
import { grad } from "./autograd.js";
import { randn, zerosLike } from "./ops/creation.js";
import type { Tensor } from "./tensor.js";

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw on mismatch (default) rather than return false. */
  raiseException?: boolean;
}

type Outputs = Tensor | readonly Tensor[];

function asList(o: Outputs): Tensor[] {
  return Array.isArray(o) ? (o as Tensor[]).slice() : [o as Tensor];
}

/** Storage offsets of every element of `t`, in row-major order. */
function offsets(t: Tensor): number[] {
  const d = t.data;
  const n = d.numel();
  const out = new Array<number>(n);
  const idx = new Array<number>(d.ndim).fill(0);
  let off = d.offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let k = d.ndim - 1; k >= 0; k--) {
      if (++idx[k]! < d.shape[k]!) {
        off += d.strides[k]!;
        break;
      }
      off -= (idx[k]! - 1) * d.strides[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

function flatValues(ts: readonly Tensor[]): number[][] {
  return ts.map((t) => t.data.toArray());
}

function pick(ts: Tensor[], idx: number[]): Tensor[] {
  return idx.map((i) => ts[i]!);
}

function fmt(rows: number[][]): string {
  return rows.map((r) => r.map((v) => v.toFixed(4)).join(", ")).join("\n");
}

/**
 * Checks the gradients of `fn` at `inputs` (those requiring grad) against finite differences.
 * Use float64 inputs. Returns true, or throws (or returns false) on the first mismatch.
 *
 * @example
 * gradcheck((x) => x.sin().mul(x), [randn(3, { dtype: "float64", requiresGrad: true })]);
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Outputs,
  inputs: Tensor | readonly Tensor[],
  opts: GradcheckOptions = {},
): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const ins = asList(inputs);
  const diff = ins.map((t, i) => [t, i] as const).filter(([t]) => t.requiresGrad);
  const all = asList(fn(...ins));
  const outIdx = all.flatMap((o, i) => (o.requiresGrad ? [i] : []));
  const outs = outIdx.map((i) => all[i]!);
  if (diff.length === 0)
    throw new RuntimeError("gradcheck expects at least one input tensor to require gradient");
  // Analytical Jacobians: one backward per output element.
  const analytical = outs.map((o) =>
    diff.map(([t]) =>
      Array.from({ length: o.numel() }, () => new Array<number>(t.numel()).fill(0)),
    ),
  );
  outs.forEach((o, oi) => {
    const n = o.numel();
    for (let k = 0; k < n; k++) {
      const seed = zerosLike(o);
      seed.data.typed()[k] = 1;
      const gs = grad(
        o,
        diff.map(([t]) => t),
        { gradOutputs: seed, retainGraph: true, allowUnused: true },
      );
      gs.forEach((g, j) => {
        if (g) {
          const vals = g.data.toArray();
          for (let e = 0; e < vals.length; e++) analytical[oi]![j]![k]![e] = vals[e]!;
        }
      });
    }
  });
  // Numerical Jacobians: central differences, one input element at a time.
  const numerical = outs.map((o) =>
    diff.map(([t]) =>
      Array.from({ length: o.numel() }, () => new Array<number>(t.numel()).fill(0)),
    ),
  );
  diff.forEach(([t], j) => {
    const data = t.data.typed();
    const offs = offsets(t);
    for (let e = 0; e < offs.length; e++) {
      const o = offs[e]!;
      const orig = data[o]!;
      data[o] = orig + eps;
      const plus = flatValues(pick(asList(fn(...ins)), outIdx));
      data[o] = orig - eps;
      const minus = flatValues(pick(asList(fn(...ins)), outIdx));
      data[o] = orig;
      for (let oi = 0; oi < outs.length; oi++) {
        const p = plus[oi]!;
        const m = minus[oi]!;
        for (let k = 0; k < p.length; k++) numerical[oi]![j]![k]![e] = (p[k]! - m[k]!) / (2 * eps);
      }
    }
  });
  for (let oi = 0; oi < outs.length; oi++) {
    for (let j = 0; j < diff.length; j++) {
      const a = analytical[oi]![j]!;
      const n = numerical[oi]![j]!;
      let bad = false;
      for (let k = 0; k < a.length && !bad; k++) {
        for (let e = 0; e < a[k]!.length; e++) {
          const av = a[k]![e]!;
          const nv = n[k]![e]!;
          if (!(Math.abs(av - nv) <= atol + rtol * Math.abs(nv))) {
            bad = true;
            break;
          }
        }
      }
      if (bad) {
        if (opts.raiseException === false) return false;
        // PyTorch prints Jacobians with one column per output element.
        const tr = (m: number[][]) => (m[0] ?? []).map((_, e) => m.map((row) => row[e]!));
        throw new RuntimeError(
          `Jacobian mismatch for output ${oi} with respect to input ${diff[j]![1]},\nnumerical:${fmt(tr(n))}\nanalytical:${fmt(tr(a))}\n`,
        );
      }
    }
  }
  return true;
}

/**
 * Checks second derivatives: `gradcheck` of the function that maps inputs (and the upstream
 * gradients) to the gradients of `fn`, built with `createGraph`.
 *
 * @example
 * gradgradcheck((x) => x.pow(3), [randn(3, { dtype: "float64", requiresGrad: true })]);
 */
export function gradgradcheck(
  fn: (...inputs: Tensor[]) => Outputs,
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly Tensor[] | null,
  opts: GradcheckOptions = {},
): boolean {
  const ins = asList(inputs);
  const all = asList(fn(...ins));
  const outIdx = all.flatMap((o, i) => (o.requiresGrad ? [i] : []));
  const outs = outIdx.map((i) => all[i]!);
  const gen = new Generator(0);
  const gos =
    gradOutputs === undefined || gradOutputs === null
      ? outs.map((o) => randn(o.shape, { dtype: o.dtype, requiresGrad: true, generator: gen }))
      : asList(gradOutputs);
  const nIn = ins.length;
  const wrapped = (...all: Tensor[]): Tensor[] => {
    const xs = all.slice(0, nIn);
    const vs = all.slice(nIn);
    const ys = asList(fn(...xs)).filter((o) => o.requiresGrad);
    const diffIns = xs.filter((x) => x.requiresGrad);
    const gs = grad(ys, diffIns, { gradOutputs: vs, createGraph: true, allowUnused: true });
    return gs.filter((g): g is Tensor => g !== null && g.requiresGrad === true);
  };
  return gradcheck(wrapped, [...ins, ...gos], { atol: 1e-5, rtol: 1e-3, ...opts });
}
