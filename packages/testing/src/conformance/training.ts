/**
 * training-public.json: load the initial weights, run the recorded batches with SGD, and match
 * PyTorch's loss at every step; then the saved weights (safetensors) must give the probe logits.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as x from "x";
import { loadDigits } from "../digits.js";
import {
  compareTensor,
  FIXTURES_DIR,
  type FixtureTensor,
  loadFixture,
  toNDArray,
} from "./fixtures.js";
import { Report } from "./report.js";

interface TrainingFixture {
  batch_rows: [number, number][];
  initial_state: Record<string, FixtureTensor>;
  losses: number[];
  tolerance: { loss_rtol: number };
  final_test_accuracy_rows_1500_to_1797: number;
  safetensors: string;
  probe_rows: [number, number];
  probe_logits: FixtureTensor;
}

/** Rows `[a, b)` of the digits set as an input batch and int64 targets. */
export function digitsBatch(a: number, b: number): [x.Tensor, x.Tensor] {
  const d = loadDigits();
  const xs = x.tensor(d.pixels.slice(a * 64, b * 64)).view(b - a, 64);
  const ys = x.tensor(Array.from(d.labels.slice(a, b)), { dtype: "int64" });
  return [xs, ys];
}

export function digitsMLP(): x.nn.Sequential {
  return new x.nn.Sequential(new x.nn.Linear(64, 32), new x.nn.ReLU(), new x.nn.Linear(32, 10));
}

/** Accuracy of `model` on rows `[a, b)`. */
export function accuracy(model: x.nn.Module, a: number, b: number): number {
  return x.noGrad(() => {
    const [xs, ys] = digitsBatch(a, b);
    const pred = (model(xs) as x.Tensor).argmax(1);
    return pred.eq(ys).sum().item() / (b - a);
  });
}

export function runTrainingConformance(): Report & { accuracy?: number } {
  const fx = loadFixture<TrainingFixture>("training-public.json");
  const report = new Report("training-public.json", "x") as Report & { accuracy?: number };
  const model = digitsMLP();
  const init = new Map(
    Object.entries(fx.initial_state).map(([k, t]) => [k, new x.Tensor(toNDArray(t))]),
  );
  model.loadStateDict(init);
  const opt = new x.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  fx.batch_rows.forEach(([a, b], step) => {
    const [xs, ys] = digitsBatch(a, b);
    const loss = x.nn.functional.crossEntropy(model(xs), ys);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    const got = loss.item();
    const want = fx.losses[step]!;
    const id = `step ${step}`;
    Math.abs(got - want) <= fx.tolerance.loss_rtol * Math.abs(want)
      ? report.pass(id)
      : report.fail(id, `loss ${got}, PyTorch ${want}`);
  });
  report.accuracy = accuracy(model, 1500, 1797);
  const bytes = new Uint8Array(readFileSync(resolve(FIXTURES_DIR, fx.safetensors)));
  const trained = digitsMLP();
  trained.loadStateDict(x.nn.loadSafetensors(bytes));
  const [pa, pb] = fx.probe_rows;
  const logits = x.noGrad(() => trained(digitsBatch(pa, pb)[0]));
  const d = compareTensor({ shape: logits.shape, values: logits.data.toArray() }, fx.probe_logits, {
    rtol: 1e-4,
    atol: 1e-4,
  });
  d === null ? report.pass("safetensors probe logits") : report.fail("safetensors probe logits", d);
  return report;
}
