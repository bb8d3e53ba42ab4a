/**
 * `Parameter`: a `Tensor` that a `Module` registers and that requires grad by default. It is a
 * marker — temporaries a module computes are plain tensors and are not registered.
 */
import { Tensor } from "@x/autograd";
import { NDArray } from "@x/storage";

/**
 * @example
 * const w = new Parameter(x.randn(3, 4));   // aliases the tensor's storage, requiresGrad true
 * const frozen = new Parameter(x.ones(2), false);
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | NDArray, requiresGrad = true) {
    const nd = data === undefined ? NDArray.empty([0]) : data instanceof Tensor ? data.data : data;
    super(nd, { requiresGrad });
  }

  /** `Parameter containing:` then the tensor, as PyTorch prints it. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
