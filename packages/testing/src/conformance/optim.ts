/**
 * optim.json and schedulers.json: optimizers must move two parameters exactly as PyTorch's did
 * for the recorded gradients; schedulers must give the recorded learning rate every epoch.
 */
import { Tensor } from "@x/autograd";
import * as optim from "@x/optim";
import { plainKwargs } from "./decode.js";
import {
  compareTensor,
  type FixtureTensor,
  loadFixture,
  type Tolerance,
  toNDArray,
} from "./fixtures.js";
import { Report } from "./report.js";

interface OptimCase {
  id: string;
  optimizer: string;
  kwargs: Record<string, Record<string, unknown>>;
  params: FixtureTensor[];
  grads: FixtureTensor[][];
  params_after_step: FixtureTensor[][];
}

type OptimizerClass = new (params: Tensor[], options: Record<string, unknown>) => optim.Optimizer;

function optimizerClass(name: string): OptimizerClass | undefined {
  const short = name.replace(/^optim\./, "");
  return (optim as unknown as Record<string, OptimizerClass>)[short];
}

/** Runs every case of optim.json. */
export function runOptimConformance(): Report {
  const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: OptimCase[] }>("optim.json");
  const tol = fx.tolerance.float32;
  const report = new Report("optim.json", "optim");
  for (const c of fx.cases) {
    const Cls = optimizerClass(c.optimizer);
    if (!Cls) {
      report.fail(c.id, `no optimizer ${c.optimizer}`);
      continue;
    }
    const params = c.params.map((p) => new Tensor(toNDArray(p), { requiresGrad: true }));
    const opt = new Cls(params, plainKwargs(c.kwargs));
    let failure: string | null = null;
    for (let s = 0; s < c.grads.length && failure === null; s++) {
      params.forEach((p, i) => {
        p.grad = new Tensor(toNDArray(c.grads[s]![i]!));
      });
      opt.step();
      params.forEach((p, i) => {
        const d = compareTensor(
          { shape: p.shape, values: p.data.toArray() },
          c.params_after_step[s]![i]!,
          tol,
        );
        if (d !== null && failure === null) failure = `step ${s}, param ${i}: ${d}`;
      });
    }
    failure === null ? report.pass(c.id) : report.fail(c.id, failure);
  }
  return report;
}

interface SchedulerCase {
  id: string;
  scheduler: string;
  base_lr: number;
  kwargs: Record<string, Record<string, unknown>>;
  lrs: number[];
}

type SchedulerClass = new (
  opt: optim.Optimizer,
  options: Record<string, unknown>,
) => { step(): void };

/** Runs every case of schedulers.json. */
export function runSchedulerConformance(): Report {
  const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: SchedulerCase[] }>(
    "schedulers.json",
  );
  const tol = fx.tolerance.float32;
  const report = new Report("schedulers.json", "optim");
  for (const c of fx.cases) {
    const name = c.scheduler.replace(/^optim\.lr_scheduler\./, "");
    const Cls = (optim.lrScheduler as unknown as Record<string, SchedulerClass>)[name];
    if (!Cls) {
      report.fail(c.id, `no scheduler ${name}`);
      continue;
    }
    const p = new Tensor(toNDArray({ dtype: "float32", shape: [1], data: [0] }), {
      requiresGrad: true,
    });
    const opt = new optim.SGD([p], { lr: c.base_lr });
    const sched = new Cls(opt, plainKwargs(c.kwargs));
    const got: number[] = [];
    for (let e = 0; e < c.lrs.length; e++) {
      got.push(opt.paramGroups[0]!.lr);
      opt.step();
      sched.step();
    }
    const d = compareTensor(
      { shape: [got.length], values: got },
      { dtype: "float32", shape: [c.lrs.length], data: c.lrs },
      tol,
    );
    d === null
      ? report.pass(c.id)
      : report.fail(c.id, `${d}; got ${got.map((v) => v.toPrecision(6)).join(", ")}`);
  }
  return report;
}
