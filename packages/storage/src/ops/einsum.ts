/**
 * `einsum`, as torch.einsum computes it: the equation is parsed into labels, each operand is
 * aligned to one common order (output labels, then ellipsis dims when not in the output, then
 * summed labels) by diagonals for repeated labels, unsqueezes and a permutation; operands are
 * then contracted left to right, each pair by one batched matrix product, summing a label as soon
 * as no other operand still needs it. Errors keep PyTorch's wording.
 */
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { NDArray } from "../ndArray.js";
import { numel } from "../shape.js";
import { checkSameDType } from "./linalg.js";
import { kernels, scalarArray } from "./prepare.js";

const LETTERS = 26;
const ELLIPSIS = 2 * LETTERS;

/** `A…Z` → 0…25, `a…z` → 26…51 (PyTorch's order for implicit outputs). */
function labelOf(ch: string): number {
  const c = ch.charCodeAt(0);
  return c <= 90 ? c - 65 : c - 97 + LETTERS;
}

function letterOf(label: number): string {
  return String.fromCharCode(label < LETTERS ? label + 65 : label - LETTERS + 97);
}

function fail(message: string, kind: typeof ValueError = ValueError): never {
  throw new kind(`einsum(): ${message}`);
}

/** `x` reshaped into a new or viewed array, releasing the temporary `x`. */
function reshapeOwned(x: NDArray, shape: readonly number[]): NDArray {
  const r = x.reshape(shape);
  if (r !== x) x.dispose();
  return r;
}

/** A product `[B, M, K] @ [B, K, N]` on the matmul kernel (batch dims already equal). */
function bmm3(a: NDArray, b: NDArray): NDArray {
  const out = NDArray.empty([a.shape[0]!, a.shape[1]!, b.shape[2]!], a.dtype);
  kernels().matmul(a, b, out);
  return out;
}

/** Sums `x` over `dims`, keeping them with size 1 (a product with a vector of ones). */
function sumKeep(x: NDArray, dims: readonly number[]): NDArray {
  if (dims.length === 0) return x;
  const keep: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (!dims.includes(d)) keep.push(d);
  const K = numel(keep.map((d) => x.shape[d]!));
  const S = numel(dims.map((d) => x.shape[d]!));
  const p = x.permute([...keep, ...dims]);
  const a = reshapeOwned(p, [1, K, S]);
  const one = scalarArray(1, x.dtype);
  const ones = one.expand([1, S, 1]);
  const out = bmm3(a, ones);
  a.dispose();
  ones.dispose();
  one.dispose();
  return reshapeOwned(
    out,
    x.shape.map((s, d) => (dims.includes(d) ? 1 : s)),
  );
}

/** `(left * right).sum(sumDims)` with keepdim, both aligned to one rank, by one batched product. */
function sumProduct(left: NDArray, right: NDArray, sumDims: readonly number[]): NDArray {
  const lro: number[] = [];
  const lo: number[] = [];
  const ro: number[] = [];
  let lroSize = 1;
  let loSize = 1;
  let roSize = 1;
  let sumSize = 1;
  for (let d = 0; d < left.ndim; d++) {
    const sl = left.shape[d]!;
    const sr = right.shape[d]!;
    if (sumDims.includes(d)) sumSize *= sl;
    else if (sl !== 1 && sr !== 1) {
      lro.push(d);
      lroSize *= sl;
    } else if (sl !== 1) {
      lo.push(d);
      loSize *= sl;
    } else {
      ro.push(d);
      roSize *= sr;
    }
  }
  const l = reshapeOwned(left.permute([...lro, ...lo, ...sumDims, ...ro]), [
    lroSize,
    loSize,
    sumSize,
  ]);
  const r = reshapeOwned(right.permute([...lro, ...sumDims, ...ro, ...lo]), [
    lroSize,
    sumSize,
    roSize,
  ]);
  const prod = bmm3(l, r);
  l.dispose();
  r.dispose();
  const order = [...lro, ...lo, ...sumDims, ...ro];
  const viewShape = order.map((d) =>
    sumDims.includes(d) ? 1 : left.shape[d] !== 1 ? left.shape[d]! : right.shape[d]!,
  );
  const v = prod.view(viewShape);
  prod.dispose();
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => {
    inverse[d] = i;
  });
  const out = v.permute(inverse);
  v.dispose();
  return out;
}

/** Moves the last dim of `x` to position `to`. */
function lastTo(x: NDArray, to: number): NDArray {
  const n = x.ndim;
  const perm: number[] = [];
  for (let d = 0; d < n - 1; d++) {
    if (d === to) perm.push(n - 1);
    perm.push(d);
  }
  if (to === n - 1) perm.push(n - 1);
  return x.permute(perm);
}

/** Parses the left-hand side into each operand's labels (`ELLIPSIS` for `...`). */
function parseInputs(lhs: string, numOps: number): number[][] {
  const labels: number[][] = Array.from({ length: numOps }, () => []);
  let op = 0;
  let ellipsis = false;
  for (let i = 0; i < lhs.length; i++) {
    const ch = lhs[i]!;
    if (ch === " ") continue;
    if (ch === ".") {
      if (ellipsis) fail(`found '.' for operand ${op} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[i + 1] === "." && lhs[i + 2] === ".")) {
        fail(`found '.' for operand ${op} that is not part of any ellipsis`);
      }
      i += 2;
      labels[op]!.push(ELLIPSIS);
      ellipsis = true;
    } else if (ch === ",") {
      op++;
      if (op >= numOps) fail("fewer operands were provided than specified in the equation");
      ellipsis = false;
    } else {
      if (!/[A-Za-z]/.test(ch)) {
        fail(
          `invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`,
        );
      }
      labels[op]!.push(labelOf(ch));
    }
  }
  if (op !== numOps - 1) fail("more operands were provided than specified in the equation");
  return labels;
}

/**
 * Einstein summation (`torch.einsum`): `"ij,jk->ik"`, implicit outputs (`"ij,jk"`: labels seen
 * once, in alphabetical order, uppercase first), `...` for broadcast dims, repeated labels for
 * diagonals (`"ii->i"`) and traces (`"ii"`). Operands share one dtype. Returns a new array.
 * @example einsum("bij,bjk->bik", ones([2, 3, 4]), ones([2, 4, 5])).shape // [2, 3, 5]
 */
export function einsum(equation: string, ...operands: NDArray[] | [readonly NDArray[]]): NDArray {
  const ops0: readonly NDArray[] = Array.isArray(operands[0])
    ? (operands[0] as readonly NDArray[])
    : (operands as NDArray[]);
  const numOps = ops0.length;
  if (numOps === 0) fail("must provide at least one operand");
  for (const o of ops0) checkSameDType(ops0[0]!, o);
  if (ops0[0]!.dtype === "bool") throw new DTypeError(`"bmm" not implemented for 'Bool'`);
  const arrow = equation.indexOf("->");
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels = parseInputs(lhs, numOps);

  const count = new Array<number>(ELLIPSIS).fill(0);
  let ellDims = 0;
  opLabels.forEach((labels, i) => {
    const ndim = ops0[i]!.ndim;
    let n = labels.length;
    const hasEll = labels.includes(ELLIPSIS);
    for (const l of labels) {
      if (l === ELLIPSIS) {
        n--;
      } else count[l]!++;
    }
    if (hasEll) ellDims = Math.max(ellDims, ndim - n);
    if (hasEll ? n > ndim : n !== ndim) {
      fail(
        `the number of subscripts in the equation (${n}) ${hasEll ? "is more than" : "does not match"} the number of dimensions (${ndim}) for operand ${i}${hasEll ? "" : " and no ellipsis was given"}`,
        ShapeError,
      );
    }
  });

  // Position of each label (and of the ellipsis block) in the aligned order.
  const permIndex = new Array<number>(ELLIPSIS).fill(-1);
  let next = 0;
  let ellIndex = 0;
  let ellInOutput = false;
  if (arrow < 0) {
    next = ellDims;
    ellInOutput = true;
    for (let l = 0; l < ELLIPSIS; l++) if (count[l] === 1) permIndex[l] = next++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const ch = rhs[i]!;
      if (ch === " ") continue;
      if (ch === ".") {
        if (ellInOutput) fail("found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[i + 1] === "." && rhs[i + 2] === ".")) {
          fail("found '.' for output that is not part of any ellipsis (...)");
        }
        i += 2;
        ellIndex = next;
        next += ellDims;
        ellInOutput = true;
        continue;
      }
      if (!/[A-Za-z]/.test(ch)) {
        fail(
          `invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`,
        );
      }
      const l = labelOf(ch);
      if (count[l] === 0 || permIndex[l] !== -1) {
        fail(
          `output subscript ${ch}${permIndex[l] !== -1 ? " appears more than once in the output" : " does not appear in the equation for any input operand"}`,
        );
      }
      permIndex[l] = next++;
    }
  }
  const outDims = next;
  if (!ellInOutput) {
    ellIndex = next;
    next += ellDims;
  }
  for (let l = 0; l < ELLIPSIS; l++)
    if (count[l]! > 0 && permIndex[l] === -1) permIndex[l] = next++;
  const rank = next;

  // Align every operand to `rank` dims: label sizes or 1.
  const labelSize = new Array<number>(ELLIPSIS).fill(1);
  const ellSize = new Array<number>(ellDims).fill(1);
  let ops: NDArray[] = opLabels.map((labels, i) => {
    let op = ops0[i]!.asStrided(ops0[i]!.shape, ops0[i]!.strides);
    const perm = new Array<number>(rank).fill(-1);
    let dim = 0;
    for (const l of labels) {
      if (l === ELLIPSIS) {
        const covered = ops0[i]!.ndim - (labels.length - 1);
        for (let j = ellDims - covered; j < ellDims; j++) {
          const s = op.shape[dim]!;
          if (s !== 1) {
            if (ellSize[j] !== 1 && ellSize[j] !== s) {
              fail(
                `dimension ${dim} covered by ellipsis in operand ${i}has size ${s} which does not broadcast with previously seen ellipsis with size ${ellSize[j]} for the respective dimension`,
                ShapeError,
              );
            }
            ellSize[j] = s;
          }
          perm[ellIndex + j] = dim++;
        }
      } else if (perm[permIndex[l]!] === -1) {
        const s = op.shape[dim]!;
        if (s !== 1) {
          if (labelSize[l] !== 1 && labelSize[l] !== s) {
            fail(
              `subscript ${letterOf(l)} has size ${s} for operand ${i} which does not broadcast with previously seen size ${labelSize[l]}`,
              ShapeError,
            );
          }
          labelSize[l] = s;
        }
        perm[permIndex[l]!] = dim++;
      } else {
        const prev = perm[permIndex[l]!]!;
        if (op.shape[dim] !== op.shape[prev]) {
          fail(
            `subscript ${letterOf(l)} is repeated for operand ${i} but the sizes don't match, ${op.shape[dim]} != ${op.shape[prev]}`,
            ShapeError,
          );
        }
        const diag = op.diagonal(0, prev, dim);
        op.dispose();
        op = lastTo(diag, prev);
        diag.dispose();
      }
    }
    for (let k = 0; k < rank; k++) {
      if (perm[k] !== -1) continue;
      const u = op.unsqueeze(dim);
      op.dispose();
      op = u;
      perm[k] = dim++;
    }
    const aligned = op.permute(perm);
    op.dispose();
    return aligned;
  });

  while (ops.length > 1) {
    const [a0, b0, ...rest] = ops as [NDArray, NDArray, ...NDArray[]];
    const sumDims: number[] = [];
    const aSum: number[] = [];
    const bSum: number[] = [];
    for (let d = outDims; d < rank; d++) {
      if (rest.some((o) => o.shape[d] !== 1)) continue;
      const inA = a0.shape[d] !== 1;
      const inB = b0.shape[d] !== 1;
      if (inA && inB) sumDims.push(d);
      else if (inA) aSum.push(d);
      else if (inB) bSum.push(d);
    }
    const a = sumKeep(a0, aSum);
    const b = sumKeep(b0, bSum);
    const merged = sumProduct(a, b, sumDims);
    for (const t of new Set([a, b, a0, b0])) t.dispose();
    ops = [merged, ...rest];
  }

  let result = ops[0]!;
  if (rank > outDims) {
    const summed: number[] = [];
    for (let d = outDims; d < rank; d++) summed.push(d);
    const s = numOps === 1 ? sumKeep(result, summed) : result;
    if (s !== result) result.dispose();
    result = reshapeOwned(s, s.shape.slice(0, outDims));
  }
  if (ops0.some((o) => o.storage === result.storage)) {
    const copy = NDArray.empty(result.shape, result.dtype);
    kernels().copy(result, copy);
    result.dispose();
    result = copy;
  }
  return result;
}
