/**
 * The shape of a derivative rule, as in PyTorch's `derivatives.yaml`: for each tensor input of
 * an op, one formula of the upstream gradient (`grad`), the forward output (`result`) and the
 * forward's own arguments, written with `Tensor` ops so that `createGraph` differentiates it
 * again — or the word `"nondifferentiable"`. Each formula lists what it `uses` from the forward,
 * so only that is saved, and only for inputs that need a gradient.
 */
import type { Tensor } from "../tensor.js";

/** What a formula sees: the forward's arguments plus the gradients and outputs. */
export type GradCtx<A> = A & {
  /** Gradient of the (first) output. */
  readonly grad: Tensor;
  /** Gradients of every output (zeros for outputs that received none). */
  readonly grads: readonly Tensor[];
  /** The (first) forward output; saved only when a formula `uses` `"result"`. */
  readonly result: Tensor;
  readonly results: readonly Tensor[];
};

/** A forward value a formula needs at backward time. */
export type SaveKey<A> = Extract<keyof A, string> | "result";

export interface Formula<A> {
  /** Forward values this formula reads (saved for backward, version-checked). */
  readonly uses: readonly SaveKey<A>[];
  /** The gradient of the input (or one per tensor of a list input); null means zero. */
  readonly grad: (c: GradCtx<A>) => Tensor | null | readonly (Tensor | null)[];
}

/** Keys of `A` whose values may be tensors (or lists of tensors): the op's tensor inputs. */
export type TensorKeys<A> = {
  [P in keyof A]-?: [Tensor] extends [A[P]]
    ? P
    : [Tensor[]] extends [A[P]]
      ? P
      : [Tensor | null] extends [A[P]]
        ? P
        : never;
}[keyof A];

/**
 * The derivative of one op: a formula (or `"nondifferentiable"`) for every tensor input, in
 * the forward's argument order (that order gives `gradFn.nextFunctions`).
 */
export interface Rule<A> {
  /** PyTorch's node name; default `${Op}Backward0`. */
  readonly name?: string | ((args: A) => string);
  readonly inputs: { readonly [P in TensorKeys<A>]: Formula<A> | "nondifferentiable" };
}

/** A rule table for a family of ops: `{ [K in keyof Ops]: Rule<Ops[K]> }`. */
export type RuleTable<Ops> = { readonly [K in keyof Ops]: Rule<Ops[K]> };

/** Shorthand for a formula. */
export function d<A>(
  uses: readonly SaveKey<A>[],
  grad: (c: GradCtx<A>) => Tensor | null | readonly (Tensor | null)[],
): Formula<A> {
  return { uses, grad };
}
