/**
 * The one skip list of the autograd-level ops conformance: every `torch.*`/`Tensor.*` case of
 * `ops.json` not run here, with the reason. (`F.*` cases are run by `@x/nn`.)
 */
export const OPS_SKIPS: Record<string, string> = {};
