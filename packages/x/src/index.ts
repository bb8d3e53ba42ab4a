/**
 * x: the meta-package. `import * as x from "x"` gives every layer that exists: the raw arrays of
 * `@x/storage` (`x.NDArray`, `x.fromArray`, …) and, as they land, `x.tensor`, `x.nn`, `x.optim`.
 */
export * from "@x/storage";
