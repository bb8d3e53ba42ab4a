/**
 * The derivative table: one typed entry per differentiable op, `{ [K in DiffOp]: Rule<…> }`.
 * A family file declares its ops' arguments and rules; an op missing here is a compile error,
 * and the gradcheck test iterates this table, so a new op is checked automatically.
 */
import { type ActivationOps, activationRules } from "./activation.js";
import { type BinaryOps, binaryRules } from "./binary.js";
import { type ConvOps, convRules } from "./conv.js";
import { type IndexingOps, indexingRules } from "./indexing.js";
import { type JoinOps, joinRules } from "./join.js";
import { type LinalgOps, linalgRules } from "./linalg.js";
import { type LossOps, lossRules } from "./loss.js";
import { type MiscOps, miscRules } from "./misc.js";
import { type PointwiseOps, pointwiseRules } from "./pointwise.js";
import { type ReduceOps, reduceRules } from "./reduce.js";
import type { Rule } from "./rule.js";
import { type ShapeOps, shapeRules } from "./shape.js";

/** The arguments of every differentiable op, by name. */
export interface OpArgs
  extends PointwiseOps,
    ActivationOps,
    BinaryOps,
    ShapeOps,
    ReduceOps,
    JoinOps,
    IndexingOps,
    LinalgOps,
    ConvOps,
    LossOps,
    MiscOps {}

/** The name of a differentiable op. */
export type DiffOp = keyof OpArgs;

export const DERIVATIVES: { readonly [K in DiffOp]: Rule<OpArgs[K]> } = {
  ...pointwiseRules,
  ...activationRules,
  ...binaryRules,
  ...shapeRules,
  ...reduceRules,
  ...joinRules,
  ...indexingRules,
  ...linalgRules,
  ...convRules,
  ...lossRules,
  ...miscRules,
};

// Formula contexts reserve these names for the gradients and outputs: no op argument may use them.
type Reserved = {
  [K in DiffOp]: Extract<keyof OpArgs[K], "grad" | "grads" | "result" | "results">;
}[DiffOp];
export const NO_RESERVED_ARGUMENT_NAMES: [Reserved] extends [never] ? true : never = true;

export type { Formula, GradCtx, Rule } from "./rule.js";
