/**
 * Typed errors. Messages keep PyTorch's wording so users can search for them; the class says
 * which kind of mistake it is.
 */

/** Base class of every error this library throws on purpose. */
export class XError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (PyTorch raises `RuntimeError`). */
export class ShapeError extends XError {}

/** A dtype an operation does not accept (PyTorch raises `RuntimeError` or `TypeError`). */
export class DTypeError extends XError {}

/** An index or dimension out of range (PyTorch raises `IndexError`). */
export class IndexError extends XError {}

/** A bad argument value (PyTorch raises `ValueError` or `RuntimeError`). */
export class ValueError extends XError {}

/** Any other run-time failure PyTorch reports as `RuntimeError` (autograd, disposed memory…). */
export class RuntimeError extends XError {}
