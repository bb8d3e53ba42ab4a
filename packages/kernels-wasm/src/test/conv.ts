// Test helpers for convolutions: the sizes and options of a test case, and its parameters and
// output size.

import type { Conv2dParams } from "@x/storage";

/** A convolution's batch, input channels, image size and output channels. */
export interface ConvSizes {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
}

/** A convolution test case: its sizes, kernel and options (PyTorch's defaults when left out). */
export interface ConvCase extends ConvSizes {
  kH: number;
  kW: number;
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  groups?: number;
  /** Output rows/columns past the symmetric size (PyTorch's bottom/right padding). */
  extra?: [number, number];
}

/**
 * A case's parameters and output size.
 *
 * @example
 * convGeometry({ N: 1, C: 1, H: 5, W: 5, O: 1, kH: 3, kW: 3 }); // oH = oW = 3
 */
export function convGeometry(c: ConvCase): { p: Conv2dParams; oH: number; oW: number } {
  const stride = c.stride ?? [1, 1];
  const padding = c.padding ?? [0, 0];
  const dilation = c.dilation ?? [1, 1];
  const size = (i: 0 | 1, n: number, k: number) =>
    Math.floor((n + 2 * padding[i] - dilation[i] * (k - 1) - 1) / stride[i]) +
    1 +
    (c.extra?.[i] ?? 0);
  return {
    p: { stride, padding, dilation, groups: c.groups ?? 1 },
    oH: size(0, c.H, c.kH),
    oW: size(1, c.W, c.kW),
  };
}
