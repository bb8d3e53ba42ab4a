/**
 * In-place ops (`add_`, `mul_`, `clamp_`, `fill_`, `copy_`, …): PyTorch's checks (a leaf that
 * requires grad, or a view of one, cannot be modified in place while grad mode is on; nor an
 * inference tensor outside inference mode), the write through the tensor's storage (which
 * bumps the version counter), and the rebase of the tensor's history onto the op's node — via
 * `CopySlices` on the base when the tensor is a view.
 */
import {
  type BinaryOp,
  binary,
  copyInto,
  isFloatingPoint,
  type NDArray,
  RuntimeError,
  type UnaryOp,
  type UnaryParamOp,
  unary,
  unaryParam,
} from "@x/storage";
import type { DiffOp, OpArgs } from "../derivatives/index.js";
import { isGradEnabled, isInferenceModeEnabled } from "../gradMode.js";
import { attach, savesSelf, wouldRecord } from "../opNode.js";
import type { Tensor } from "../tensor.js";
import type { Operand } from "../tensorBase.js";
import { rebaseView } from "./copySlices.js";
import { addcRaw, raw } from "./operands.js";

/** PyTorch's checks before modifying `self` in place. */
export function checkInplace(self: Tensor): void {
  if (self.isInference() && !isInferenceModeEnabled()) {
    throw new RuntimeError(
      "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.",
    );
  }
  if (!isGradEnabled()) return;
  if (self.isLeaf && self.requiresGrad) {
    throw new RuntimeError(
      "a leaf Variable that requires grad is being used in an in-place operation.",
    );
  }
  const base = self._base;
  if (base?.isLeaf && base.requiresGrad) {
    throw new RuntimeError(
      "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    );
  }
}

/**
 * Runs `compute` (which writes into `self.data`) as the in-place form of `op`, recording it
 * when needed. Returns `self`.
 */
export function inplace<K extends DiffOp>(
  op: K,
  self: Tensor,
  args: OpArgs[K],
  compute: () => void,
): Tensor {
  checkInplace(self);
  const recording = isFloatingPoint(self.dtype) && wouldRecord(op, args);
  // The original value, when a formula needs it after `self` is overwritten.
  const original = recording && savesSelf(op, args) ? self.clone() : undefined;
  compute();
  if (!recording) return self;
  if (self._base !== null) rebaseView(op, self, args, original);
  else attach(op, args, [self], original);
  return self;
}

/** `self = op(self)` in place. */
export function unaryInplace(op: UnaryOp & DiffOp, self: Tensor): Tensor {
  return inplace(
    op,
    self,
    { self } as OpArgs[typeof op],
    () => void unary(op, self.data, self.data),
  );
}

/** `self = op(self, a, b)` in place for the parametrized unary kernels. */
export function paramInplace<K extends DiffOp>(
  op: K,
  kernel: UnaryParamOp,
  self: Tensor,
  args: OpArgs[K],
  a: number,
  b: number,
): Tensor {
  return inplace(op, self, args, () => void unaryParam(kernel, self.data, a, b, self.data));
}

/** `self = self op other` in place (broadcasting `other` to `self`'s shape). */
export function binaryInplace<K extends DiffOp>(
  op: K,
  kernel: BinaryOp,
  self: Tensor,
  other: Operand,
  args: OpArgs[K],
): Tensor {
  return inplace(op, self, args, () => void binary(kernel, self.data, raw(other), self.data));
}

/** `self += alpha·other` in place. @example t.add_(1) */
export function add_(self: Tensor, other: Operand, opts: { alpha?: number } = {}): Tensor {
  const alpha = opts.alpha ?? 1;
  return inplace("add", self, { self, other, alpha }, () => {
    const o =
      alpha === 1
        ? raw(other)
        : typeof other === "object"
          ? binary("mul", other.data, alpha)
          : Number(other) * alpha;
    binary("add", self.data, o, self.data);
  });
}

/** `self -= alpha·other` in place. @example t.sub_(1) */
export function sub_(self: Tensor, other: Operand, opts: { alpha?: number } = {}): Tensor {
  const alpha = opts.alpha ?? 1;
  return inplace("sub", self, { self, other, alpha }, () => {
    const o =
      alpha === 1
        ? raw(other)
        : typeof other === "object"
          ? binary("mul", other.data, alpha)
          : Number(other) * alpha;
    binary("sub", self.data, o, self.data);
  });
}

/** Fills with `value`. @example t.fill_(0) */
export function fill_(self: Tensor, value: number | boolean): Tensor {
  return inplace(
    "fill",
    self,
    { self, value: Number(value), kind: "fill" },
    () => void copyInto(self.data, value),
  );
}

/** Fills with zeros. @example t.zero_() */
export function zero_(self: Tensor): Tensor {
  return inplace("fill", self, { self, value: 0, kind: "zero" }, () => void copyInto(self.data, 0));
}

/** Copies `src` (broadcast, converted) into `self`. @example t.copy_(other) */
export function copy_(self: Tensor, src: Tensor | number): Tensor {
  return inplace("copy", self, { self, src }, () => void copyInto(self.data, raw(src)));
}

function assign(self: Tensor, fresh: NDArray): void {
  copyInto(self.data, fresh);
  fresh.dispose();
}

/** `self += weight·(end - self)` in place. */
export function lerp_(self: Tensor, end: Tensor, weight: Operand): Tensor {
  return inplace("lerp", self, { self, end, weight }, () => {
    const diff = binary("sub", end.data, self.data);
    const step = binary("mul", diff, raw(weight));
    diff.dispose();
    binary("add", self.data, step, self.data);
    step.dispose();
  });
}

/** `self += value·tensor1·tensor2` in place. */
export function addcmul_(
  self: Tensor,
  tensor1: Tensor,
  tensor2: Tensor,
  opts: { value?: number } = {},
): Tensor {
  const value = opts.value ?? 1;
  return inplace("addcmul", self, { self, tensor1, tensor2, value }, () => {
    assign(self, addcRaw("mul", self.data, tensor1.data, tensor2.data, value));
  });
}

/** `self += value·tensor1/tensor2` in place. */
export function addcdiv_(
  self: Tensor,
  tensor1: Tensor,
  tensor2: Tensor,
  opts: { value?: number } = {},
): Tensor {
  const value = opts.value ?? 1;
  return inplace("addcdiv", self, { self, tensor1, tensor2, value }, () => {
    assign(self, addcRaw("div", self.data, tensor1.data, tensor2.data, value));
  });
}
