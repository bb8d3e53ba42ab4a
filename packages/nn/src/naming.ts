/**
 * Field names to PyTorch's state-dict names: camelCase fields become snake_case keys
 * (`runningMean` → `running_mean`, `weightIhL0` → `weight_ih_l0`, `selfAttn` → `self_attn`),
 * so a state dict moves between x and PyTorch unchanged.
 */

/** `runningMean` → `running_mean`; names already in snake_case are unchanged. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}
