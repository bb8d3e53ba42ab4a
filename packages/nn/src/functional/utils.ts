/**
 * Helpers shared by the functional API: applying a loss reduction with PyTorch's checks, and
 * PyTorch's warnings.
 */
import type { Tensor } from "@x/autograd";
import { ValueError } from "@x/storage";

/** How a loss reduces its per-element values. */
export type Reduction = "none" | "mean" | "sum";

/** Reduces a per-element loss: `"mean"` (default), `"sum"` or `"none"`. */
export function applyReduction(loss: Tensor, reduction: string = "mean"): Tensor {
  switch (reduction) {
    case "none":
      return loss;
    case "mean":
      return loss.mean();
    case "sum":
      return loss.sum();
    default:
      throw new ValueError(`${reduction} is not a valid value for reduction`);
  }
}

/** PyTorch's `torch.Size([2, 3])`. */
export function sizeStr(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** Whether two shapes are equal. */
export function sameSize(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

const warned = new Set<string>();

/** Prints PyTorch's warning once per message. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}

/** PyTorch's warning when a pointwise loss broadcasts its target against its input. */
export function warnIfBroadcast(input: Tensor, target: Tensor): void {
  if (!sameSize(input.shape, target.shape)) {
    warnOnce(
      `Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
    );
  }
}
