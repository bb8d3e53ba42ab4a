// The sizes of a convolution that the im2col-free paths (backend/convKernels.ts) and the
// small-convolution kernels (backend/convSmall.ts) share, with the values derived from them,
// built once per call; and how those paths read an image (itself, or a zero-padded copy).

import type { Conv2dParams } from "@x/storage";

/**
 * A convolution of N images [G·Cg, H, W] with O = G·Og filters [Cg, kH, kW] into N outputs
 * [O, oH, oW]: K = Cg·kH·kW, the shared dimension of each group's product, P = oH·oW, the
 * output positions, and Hp × Wp the rows and columns of an image padded for the taps of every
 * output (at least the padded image, for the convolution's stride and dilation).
 */
export interface ConvGeometry {
  readonly N: number;
  readonly Cg: number;
  readonly H: number;
  readonly W: number;
  readonly O: number;
  readonly G: number;
  readonly Og: number;
  readonly kH: number;
  readonly kW: number;
  readonly oH: number;
  readonly oW: number;
  readonly K: number;
  readonly P: number;
  readonly Hp: number;
  readonly Wp: number;
}

/**
 * The geometry of a convolution of input shape `x` [N, C, H, W], weights `w` [O, C/groups, kH,
 * kW] and output shape `out` [N, O, oH, oW] under `p`.
 *
 * @example
 * const p = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
 * convGeometry([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 8, 8], p); // K 27, P 64, Hp 10, Wp 10, …
 */
export function convGeometry(
  [N, , H, W]: readonly number[],
  [O, Cg, kH, kW]: readonly number[],
  [, , oH, oW]: readonly number[],
  p: Conv2dParams,
): ConvGeometry {
  const G = p.groups;
  return {
    N: N!,
    Cg: Cg!,
    H: H!,
    W: W!,
    O: O!,
    G,
    Og: O! / G,
    kH: kH!,
    kW: kW!,
    oH: oH!,
    oW: oW!,
    K: Cg! * kH! * kW!,
    P: oH! * oW!,
    Hp: Math.max(H! + p.padding[0], (oH! - 1) * p.stride[0] + (kH! - 1) * p.dilation[0] + 1),
    Wp: Math.max(W! + p.padding[1], (oW! - 1) * p.stride[1] + (kW! - 1) * p.dilation[1] + 1),
  };
}

/**
 * How a path reads an image of element strides `strides` [n, c, h, w]: itself, or (`padded`)
 * a contiguous zero-padded copy of Hp × Wp per channel, when a tap falls outside the image, its
 * columns are not of unit stride, or `copy` asks for one; [cs, hs] the channel and row strides
 * (elements) of what is read.
 *
 * @example
 * imageRead(geo, [1, 1], [192, 64, 8, 1]); // { padded: true, cs: 100, hs: 10 } (Hp = Wp = 10)
 */
export function imageRead(
  { H, W, Hp, Wp }: ConvGeometry,
  [pH, pW]: readonly [number, number],
  strides: readonly number[],
  copy = false,
): { padded: boolean; cs: number; hs: number } {
  const inside = pH === 0 && pW === 0 && Hp === H && Wp === W;
  const padded = !inside || strides[3] !== 1 || copy;
  return padded ? { padded, cs: Hp * Wp, hs: Wp } : { padded, cs: strides[1]!, hs: strides[2]! };
}
