/**
 * `einsum`, composed of differentiable ops: repeated subscripts become diagonals, subscripts
 * found in one operand only are summed first, and operands are contracted pairwise with `bmm`
 * (batch, kept-left, kept-right and contracted subscripts), so the gradient needs no rule.
 */
import { ValueError } from "@x/storage";
import type { Tensor } from "../tensor.js";

interface Term {
  t: Tensor;
  letters: string[];
}

const ELLIPSIS_BASE = 0x2460;

function parse(
  equation: string,
  operands: readonly Tensor[],
): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, "");
  const [lhs, rhs] = eq.split("->") as [string, string | undefined];
  const parts = lhs.split(",");
  if (parts.length !== operands.length) {
    throw new ValueError(
      parts.length < operands.length
        ? "einsum(): more operands were provided than specified in the equation"
        : "einsum(): fewer operands were provided than were specified in the equation",
    );
  }
  let ellipsisRank = 0;
  const inputs = parts.map((p, k) => {
    const t = operands[k]!;
    const named = p.replace("...", "").length;
    if (p.includes("...")) {
      const n = t.ndim - named;
      ellipsisRank = Math.max(ellipsisRank, n);
      const ell = Array.from({ length: n }, (_, i) =>
        String.fromCharCode(ELLIPSIS_BASE + (ellipsisRank - n) + i),
      );
      const [a, b] = p.split("...") as [string, string];
      return [...a, ...ell, ...b];
    }
    if (named !== t.ndim) {
      throw new ValueError(
        `einsum(): the number of subscripts in the equation (${named}) does not match the number of dimensions (${t.ndim}) for operand ${k} and no ellipsis was given`,
      );
    }
    return [...p];
  });
  let output: string[];
  if (rhs !== undefined) {
    const ell = Array.from({ length: ellipsisRank }, (_, i) =>
      String.fromCharCode(ELLIPSIS_BASE + i),
    );
    output = rhs.includes("...")
      ? [...rhs.split("...")[0]!, ...ell, ...rhs.split("...")[1]!]
      : [...rhs];
  } else {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const ell = [...counts.keys()].filter((l) => l.charCodeAt(0) >= ELLIPSIS_BASE).sort();
    const once = [...counts.entries()]
      .filter(([l, c]) => c === 1 && l.charCodeAt(0) < ELLIPSIS_BASE)
      .map(([l]) => l)
      .sort();
    output = [...ell, ...once];
  }
  return { inputs, output };
}

function diagonalize(term: Term): Term {
  let { t, letters } = term;
  for (;;) {
    let i = -1;
    let j = -1;
    for (let a = 0; a < letters.length && i < 0; a++) {
      const b = letters.indexOf(letters[a]!, a + 1);
      if (b >= 0) [i, j] = [a, b];
    }
    if (i < 0) return { t, letters };
    const l = letters[i]!;
    t = t.diagonal(0, i, j);
    letters = letters.filter((_, k) => k !== i && k !== j).concat(l);
  }
}

function sumOut(term: Term, drop: (l: string) => boolean): Term {
  const dims = term.letters.flatMap((l, i) => (drop(l) ? [i] : []));
  if (dims.length === 0) return term;
  return { t: term.t.sum(dims), letters: term.letters.filter((l) => !drop(l)) };
}

function size(term: Term, l: string): number {
  return term.t.shape[term.letters.indexOf(l)]!;
}

function arrange(term: Term, order: string[], shape: number[]): Tensor {
  const perm = order.map((l) => term.letters.indexOf(l));
  return term.t.permute(perm).reshape(shape);
}

function prod(ns: number[]): number {
  return ns.reduce((a, b) => a * b, 1);
}

function contract(a: Term, b: Term, keep: Set<string>): Term {
  a = sumOut(a, (l) => !keep.has(l) && !b.letters.includes(l));
  b = sumOut(b, (l) => !keep.has(l) && !a.letters.includes(l));
  const common = a.letters.filter((l) => b.letters.includes(l));
  // Broadcast size-1 subscripts shared with the other operand.
  for (const l of common) {
    const sa = size(a, l);
    const sb = size(b, l);
    if (sa === sb) continue;
    if (sa === 1)
      a = { t: a.t.expand(a.letters.map((x) => (x === l ? sb : -1))), letters: a.letters };
    else if (sb === 1)
      b = { t: b.t.expand(b.letters.map((x) => (x === l ? sa : -1))), letters: b.letters };
    else
      throw new ValueError(
        `einsum(): operands do not broadcast with remapped shapes (subscript ${l}: ${sa} vs ${sb})`,
      );
  }
  const batch = common.filter((l) => keep.has(l));
  const contr = common.filter((l) => !keep.has(l));
  const left = a.letters.filter((l) => !b.letters.includes(l));
  const right = b.letters.filter((l) => !a.letters.includes(l));
  const bs = batch.map((l) => size(a, l));
  const ls = left.map((l) => size(a, l));
  const cs = contr.map((l) => size(a, l));
  const rs = right.map((l) => size(b, l));
  const a3 = arrange(a, [...batch, ...left, ...contr], [prod(bs), prod(ls), prod(cs)]);
  const b3 = arrange(b, [...batch, ...contr, ...right], [prod(bs), prod(cs), prod(rs)]);
  const r = a3.bmm(b3).reshape([...bs, ...ls, ...rs]);
  return { t: r, letters: [...batch, ...left, ...right] };
}

/**
 * Einstein summation (`torch.einsum`), with `...` and implicit output.
 * @example einsum("ij,jk->ik", a, b) // a.matmul(b)
 * @example einsum("ii->i", m) // the diagonal
 */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  const ops = (
    operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands
  ) as readonly Tensor[];
  const { inputs, output } = parse(equation, ops);
  let terms = ops.map((t, k) => diagonalize({ t, letters: inputs[k]! }));
  const outSet = new Set(output);
  // Subscripts of one operand only, not in the output, are summed right away.
  terms = terms.map((term, k) =>
    sumOut(term, (l) => !outSet.has(l) && !terms.some((o, j) => j !== k && o.letters.includes(l))),
  );
  let acc = terms[0]!;
  for (let k = 1; k < terms.length; k++) {
    const keep = new Set(output);
    for (let j = k + 1; j < terms.length; j++) for (const l of terms[j]!.letters) keep.add(l);
    acc = contract(acc, terms[k]!, keep);
  }
  acc = sumOut(acc, (l) => !outSet.has(l));
  const perm = output.map((l) => acc.letters.indexOf(l));
  if (perm.some((p) => p < 0))
    throw new ValueError("einsum(): output subscript not found in the inputs");
  return perm.every((p, i) => p === i) ? acc.t : acc.t.permute(perm);
}
