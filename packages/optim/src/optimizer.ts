/**
 * The `Optimizer` base: parameter groups, per-parameter state, `zeroGrad`, `stateDict`. Updates
 * are written in place on each parameter's raw `data` (no graph is recorded, as under
 * `noGrad`), bumping its version counter; parameters stay leaves that require grad.
 */
import { Tensor } from "@x/autograd";
import { type NDArray, RuntimeError, ValueError, zeros } from "@x/storage";

/** Options shared by every optimizer's groups; each optimizer adds its own. */
export interface GroupOptions {
  lr: number;
  [option: string]: unknown;
}

/** A parameter group: its parameters and its options (`lr`, `momentum`, …). */
export type ParamGroup<O extends GroupOptions = GroupOptions> = O & { params: Tensor[] };

/** What an optimizer is given: parameters, or groups of them with per-group options. */
export type ParamsArg<O extends GroupOptions> =
  | Iterable<Tensor>
  | Array<Partial<O> & { params: Iterable<Tensor> | Tensor }>;

/** Per-parameter state: buffers (raw arrays) and numbers such as `step`. */
export type ParamState = Record<string, NDArray | number>;

export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

export abstract class Optimizer<O extends GroupOptions = GroupOptions> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsArg<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] }]
        : (list as ParamsArg<O> & unknown[]);
    for (const g of groups as Array<Partial<O> & { params: Iterable<Tensor> | Tensor }>)
      this.addParamGroup(g);
  }

  /** Adds a group; options it leaves out come from the defaults. */
  addParamGroup(group: Partial<O> & { params: Iterable<Tensor> | Tensor }): void {
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new TypeError(
          `optimizer can only optimize Tensors, but one of the params is ${typeof p}`,
        );
      }
      if (!p.isLeaf) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) {
      throw new ValueError("some parameters appear in more than one parameter group");
    }
    const full = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  /** Checks a group's options with PyTorch's messages (`Invalid learning rate: -1`). */
  protected validate(group: ParamGroup<O>): void {
    if (!(group.lr >= 0)) throw new ValueError(`Invalid learning rate: ${group.lr}`);
  }

  /** Sets every gradient to null (default, as PyTorch 2) or zeroes it in place. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        // `_rawGrad` does not hand the gradient out, so clearing it frees it at once
        const grad = p._rawGrad;
        if (grad === null) continue;
        if (setToNone) p.grad = null;
        else grad.data.storage.backend.kernels.fill(grad.data, 0);
      }
    }
  }

  /**
   * One update of every parameter that has a gradient. `closure` re-evaluates the loss (needed
   * by some optimizers in PyTorch; here it is simply called first and its result returned).
   */
  step(closure?: () => number | Tensor): number | Tensor | undefined {
    const loss = closure?.();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p._rawGrad;
        if (grad === null) continue;
        let st = this.state.get(p);
        if (st === undefined) {
          st = {};
          this.state.set(p, st);
        }
        withContiguous(p.data, grad.data, (param, g) => this.update(param, g, st!, group));
        p.data.storage.bumpVersion();
      }
    }
    return loss;
  }

  /**
   * The update rule on contiguous float arrays: `param` is written in place, `grad` is read.
   * Rules run as kernels of the parameter's backend (`param.storage.backend.kernels`). Buffers
   * in `state` are created with `buffer(state, name, like)`.
   */
  protected abstract update(
    param: NDArray,
    grad: NDArray,
    state: ParamState,
    group: ParamGroup<O>,
  ): void;

  /**
   * The state buffer `name`: a contiguous float array with `like`'s dtype and element count,
   * created filled with `fill` (default 0).
   */
  protected buffer(state: ParamState, name: string, like: NDArray, fill = 0): NDArray {
    let b = state[name];
    if (b === undefined) {
      b = zeros([like.numel()], like.dtype === "float64" ? "float64" : "float32");
      if (fill !== 0) b.storage.backend.kernels.fill(b, fill);
      state[name] = b;
    }
    return b as NDArray;
  }

  /** Counts one more step in the parameter's state (PyTorch's `state["step"]`); returns it. */
  protected nextStep(state: ParamState): number {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    return step;
  }

  /** PyTorch's layout: state by parameter index, groups with parameter indices. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return {
        ...opts,
        params: params.map((p) => index.get(p) ?? index.set(p, index.size).get(p)!),
      };
    });
    const state: OptimizerStateDict["state"] = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: Record<string, Tensor | number> = {};
      for (const [k, v] of Object.entries(st)) {
        entry[k] = typeof v === "number" ? v : new Tensor(v.reshape(p.shape));
      }
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /** Loads what `stateDict` returned (group options and per-parameter state). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError("loaded state dict has a different number of parameter groups");
    }
    sd.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i]!.params.length) {
        throw new ValueError(
          "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
        );
      }
    });
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      g.params.forEach((pi, j) => {
        byIndex[pi] = this.paramGroups[gi]!.params[j]!;
      });
    });
    this.state.clear();
    for (const [k, entry] of Object.entries(sd.state)) {
      const p = byIndex[Number(k)];
      if (p === undefined) throw new RuntimeError(`loaded state refers to unknown parameter ${k}`);
      const st: ParamState = {};
      for (const [name, v] of Object.entries(entry)) {
        st[name] = typeof v === "number" ? v : v.data.clone().reshape([-1]);
      }
      this.state.set(p, st);
    }
    sd.paramGroups.forEach((g, gi) => {
      const { params: _ignored, ...opts } = g;
      Object.assign(this.paramGroups[gi]!, opts);
    });
  }
}

function withContiguous(param: NDArray, grad: NDArray, fn: (p: NDArray, g: NDArray) => void): void {
  if (param.dtype !== "float32" && param.dtype !== "float64") {
    throw new RuntimeError(`optimizers update floating point parameters, got ${param.dtype}`);
  }
  const pc = param.isContiguous() ? param : param.contiguous();
  const gc = grad.isContiguous() ? grad : grad.contiguous();
  fn(pc, gc);
  if (pc !== param) {
    param.storage.backend.kernels.copy(pc.reshape(param.shape), param);
    pc.dispose();
  }
  if (gc !== grad) gc.dispose();
}
