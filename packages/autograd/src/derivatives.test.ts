/**
 * Runs gradcheck (and gradgradcheck) on every op of the derivative table, from the samples in
 * `derivatives/samples.ts`: a new op is covered as soon as it is in the table.
 */
import { describe, expect, it } from "vitest";
import { DERIVATIVES, type DiffOp } from "./derivatives/index.js";
import { GRAD_SAMPLES } from "./derivatives/samples.js";
import type { Node } from "./graph.js";
import { autograd } from "./index.js";
import { OpNode } from "./opNode.js";
import type { Tensor } from "./tensor.js";

/** The ops recorded in the graph behind `outs`. */
function recordedOps(outs: Tensor | Tensor[]): Set<string> {
  const seen = new Set<Node>();
  const ops = new Set<string>();
  const stack: Node[] = [];
  for (const o of Array.isArray(outs) ? outs : [outs]) if (o.gradFn) stack.push(o.gradFn);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n instanceof OpNode) ops.add(n.op);
    for (const e of n.nextEdges) if (e) stack.push(e.node);
  }
  return ops;
}

describe("gradcheck over the derivative table", () => {
  for (const op of Object.keys(DERIVATIVES) as DiffOp[]) {
    it(op, () => {
      const samples = GRAD_SAMPLES[op];
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) {
        const ins = s.inputs();
        expect(recordedOps(s.fn(...ins))).toContain(op);
        expect(autograd.gradcheck(s.fn, ins)).toBe(true);
        if (s.gradgrad !== false) expect(autograd.gradgradcheck(s.fn, ins)).toBe(true);
      }
    });
  }
});
