/**
 * The `init/` cases of random.json: after `manualSeed(seed)`, a freshly constructed layer
 * (`nn.Linear(4, 3)`, …) must hold exactly PyTorch's default initialization.
 */
import { manualSeed } from "@x/autograd";
import { compareTensor, type FixtureTensor, type Tolerance } from "../tensorCase.js";
import { layerClass, parseStructure } from "./modules.js";

/** One `init/` case of random.json. */
export interface InitCase {
  id: string;
  seed: number;
  module: string;
  state: Record<string, FixtureTensor>;
}

/**
 * Seeds the default generator, builds the layer and compares its state dict with PyTorch's.
 * Null when every entry matches, else what differs.
 * @example runInitCase({ id: "init/nn.Linear(4, 3)", seed: 7, module: "nn.Linear(4, 3)", state }, tol)
 */
export function runInitCase(c: InitCase, tol: Tolerance): string | null {
  const [name, args] = parseStructure(c.module);
  manualSeed(c.seed);
  const m = new (layerClass(name))(...args);
  const sd = m.stateDict();
  const keys = [...sd.keys()];
  const want = Object.keys(c.state);
  if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) {
    return `state keys [${keys.join(", ")}] != expected [${want.join(", ")}]`;
  }
  for (const [k, t] of Object.entries(c.state)) {
    const d = compareTensor(sd.get(k), t, tol);
    if (d) return `${k}: ${d}`;
  }
  return null;
}
