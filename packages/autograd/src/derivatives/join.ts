/**
 * Derivatives of ops that join, rearrange or pad: `cat`, `stack`, `flip`, `repeat`, `tril`,
 * `triu`, `pad` (and `padBackward`, so padding has second derivatives).
 */
import type { PadMode } from "@x/storage";
import { pad, padBackward } from "../ops/join.js";
import type { Tensor } from "../tensor.js";
import type { RuleTable } from "./rule.js";

type Shape = readonly number[];

export interface JoinOps {
  cat: { tensors: readonly Tensor[]; dim: number; sizes: Shape };
  stack: { tensors: readonly Tensor[]; dim: number };
  flip: { self: Tensor; dims: Shape };
  repeat: { self: Tensor; repeats: Shape; inputShape: Shape };
  tril: { self: Tensor; diagonal: number };
  triu: { self: Tensor; diagonal: number };
  pad: { self: Tensor; pad: Shape; mode: PadMode; value: number; inputShape: Shape };
  padBackward: { gradOutput: Tensor; pad: Shape; mode: PadMode; inputShape: Shape };
}

function padName(mode: PadMode, pads: Shape): string {
  const n = pads.length / 2;
  if (mode === "constant") return "ConstantPadNdBackward0";
  if (mode === "reflect") return `ReflectionPad${n}DBackward0`;
  if (mode === "replicate") return `ReplicationPad${n}DBackward0`;
  return "CircularPadBackward0";
}

export const joinRules: RuleTable<JoinOps> = {
  // each input gets its own slice of g
  cat: {
    inputs: {
      tensors: {
        uses: [],
        grad: ({ grad, dim, sizes }) => {
          let start = 0;
          return sizes.map((s) => {
            const g = grad.narrow(dim, start, s);
            start += s;
            return g;
          });
        },
      },
    },
  },
  // each input gets its slice of g along the new dim
  stack: { inputs: { tensors: { uses: [], grad: ({ grad, dim }) => grad.unbind(dim) } } },
  // g flipped back
  flip: { inputs: { self: { uses: [], grad: ({ grad, dims }) => grad.flip(dims) } } },
  // the copies add up: g reshaped to (copies, size) pairs and summed over the copies
  repeat: {
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, repeats, inputShape }) => {
          const lead = repeats.length - inputShape.length;
          const padded = [...new Array<number>(lead).fill(1), ...inputShape];
          const split: number[] = [];
          const sumDims: number[] = [];
          repeats.forEach((r, i) => {
            sumDims.push(split.length);
            split.push(r, padded[i]!);
          });
          return grad.reshape(split).sum(sumDims).reshape(inputShape);
        },
      },
    },
  },
  // the kept triangle of g
  tril: { inputs: { self: { uses: [], grad: ({ grad, diagonal }) => grad.tril(diagonal) } } },
  triu: { inputs: { self: { uses: [], grad: ({ grad, diagonal }) => grad.triu(diagonal) } } },
  // constant: g cropped back; other modes: copies of a cell add up there
  pad: {
    name: ({ mode, pad: p }) => padName(mode, p),
    inputs: {
      self: {
        uses: [],
        grad: ({ grad, pad: p, mode, inputShape }) =>
          mode === "constant"
            ? pad(
                grad,
                p.map((v) => -v),
              )
            : padBackward(grad, p, mode, inputShape),
      },
    },
  },
  // linear in g: its derivative pads again
  padBackward: {
    name: ({ mode, pad: p }) => `${padName(mode, p).replace("Backward0", "")}BackwardBackward0`,
    inputs: { gradOutput: { uses: [], grad: ({ grad, pad: p, mode }) => pad(grad, p, { mode }) } },
  },
};
