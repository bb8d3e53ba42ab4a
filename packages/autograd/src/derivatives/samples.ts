/**
 * Sample calls for every differentiable op, used by the test that runs `gradcheck` (and
 * `gradgradcheck`) over the whole derivative table. Typed `{ [K in DiffOp]: … }`, so adding an
 * op to the table without a sample is a compile error; the test also checks that each sample
 * really records its op. Inputs are float64, away from kinks and domain edges.
 */
import * as T from "../index.js";
import * as C from "../ops/conv.js";
import { nllLossBackward } from "../ops/loss.js";
import * as P from "../ops/pool.js";
import * as R from "../ops/resample.js";
import { logSoftmaxBackwardData, softmaxBackwardData } from "../ops/softmaxBackward.js";
import { viewScatter } from "../ops/viewScatter.js";
import type { DiffOp } from "./index.js";
import { b, distinct, type GradSample, idx, idxZero, rn, u } from "./sampleInputs.js";
import { POINTWISE_SAMPLES } from "./samplesPointwise.js";

export type { GradSample } from "./sampleInputs.js";

export const GRAD_SAMPLES: { readonly [K in DiffOp]: readonly GradSample[] } = {
  ...POINTWISE_SAMPLES,
  view: [u((x) => x.view(3, 2)), u((x) => x.t().reshape(6))],
  permute: [
    u(
      (x) => x.permute(2, 0, 1),
      () => rn(2, 3, 2),
    ),
  ],
  transpose: [
    u(
      (x) => x.transpose(0, 2),
      () => rn(2, 3, 2),
    ),
  ],
  t: [u((x) => x.t())],
  squeeze: [
    u(
      (x) => x.squeeze(),
      () => rn(2, 1, 3),
    ),
    u(
      (x) => x.squeeze(1),
      () => rn(2, 1, 3),
    ),
  ],
  unsqueeze: [u((x) => x.unsqueeze(1))],
  expand: [
    u(
      (x) => x.expand(2, 2, 3),
      () => rn(2, 1, 3),
    ),
  ],
  slice: [u((x) => x.slice(1, 0, 3, 2)), u((x) => x.narrow(0, 1, 1))],
  select: [u((x) => x.select(1, -1))],
  diagonal: [
    u(
      (x) => x.diagonal(),
      () => rn(3, 3),
    ),
    u(
      (x) => x.diagonal(1, 0, 1),
      () => rn(3, 4),
    ),
  ],
  viewScatter: [
    u(
      (g) => viewScatter(g, [3, 2], { kind: "select", dim: 0, index: 1 }),
      () => rn(2),
    ),
  ],
  split: [
    { fn: (x) => x!.split([1, 2], 1), inputs: () => [rn(2, 3)] },
    { fn: (x) => x!.chunk(2, 0).slice(0, 1), inputs: () => [rn(4, 2)] },
  ],
  unbind: [{ fn: (x) => x!.unbind(1), inputs: () => [rn(2, 3)] }],
  clone: [u((x) => x.clone())],
  toCopy: [u((x) => x.to("float64", { copy: true }))],

  sum: [
    u((x) => x.sum()),
    u(
      (x) => x.sum([0, 2], { keepdim: true }),
      () => rn(2, 3, 2),
    ),
    u((x) => x.sum(-1)),
  ],
  nansum: [u((x) => x.nansum(1))],
  mean: [u((x) => x.mean()), u((x) => x.mean(1, { keepdim: true }))],
  prod: [
    u((x) => x.prod()),
    u((x) => x.prod(1)),
    u(
      (x) => x.prod(1, { keepdim: true }),
      () => idxZero(),
    ),
  ],
  amax: [
    u(
      (x) => x.amax(1),
      () => distinct(2, 3),
    ),
    u(
      (x) => x.amax([0, 1]),
      () => distinct(2, 3),
    ),
  ],
  amin: [
    u(
      (x) => x.amin(0, { keepdim: true }),
      () => distinct(2, 3),
    ),
  ],
  maxAll: [
    u(
      (x) => x.max(),
      () => distinct(2, 3),
    ),
  ],
  minAll: [
    u(
      (x) => x.min(),
      () => distinct(2, 3),
    ),
  ],
  maxDim: [{ fn: (x) => x!.max(1).values, inputs: () => [distinct(2, 3)] }],
  minDim: [{ fn: (x) => x!.min(0, { keepdim: true }).values, inputs: () => [distinct(2, 3)] }],
  variance: [u((x) => x.var(1)), u((x) => x.var(undefined, { unbiased: false }))],
  std: [u((x) => x.std(1, { keepdim: true })), u((x) => x.std())],
  norm: [
    u((x) => x.norm()),
    u(
      (x) => x.norm(1, 1),
      () => distinct(2, 3),
    ),
    u((x) => x.norm(3, 0)),
    u(
      (x) => x.norm(Infinity),
      () => distinct(2, 3),
    ),
  ],
  logsumexp: [u((x) => x.logsumexp(1))],
  cumsum: [u((x) => x.cumsum(1))],
  cumprod: [
    u((x) => x.cumprod(1)),
    u(
      (x) => x.cumprod(1),
      () => idxZero(),
    ),
  ],
  softmax: [u((x) => x.softmax(1))],
  logSoftmax: [u((x) => x.logSoftmax(0))],
  // both inputs free (y need not be a softmax output), along the last dim and dim 0
  softmaxBackwardData: [
    { fn: (g, y) => softmaxBackwardData(g!, y!, 1), inputs: () => [rn(2, 3), rn(2, 3)] },
    { fn: (g, y) => softmaxBackwardData(g!, y!, 0), inputs: () => [rn(3, 2), rn(3, 2)] },
  ],
  logSoftmaxBackwardData: [
    { fn: (g, y) => logSoftmaxBackwardData(g!, y!, 1), inputs: () => [rn(2, 3), rn(2, 3)] },
    { fn: (g, y) => logSoftmaxBackwardData(g!, y!, 0), inputs: () => [rn(3, 2), rn(3, 2)] },
  ],
  sort: [{ fn: (x) => x!.sort(1, { descending: true }).values, inputs: () => [distinct(2, 3)] }],
  topk: [{ fn: (x) => x!.topk(2).values, inputs: () => [distinct(2, 3)] }],

  cat: [{ fn: (x, y) => T.cat([x!, y!], 1), inputs: () => [rn(2, 1), rn(2, 2)] }],
  stack: [{ fn: (x, y) => T.stack([x!, y!], 1), inputs: () => [rn(2, 2), rn(2, 2)] }],
  flip: [u((x) => x.flip(0, 1))],
  repeat: [u((x) => x.repeat(2, 1, 2))],
  tril: [
    u(
      (x) => x.tril(),
      () => rn(3, 3),
    ),
  ],
  triu: [
    u(
      (x) => x.triu(1),
      () => rn(3, 3),
    ),
  ],
  pad: [
    u(
      (x) => T.pad(x, [1, 2]),
      () => rn(2, 3),
    ),
    u(
      (x) => T.pad(x, [2, 1], { mode: "reflect" }),
      () => rn(1, 2, 4),
    ),
    u(
      (x) => T.pad(x, [1, 1, 1, 0], { mode: "replicate" }),
      () => rn(1, 1, 2, 3),
    ),
  ],
  padBackward: [
    u(
      (g) => T.padBackward(g, [1, 1], "reflect", [1, 1, 3]),
      () => rn(1, 1, 5),
    ),
  ],

  indexSelect: [
    u(
      (x) => x.indexSelect(0, idx([2, 0, 2])),
      () => rn(3, 2),
    ),
  ],
  indexAdd: [
    b(
      (x, s) => x.indexAdd(0, idx([1, 1]), s, { alpha: 2 }),
      () => rn(3, 2),
      () => rn(2, 2),
    ),
  ],
  gather: [
    u((x) =>
      x.gather(
        1,
        idx([
          [0, 0],
          [2, 1],
        ]),
      ),
    ),
  ],
  scatter: [
    b(
      (x, s) => x.scatter(1, idx([[0], [2]]), s),
      () => rn(2, 3),
      () => rn(2, 1),
    ),
    u((x) => x.scatter(1, idx([[1], [0]]), 2)),
  ],
  scatterAdd: [
    b(
      (x, s) =>
        x.scatterAdd(
          1,
          idx([
            [0, 0],
            [2, 1],
          ]),
          s,
        ),
      () => rn(2, 3),
      () => rn(2, 2),
    ),
  ],
  maskedFill: [
    u((x) => x.maskedFill(T.tensor([true, false, true]), -1)),
    b(
      (x, v) => x.maskedFill(T.tensor([false, true, true]), v),
      () => rn(2, 3),
      () => rn(),
    ),
  ],

  matmul: [
    b(
      (x, y) => x.matmul(y),
      () => rn(2, 3),
      () => rn(3, 2),
    ),
    b(
      (x, y) => x.matmul(y),
      () => rn(3),
      () => rn(3),
    ),
    b(
      (x, y) => x.matmul(y),
      () => rn(3),
      () => rn(2, 3, 2),
    ),
    b(
      (x, y) => x.matmul(y),
      () => rn(2, 1, 2, 3),
      () => rn(3),
    ),
    b(
      (x, y) => x.matmul(y),
      () => rn(2, 1, 2, 3),
      () => rn(2, 3, 2),
    ),
  ],
  addmm: [
    { fn: (i, x, y) => T.addmm(i!, x!, y!), inputs: () => [rn(2, 2), rn(2, 3), rn(3, 2)] },
    // a bias broadcast over the rows, and a transposed weight (F.linear's call)
    { fn: (i, x, w) => T.addmm(i!, x!, w!.t()), inputs: () => [rn(4), rn(2, 3), rn(4, 3)] },
    {
      fn: (i, x, y) => i!.addmm(x!, y!, { beta: 0.5, alpha: -2 }),
      inputs: () => [rn(2, 1), rn(2, 3), rn(3, 4)],
    },
    { fn: (i, x, y) => T.addmm(i!, x!, y!, { beta: 0 }), inputs: () => [rn(), rn(3, 2), rn(2, 2)] },
  ],
  mm: [
    b(
      (x, y) => x.mm(y),
      () => rn(2, 3),
      () => rn(3, 2),
    ),
  ],
  bmm: [
    b(
      (x, y) => x.bmm(y),
      () => rn(2, 2, 3),
      () => rn(2, 3, 2),
    ),
  ],
  dot: [
    b(
      (x, y) => x.dot(y),
      () => rn(3),
      () => rn(3),
    ),
  ],
  mv: [
    b(
      (x, y) => x.mv(y),
      () => rn(2, 3),
      () => rn(3),
    ),
  ],

  conv: [
    {
      fn: (x, w, bb) => T.conv2d(x!, w!, bb!, { padding: 1, stride: 2 }),
      inputs: () => [rn(1, 2, 4, 4), rn(3, 2, 2, 2), rn(3)],
    },
    {
      fn: (x, w) => T.conv1d(x!, w!, null, { groups: 2, dilation: 2 }),
      inputs: () => [rn(2, 2, 6), rn(2, 1, 2)],
    },
    {
      // unbatched: a batch of one between an unsqueeze and a squeeze
      fn: (x, w, bb) => T.conv2d(x!, w!, bb!, { padding: "same" }),
      inputs: () => [rn(2, 3, 3), rn(3, 2, 2, 1), rn(3)],
    },
  ],
  convBackwardInput: [
    b(
      (g, w) => C.convBackwardInput(g, w, [1, 2, 4, 4], [3, 2, 3, 3], {}),
      () => rn(1, 3, 2, 2),
      () => rn(3, 2, 3, 3),
    ),
  ],
  convBackwardWeight: [
    b(
      (x, g) => C.convBackwardWeight(x, g, [1, 2, 4, 4], [3, 2, 3, 3], {}),
      () => rn(1, 2, 4, 4),
      () => rn(1, 3, 2, 2),
    ),
  ],
  convBackwardBias: [
    u(
      (g) => C.convBackwardBias(g),
      () => rn(2, 3, 2, 2),
    ),
  ],
  convTranspose: [
    {
      fn: (x, w, bb) => T.convTranspose2d(x!, w!, bb!, { stride: 2, padding: 1, outputPadding: 1 }),
      inputs: () => [rn(1, 2, 3, 3), rn(2, 3, 2, 2), rn(3)],
    },
    {
      fn: (x, w, bb) =>
        T.convTranspose1d(x!, w!, bb!, { stride: 2, dilation: 2, outputPadding: 1, groups: 2 }),
      inputs: () => [rn(2, 4, 3), rn(4, 1, 2), rn(2)],
    },
    {
      fn: (x, w) => T.convTranspose1d(x!, w!, null, { padding: 1 }),
      inputs: () => [rn(2, 4), rn(2, 3, 3)],
    },
  ],
  maxPool: [
    u(
      (x) => T.maxPool2d(x, 2),
      () => distinct(1, 1, 4, 4),
    ),
    u(
      (x) => T.maxPool1d(x, 3, { stride: 2, padding: 1 }),
      () => distinct(1, 2, 6),
    ),
    {
      fn: (x) => T.maxPool1d(x!, 2, { returnIndices: true, ceilMode: true })[0],
      inputs: () => [distinct(2, 5)],
    },
  ],
  maxPoolBackward: [
    u(
      (g) =>
        P.maxPoolBackward(
          g,
          idx([
            [
              [
                [5, 2],
                [8, 15],
              ],
            ],
          ]),
          [1, 1, 4, 4],
        ),
      () => rn(1, 1, 2, 2),
    ),
  ],
  avgPool2d: [
    u(
      (x) => T.avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }),
      () => rn(1, 1, 3, 4),
    ),
  ],
  avgPool2dBackward: [
    u(
      (g) => P.avgPool2dBackward(g, [1, 1, 4, 4], 2, {}),
      () => rn(1, 1, 2, 2),
    ),
  ],
  adaptiveAvgPool2d: [
    u(
      (x) => T.adaptiveAvgPool2d(x, [3, 2]),
      () => rn(1, 2, 5, 4),
    ),
  ],
  adaptiveAvgPool2dBackward: [
    u(
      (g) => P.adaptiveAvgPool2dBackward(g, [1, 2, 5, 4], [3, 2]),
      () => rn(1, 2, 3, 2),
    ),
  ],
  interpolate: [
    u(
      (x) => T.interpolate(x, { size: [5, 4], mode: "bilinear" }),
      () => rn(1, 1, 3, 3),
    ),
    u(
      (x) => T.interpolate(x, { scaleFactor: 2 }),
      () => rn(1, 2, 2, 2),
    ),
    u(
      (x) => T.interpolate(x, { size: 7, mode: "linear", alignCorners: true }),
      () => rn(1, 2, 4),
    ),
  ],
  interpolateBackward: [
    u(
      (g) => R.interpolateBackward(g, [1, 1, 3, 3], { scaleFactor: 2, mode: "bilinear" }),
      () => rn(1, 1, 6, 6),
    ),
  ],

  nllLoss: [
    u(
      (x) => T.nllLoss(x, idx([1, 0, 3])),
      () => rn(3, 4),
    ),
    u(
      (x) =>
        T.nllLoss(x, idx([1, -100, 3]), {
          weight: T.tensor([0.5, 2, 1, 3], { dtype: "float64" }),
          reduction: "none",
        }),
      () => rn(3, 4),
    ),
    u(
      (x) => T.nllLoss(x, idx(2), { reduction: "sum" }),
      () => rn(4),
    ),
    u(
      (x) =>
        T.nllLoss(x, idx([[[0, 2, 1]], [[1, 7, 2]]]), {
          weight: T.tensor([0.5, 2, 1], { dtype: "float64" }),
          ignoreIndex: 7,
        }),
      () => rn(2, 3, 1, 3),
    ),
  ],
  nllLossBackward: [
    b(
      (g, x) => nllLossBackward(g, x, idx([1, -100, 3]), null, "none", -100, 2),
      () => rn(3),
      () => rn(3, 4),
    ),
    u(
      (g) =>
        nllLossBackward(
          g,
          T.zeros([2, 3, 1, 2], { dtype: "float64" }),
          idx([[[0, 2]], [[1, 1]]]),
          T.tensor([0.5, 2, 1], { dtype: "float64" }),
          "mean",
          -100,
          5.5,
        ),
      () => rn(),
    ),
  ],

  fill: [u((x) => x.mul(1).fill_(2).add(x))],
  copy: [
    b(
      (x, y) => x.mul(1).copy_(y),
      () => rn(2, 3),
      () => rn(3),
    ),
  ],
  asStrided: [
    {
      fn: (x) => {
        const y = x!.mul(1);
        const v = y.select(0, 0);
        v.mul_(2);
        return [y, v];
      },
      inputs: () => [rn(2, 3)],
      gradgrad: false,
    },
  ],
};
