/**
 * Decoding fixture arguments (`{"scalar": 0.1}`, `{"list": [...]}`, …) and PyTorch keyword
 * names into this project's spelling (`weight_decay` → `weightDecay`, `T_max` → `tMax`).
 */

/** PyTorch's snake_case keyword → camelCase with a lowercase first letter. */
export function camelKey(k: string): string {
  const parts = k.split("_").filter((p) => p !== "");
  return parts
    .map((p, i) =>
      i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1),
    )
    .join("");
}

/** A plain (non-tensor) fixture value. */
export function plainValue(v: Record<string, unknown>): unknown {
  if ("scalar" in v) return v.scalar;
  if ("int" in v) return v.int;
  if ("bool" in v) return v.bool;
  if ("str" in v) return v.str;
  if ("list" in v) return v.list;
  if ("none" in v) return null;
  throw new Error(`not a plain fixture value: ${JSON.stringify(v).slice(0, 80)}`);
}

/** Plain keyword arguments as an options object. */
export function plainKwargs(
  kwargs: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[camelKey(k)] = plainValue(v);
  return out;
}
