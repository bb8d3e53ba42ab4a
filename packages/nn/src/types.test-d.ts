/**
 * Type-level tests of the nn API, checked by `tsc -p tsconfig.json` (this file is under src):
 * `.data` is a raw array with no autograd state, calling a module is typed by its `forward`,
 * state dicts hold tensors, and max pooling with `returnIndices: true` returns a pair.
 */

import { type Tensor, tensor } from "@x/autograd";
import type { NDArray } from "@x/storage";
import { expectTypeOf } from "vitest";
import * as nn from "./index.js";

const linear = new nn.Linear(4, 2);

// `.data` is the raw NDArray of @x/storage: it has no `requiresGrad` to set.
expectTypeOf(linear.weight.data).toEqualTypeOf<NDArray>();
// @ts-expect-error requiresGrad does not exist on NDArray (PyTorch silently ignores this).
linear.weight.data.requiresGrad = true;
// @ts-expect-error nor does grad.
void linear.weight.data.grad;
expectTypeOf(linear.weight).toEqualTypeOf<nn.Parameter>();
expectTypeOf(linear.weight.requiresGrad).toEqualTypeOf<boolean>();

// Calling a module is typed by its forward.
expectTypeOf(linear).parameters.toEqualTypeOf<[input: Tensor]>();
expectTypeOf(linear).returns.toEqualTypeOf<Tensor>();
expectTypeOf(linear(tensor([[1, 2, 3, 4]]))).toEqualTypeOf<Tensor>();
// @ts-expect-error a Linear takes one tensor, not a number.
linear(3);

class TwoInputs extends nn.Module {
  fc = new nn.Linear(4, 2);

  forward(a: Tensor, scale: number): { out: Tensor; scale: number } {
    return { out: this.fc(a).mul(scale), scale };
  }
}
const two = new TwoInputs();
expectTypeOf(two).parameters.toEqualTypeOf<[a: Tensor, scale: number]>();
expectTypeOf(two).returns.toEqualTypeOf<{ out: Tensor; scale: number }>();
// @ts-expect-error the second argument is required.
two(tensor([1, 2, 3, 4]));

const lstm = new nn.LSTM(3, 4);
expectTypeOf(lstm).returns.toEqualTypeOf<[Tensor, [Tensor, Tensor]]>();

// State dicts map names to tensors.
expectTypeOf(linear.stateDict()).toEqualTypeOf<Map<string, Tensor>>();
for (const value of linear.stateDict().values()) expectTypeOf(value).toEqualTypeOf<Tensor>();
expectTypeOf(linear.namedParameters()).toEqualTypeOf<[string, nn.Parameter][]>();

// Max pooling gives `[values, indices]` exactly when asked for the indices.
const image = tensor([
  [
    [
      [1, 2],
      [3, 4],
    ],
  ],
]);
expectTypeOf(new nn.MaxPool2d(2)).returns.toEqualTypeOf<Tensor>();
expectTypeOf(new nn.MaxPool2d(2, { stride: 1, ceilMode: true })).returns.toEqualTypeOf<Tensor>();
expectTypeOf(new nn.MaxPool2d(2, { returnIndices: true })).returns.toEqualTypeOf<
  [Tensor, Tensor]
>();
expectTypeOf(new nn.MaxPool1d(2, { returnIndices: true })).returns.toEqualTypeOf<
  [Tensor, Tensor]
>();
expectTypeOf(new nn.MaxPool2d(2, { returnIndices: false })(image)).toEqualTypeOf<Tensor>();
declare const withIndices: boolean;
expectTypeOf(new nn.MaxPool2d(2, { returnIndices: withIndices })(image)).toEqualTypeOf<
  Tensor | [Tensor, Tensor]
>();
expectTypeOf(nn.F.maxPool2d(image, 2)).toEqualTypeOf<Tensor>();
expectTypeOf(nn.F.maxPool2d(image, 2, { returnIndices: true })).toEqualTypeOf<[Tensor, Tensor]>();
expectTypeOf(nn.F.maxPool1d(image, 2, { returnIndices: true })).toEqualTypeOf<[Tensor, Tensor]>();
expectTypeOf(nn.F.maxPool2dWithIndices(image, 2)).toEqualTypeOf<[Tensor, Tensor]>();
// @ts-expect-error the pair is not a tensor.
new nn.MaxPool2d(2, { returnIndices: true })(image).sum();
// @ts-expect-error nor is it from the functional form.
nn.F.maxPool2d(image, 2, { returnIndices: true }).sum();

// The functional API returns tensors.
expectTypeOf(nn.F.crossEntropy).returns.toEqualTypeOf<Tensor>();
expectTypeOf(nn.functional.relu).toEqualTypeOf(nn.F.relu);
expectTypeOf(new nn.Parameter(tensor([1]))).toMatchTypeOf<Tensor>();
