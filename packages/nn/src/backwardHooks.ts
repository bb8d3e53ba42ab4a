/**
 * `registerFullBackwardHook` support: the module's tensor inputs and outputs pass through
 * identity functions whose backward nodes see the output gradients and then the input
 * gradients, call `hook(module, gradInput, gradOutput)`, and let it replace `gradInput`.
 */
import { autograd, type FunctionCtx, Tensor } from "@x/autograd";
import type { Module } from "./module.js";

interface HookState {
  module: Module;
  gradOutput: (Tensor | null)[];
  inputs: number;
}

function runHooks(st: HookState, gradInput: (Tensor | null)[]): (Tensor | null)[] {
  let g = gradInput;
  for (const hook of st.module._backwardHooks) {
    const r = hook(st.module, g, st.gradOutput);
    if (r !== undefined && r !== null) g = r as (Tensor | null)[];
  }
  return g;
}

// Identity over the module's outputs: records the gradients flowing back into the module.
class BackwardHookFunction extends autograd.Function {
  static override forward(ctx: FunctionCtx, st: HookState, ...xs: Tensor[]): Tensor[] {
    ctx.st = st;
    return xs.map((x) => x.view(x.shape));
  }

  static override backward(ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] {
    const st = ctx.st as HookState;
    st.gradOutput = grads;
    // No input needs a gradient: PyTorch still calls the hook, with gradInput all None.
    if (st.inputs === 0) runHooks(st, []);
    return [null, ...grads];
  }
}

// Identity over the module's inputs: its backward sees the input gradients.
class BackwardHookInputFunction extends autograd.Function {
  static override forward(ctx: FunctionCtx, st: HookState, ...xs: Tensor[]): Tensor[] {
    ctx.st = st;
    return xs.map((x) => x.view(x.shape));
  }

  static override backward(ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] {
    return [null, ...runHooks(ctx.st as HookState, grads)];
  }
}

/** Runs `run(args)` with the module's full backward hooks attached to its inputs and outputs. */
export function withBackwardHooks(
  module: Module,
  args: unknown[],
  run: (args: unknown[]) => unknown,
): unknown {
  const st: HookState = { module, gradOutput: [], inputs: 0 };
  const idx = args.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  st.inputs = idx.length;
  let inArgs = args;
  if (idx.length > 0) {
    const wrapped = BackwardHookInputFunction.apply(st, ...idx.map((i) => args[i] as Tensor));
    const list = Array.isArray(wrapped) ? wrapped : [wrapped];
    inArgs = args.slice();
    idx.forEach((i, k) => {
      inArgs[i] = list[k];
    });
  }
  const out = run(inArgs);
  const outs = Array.isArray(out) ? out : [out];
  const tensors = outs.flatMap((o, i) => (o instanceof Tensor && o.requiresGrad ? [i] : []));
  if (tensors.length === 0) return out;
  const wrapped = BackwardHookFunction.apply(st, ...tensors.map((i) => outs[i] as Tensor));
  const list = Array.isArray(wrapped) ? wrapped : [wrapped];
  const result = outs.slice();
  tensors.forEach((i, k) => {
    result[i] = list[k];
  });
  return Array.isArray(out) ? result : result[0];
}
