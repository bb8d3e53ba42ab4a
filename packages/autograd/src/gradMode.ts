/**
 * Grad modes, as PyTorch's context managers: `noGrad`, `enableGrad`, `setGradEnabled`,
 * `inferenceMode`, each usable as a wrapper (`noGrad(() => …)`) or as a disposable
 * (`using _ = noGrad();`), nesting correctly; and anomaly detection (`setDetectAnomaly`,
 * `detectAnomaly`).
 */

let gradEnabled = true;
let inference = false;
let anomaly = false;

/** Whether operations record a graph now (`torch.is_grad_enabled()`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Whether inference mode is on (`torch.is_inference_mode_enabled()`). */
export function isInferenceModeEnabled(): boolean {
  return inference;
}

/** A scope that restores the previous mode when disposed (`using _ = noGrad();`). */
export interface ModeScope extends Disposable {
  /** Restores the mode that was active before this scope (same as disposing it). */
  exit(): void;
}

function scope(grad: boolean, inf: boolean): ModeScope {
  const prevGrad = gradEnabled;
  const prevInf = inference;
  gradEnabled = grad;
  inference = inf;
  let done = false;
  const exit = () => {
    if (done) return;
    done = true;
    gradEnabled = prevGrad;
    inference = prevInf;
  };
  return { exit, [Symbol.dispose]: exit };
}

function run<T>(s: ModeScope, fn: () => T): T {
  try {
    return fn();
  } finally {
    s.exit();
  }
}

/**
 * Disables gradient recording (`torch.no_grad()`): results of operations do not require grad.
 *
 * @example
 * const y = noGrad(() => x.mul(2)); // y.requiresGrad === false
 * { using _ = noGrad(); p.sub_(p.grad!.mul(0.1)); }
 */
export function noGrad(): ModeScope;
export function noGrad<T>(fn: () => T): T;
export function noGrad<T>(fn?: () => T): T | ModeScope {
  const s = scope(false, inference);
  return fn ? run(s, fn) : s;
}

/**
 * Enables gradient recording inside a `noGrad` region (`torch.enable_grad()`).
 *
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true when x requires grad
 */
export function enableGrad(): ModeScope;
export function enableGrad<T>(fn: () => T): T;
export function enableGrad<T>(fn?: () => T): T | ModeScope {
  const s = scope(true, inference);
  return fn ? run(s, fn) : s;
}

/**
 * Sets gradient recording on or off (`torch.set_grad_enabled(mode)`); without `fn`, returns a
 * disposable scope (the mode is set at once, as in PyTorch).
 *
 * @example
 * setGradEnabled(false, () => x.mul(2)).requiresGrad; // false
 */
export function setGradEnabled(mode: boolean): ModeScope;
export function setGradEnabled<T>(mode: boolean, fn: () => T): T;
export function setGradEnabled<T>(mode: boolean, fn?: () => T): T | ModeScope {
  const s = scope(mode, inference);
  return fn ? run(s, fn) : s;
}

/**
 * Inference mode (`torch.inference_mode()`): no graph, and tensors created inside are inference
 * tensors (`t.isInference()`), which cannot later be saved for backward.
 *
 * @example
 * const u = inferenceMode(() => x.mul(2)); // u.requiresGrad === false, u.isInference() === true
 */
export function inferenceMode(): ModeScope;
export function inferenceMode<T>(fn: () => T): T;
export function inferenceMode<T>(mode: boolean, fn: () => T): T;
export function inferenceMode<T>(a?: boolean | (() => T), b?: () => T): T | ModeScope {
  const on = typeof a === "boolean" ? a : true;
  const fn = typeof a === "function" ? a : b;
  const s = on ? scope(false, true) : scope(gradEnabled, false);
  return fn ? run(s, fn) : s;
}

/** Whether anomaly detection is on (`torch.is_anomaly_enabled()`). */
export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/**
 * Turns anomaly detection on or off globally (`torch.autograd.set_detect_anomaly`): the
 * forward call's stack is recorded on each graph node, and a NaN produced in backward raises
 * an error naming the node and that stack.
 *
 * @example
 * setDetectAnomaly(true);
 */
export function setDetectAnomaly(mode: boolean): void {
  anomaly = mode;
}

/**
 * Anomaly detection for a scope (`torch.autograd.detect_anomaly()`), as a wrapper or disposable.
 *
 * @example
 * detectAnomaly(() => loss.backward());
 */
export function detectAnomaly(): ModeScope;
export function detectAnomaly<T>(fn: () => T): T;
export function detectAnomaly<T>(fn?: () => T): T | ModeScope {
  const prev = anomaly;
  anomaly = true;
  let done = false;
  const exit = () => {
    if (done) return;
    done = true;
    anomaly = prev;
  };
  const s: ModeScope = { exit, [Symbol.dispose]: exit };
  return fn ? run(s, fn) : s;
}
