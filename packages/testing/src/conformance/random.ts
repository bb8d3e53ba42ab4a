/**
 * random.json: after `manualSeed(seed)`, each expression must give exactly PyTorch's values.
 */
import {
  bernoulli,
  full,
  manualSeed,
  NDArray,
  normal_,
  rand,
  randint,
  randn,
  randperm,
  uniform_,
} from "@x/storage";
import { compareTensor, type FixtureTensor, loadFixture, type Tolerance } from "./fixtures.js";
import { Report } from "./report.js";
import { SKIPS } from "./skips.js";

interface RandomCase {
  id: string;
  seed: number;
  expr?: string;
  module?: string;
  output?: FixtureTensor;
  state?: Record<string, FixtureTensor>;
}

/** The raw-layer expression of each non-`init/` case, as the fixture's `id` names it. */
const EXPRESSIONS: Record<string, () => NDArray[]> = {
  "rand/5": () => [rand([5])],
  "rand/2x20": () => [rand([2, 20])],
  "randn/5": () => [randn([5])],
  "randn/40": () => [randn([40])],
  "randint/0-10x8": () => [randint(0, 10, [8])],
  "randperm/10": () => [randperm(10)],
  "normal_/mean1-std2x6": () => [normal_(NDArray.empty([6]), 1, 2)],
  "uniform_/-3..3x6": () => [uniform_(NDArray.empty([6]), -3, 3)],
  "bernoulli/p0.3x10": () => [bernoulli(full([10], 0.3))],
  "rand-then-randn": () => [rand([3]), randn([3])],
};

/**
 * Runs the cases of random.json that the given layer can express. `extra` maps more case ids
 * (the `init/` ones, once nn exists) to a check returning null or what differs.
 */
export function runRandomConformance(
  layer: string,
  extra: Record<string, (c: RandomCase, tol: Tolerance) => string | null> = {},
): Report {
  const fx = loadFixture<{ tolerance: { float32: Tolerance }; cases: RandomCase[] }>("random.json");
  const tol = fx.tolerance.float32;
  const report = new Report("random.json", layer);
  for (const c of fx.cases) {
    const expr = EXPRESSIONS[c.id];
    const check = extra[c.id];
    if (check) {
      manualSeed(c.seed);
      const d = check(c, tol);
      d === null ? report.pass(c.id) : report.fail(c.id, d);
    } else if (expr && c.output) {
      manualSeed(c.seed);
      const parts = expr();
      const values = parts.flatMap((p) => p.toArray());
      const shape = parts.length === 1 ? parts[0]!.shape : [values.length];
      const d = compareTensor({ shape, values }, c.output, tol);
      d === null ? report.pass(c.id) : report.fail(c.id, d);
    } else if (SKIPS[c.id] !== undefined) {
      report.skip(c.id, SKIPS[c.id]!);
    } else {
      report.fail(c.id, "no mapping for this case at this layer");
    }
  }
  return report;
}
