import { afterEach, describe, expect, it } from "vitest";
import { type Allocation, type Backend, getBackend, setBackend } from "../backend.js";
import { NDArray } from "../ndArray.js";
import { referenceBackend } from "../reference/index.js";
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, convTranspose2d } from "./conv.js";
import { fromArray, zeros } from "./creation.js";
import { binary, cast, compare, unary, unaryParam, where } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from "./pool.js";
import { randn } from "./random.js";
import { amax, mean, sum } from "./reduce.js";
import { cumsum, logSoftmax, softmax } from "./scan.js";

// The reference backend, except that memory asked for without zeroing is filled with NaN bytes
// (0xFF): an op that allocates its output uninitialized but does not write every element gives
// different numbers here.
let uninitialized = 0;
const poisoned: Backend = {
  name: "poisoned",
  kernels: referenceBackend.kernels,
  alloc(byteLength: number, zeroed?: boolean): Allocation {
    const a = referenceBackend.alloc(byteLength, zeroed);
    if (zeroed === false) {
      uninitialized++;
      new Uint8Array(a.buffer, a.ptr, byteLength).fill(0xff);
    }
    return a;
  },
  free: (a) => referenceBackend.free(a),
};

const previous = getBackend();
afterEach(() => {
  setBackend(previous);
});

/** Runs `f` on fresh inputs on both backends; the values must be the same. */
function same(f: (rand: (...shape: number[]) => NDArray) => NDArray | NDArray[]): void {
  const run = (b: Backend) => {
    setBackend(b);
    let seed = 0;
    const rand = (...shape: number[]) => {
      const n = shape.reduce((p, s) => p * s, 1);
      const vals = Array.from({ length: n }, () => Math.sin(++seed * 12.9898) * 3);
      return fromArray(vals).reshape(shape);
    };
    const r = f(rand);
    return (Array.isArray(r) ? r : [r]).map((a) => a.toArray());
  };
  const expected = run(referenceBackend);
  const got = run(poisoned);
  expect(got).toEqual(expected);
}

describe("op outputs allocated uninitialized (NDArray.uninit)", () => {
  it("are asked of the backend without zeroing; NDArray.empty still zeroes", () => {
    setBackend(poisoned);
    const before = uninitialized;
    const a = binary("add", randn([3]), 1);
    expect(uninitialized).toBeGreaterThan(before);
    expect(a.toArray().some(Number.isNaN)).toBe(false);
    // what no kernel wrote shows up as NaN here
    expect(NDArray.uninit([2], "float32").toArray().every(Number.isNaN)).toBe(true);
    expect(NDArray.empty([2], "float32").toArray()).toEqual([0, 0]);
    expect(zeros([2]).toArray()).toEqual([0, 0]);
  });

  it("elementwise ops, casts and broadcasting write every element", () => {
    same((r) => [
      unary("exp", r(2, 3)),
      unary("neg", r(2, 3).transpose(0, 1)),
      unaryParam("clamp", r(4), -1, 1),
      binary("mul", r(2, 1, 3), r(4, 1)),
      binary("div", r(3).to("int64"), 2),
      compare("gt", r(2, 3), 0),
      where(compare("lt", r(5), 0), r(5), 0),
      cast(r(2, 2).transpose(0, 1), "float64"),
      r(3, 4).transpose(0, 1).contiguous(),
    ]);
  });

  it("matmul (also with empty sums), reductions, scans and softmax write every element", () => {
    same((r) => [
      matmul(r(3, 4), r(4, 2)),
      matmul(r(2, 3, 4), r(4, 5).transpose(0, 1).transpose(0, 1)),
      matmul(zeros([2, 0]), zeros([0, 3])),
      sum(r(3, 4), 1),
      mean(r(2, 3, 4), [0, 2]),
      sum(zeros([2, 0]), 1),
      amax(r(3, 4), 0),
      cumsum(r(3, 4), 1),
      softmax(r(2, 5), 1),
      logSoftmax(r(2, 5), 0),
    ]);
  });

  it("convolution, its backward, pooling and its backward write every element", () => {
    same((r) => {
      const x = r(2, 3, 6, 5);
      const w = r(4, 3, 3, 2);
      const g = r(2, 4, 4, 4);
      const [v, i] = maxPool2d(x, 2, { returnIndices: true });
      return [
        conv2d(x, w, r(4)),
        conv2d(x, r(6, 1, 3, 3), null, { groups: 3, padding: 1, stride: 2 }),
        conv2dBackwardInput(g, w, [2, 3, 6, 5]),
        conv2dBackwardWeight(x, g, [4, 3, 3, 2]),
        convTranspose2d(r(1, 3, 3, 3), r(3, 2, 2, 2), r(2), { stride: 2 }),
        v,
        maxPool2dBackward(r(2, 3, 3, 2), i, [2, 3, 6, 5]),
        avgPool2d(x, 3, { stride: 2, padding: 1 }),
        avgPool2dBackward(r(2, 3, 3, 3), [2, 3, 6, 5], 3, { stride: 2, padding: 1 }),
      ];
    });
  });
});
