/**
 * Running `ops.json` cases at the autograd level: calling the project's API the way the
 * fixture's `call` names it (`torch.log_softmax` → `logSoftmax(x, dim)`, `Tensor.view` → the
 * method, kwargs → the options object). Decoding and checking are `tensorCase.ts`'s.
 */
import * as api from "@x/autograd";
import { camelKey } from "./decode.js";
import { type OpsCase, runTensorCase, type Tolerance } from "./tensorCase.js";

export type { OpsCase, Tolerance };

/** Fixture names whose API name is not the camelCase of PyTorch's. */
const RENAMED: Record<string, string> = { var: "variance" };

/**
 * Calls the project's API for a fixture `call` (`torch.NAME` → the function, `Tensor.NAME` →
 * the method of the first argument) with positional `args` and keyword `kwargs` (given as the
 * options object, camelCased). Returns what the API returns.
 */
export function callOp(call: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const [ns, raw] = call.split(".") as [string, string];
  const name = RENAMED[raw] ?? camelKey(raw);
  const opts = kwargs;
  const withOpts = Object.keys(opts).length > 0 ? [...args, opts] : args;
  if (ns === "Tensor") {
    const self = args[0] as Record<string, unknown>;
    const m = self[name];
    if (typeof m !== "function") throw new Error(`no method Tensor.${name}`);
    return (m as (...a: unknown[]) => unknown).apply(self, withOpts.slice(1));
  }
  if (ns === "torch") {
    const f = (api as Record<string, unknown>)[name];
    if (typeof f !== "function") throw new Error(`no function ${name}`);
    return (f as (...a: unknown[]) => unknown)(...withOpts);
  }
  throw new Error(`calls of ${ns}.* are not run at the autograd level`);
}

/** Runs one `torch.*`/`Tensor.*` case; null when it matches PyTorch, else what differs. */
export function runOpsCase(c: OpsCase, tol: Tolerance): string | null {
  return runTensorCase(c, tol, (args, options) => callOp(c.call, args, options));
}
