/// <reference types="node" />
// Bit-exactness of the CPU generator against PyTorch 1.13: the shared conformance fixtures
// (random.json, including the nn.Linear / nn.Conv2d / nn.Embedding default inits rebuilt from
// uniform_ / normal_) and a few more values recorded from PyTorch by hand.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_SEED, defaultGenerator, Generator, manualSeed } from "./generator.js";
import { MT19937 } from "./mt19937.js";

interface FixtureTensor {
  dtype: string;
  shape: number[];
  data: number[];
}
interface FixtureCase {
  id: string;
  seed: number;
  expr?: string;
  module?: string;
  output?: FixtureTensor;
  state?: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../../../shared/conformance/random.json", import.meta.url), "utf8"),
) as { cases: FixtureCase[] };

function fixtureCase(id: string): FixtureCase {
  const found = fixture.cases.find((c) => c.id === id);
  if (!found) throw new Error(`fixture case ${id} missing`);
  return found;
}

/** Float32 data as PyTorch holds it (the fixture prints float32 values as float64). */
const f32s = (xs: readonly number[]): number[] => xs.map((x) => Math.fround(x));

/** What each fixture expression draws, after `manualSeed(seed)`. */
const exprs: Record<string, (g: Generator) => ArrayLike<number>> = {
  "rand/5": (g) => fill32(5, (o) => g.uniform_(o, 0, 5, 0, 1, "float32")),
  "rand/2x20": (g) => fill32(40, (o) => g.uniform_(o, 0, 40, 0, 1, "float32")),
  "randn/5": (g) => fill32(5, (o) => g.normal_(o, 0, 5, 0, 1, "float32")),
  "randn/40": (g) => fill32(40, (o) => g.normal_(o, 0, 40, 0, 1, "float32")),
  "randint/0-10x8": (g) => fill64(8, (o) => g.randint_(o, 0, 8, 0, 10)),
  "randperm/10": (g) => fill64(10, (o) => g.randperm(o, 0, 10)),
  "normal_/mean1-std2x6": (g) => fill32(6, (o) => g.normal_(o, 0, 6, 1, 2, "float32")),
  "uniform_/-3..3x6": (g) => fill32(6, (o) => g.uniform_(o, 0, 6, -3, 3, "float32")),
  // torch.bernoulli(torch.full((10,), 0.3)): float32 probabilities.
  "bernoulli/p0.3x10": (g) => fill32(10, (o) => g.bernoulli_(o, 0, 10, 0.3, "float32", "float32")),
  "rand-then-randn": (g) =>
    fill32(6, (o) => {
      g.uniform_(o, 0, 3, 0, 1, "float32");
      g.normal_(o, 3, 3, 0, 1, "float32");
    }),
};

function fill32(n: number, f: (out: Float32Array) => void): Float32Array {
  const out = new Float32Array(n);
  f(out);
  return out;
}

function fill64(n: number, f: (out: Float64Array) => void): Float64Array {
  const out = new Float64Array(n);
  f(out);
  return out;
}

/** `kaiming_uniform_(w, a=sqrt(5))` then `uniform_(b, -1/sqrt(fan_in), 1/sqrt(fan_in))`. */
function linearLikeInit(g: Generator, weightSize: number, biasSize: number, fanIn: number) {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a ** 2));
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fanIn));
  const weight = fill32(weightSize, (o) => g.uniform_(o, 0, weightSize, -bound, bound, "float32"));
  const biasBound = 1 / Math.sqrt(fanIn);
  const bias = fill32(biasSize, (o) =>
    g.uniform_(o, 0, biasSize, -biasBound, biasBound, "float32"),
  );
  return { weight, bias };
}

describe("conformance fixtures (random.json)", () => {
  for (const [id, draw] of Object.entries(exprs)) {
    it(`${id} matches PyTorch exactly`, () => {
      const c = fixtureCase(id);
      const g = new Generator(c.seed);
      const expected = c.output as FixtureTensor;
      const got = Array.from(draw(g));
      expect(got).toEqual(expected.dtype === "float32" ? f32s(expected.data) : expected.data);
    });
  }

  it("every expression case in the fixture is covered", () => {
    const ids = fixture.cases.filter((c) => c.expr !== undefined).map((c) => c.id);
    expect(ids.filter((id) => !(id in exprs))).toEqual([]);
  });

  it("init/nn.Linear(4, 3): kaiming_uniform_ weight, uniform_ bias", () => {
    const c = fixtureCase("init/nn.Linear(4, 3)");
    const { weight, bias } = linearLikeInit(new Generator(c.seed), 12, 3, 4);
    expect(Array.from(weight)).toEqual(f32s(c.state?.weight?.data ?? []));
    expect(Array.from(bias)).toEqual(f32s(c.state?.bias?.data ?? []));
  });

  it("init/nn.Conv2d(2, 3, 3): kaiming_uniform_ weight, uniform_ bias (fan_in 18)", () => {
    const c = fixtureCase("init/nn.Conv2d(2, 3, 3)");
    const { weight, bias } = linearLikeInit(new Generator(c.seed), 54, 3, 18);
    expect(Array.from(weight)).toEqual(f32s(c.state?.weight?.data ?? []));
    expect(Array.from(bias)).toEqual(f32s(c.state?.bias?.data ?? []));
  });

  it("init/nn.Embedding(5, 2): normal_(0, 1) on 10 values", () => {
    const c = fixtureCase("init/nn.Embedding(5, 2)");
    const g = new Generator(c.seed);
    const weight = fill32(10, (o) => g.normal_(o, 0, 10, 0, 1, "float32"));
    expect(Array.from(weight)).toEqual(f32s(c.state?.weight?.data ?? []));
  });
});

describe("mt19937", () => {
  it("gives the C++ standard's reference outputs", () => {
    const mt = new MT19937(5489n);
    expect(mt.next32()).toBe(3499211612);
    for (let i = 2; i < 10000; i++) mt.next32();
    expect(mt.next32()).toBe(4123659995);
  });
});

describe("Generator (values recorded from PyTorch 1.13)", () => {
  it("defaults to PyTorch's default seed", () => {
    const g = new Generator();
    expect(g.initialSeed()).toBe(DEFAULT_SEED);
    const out = fill32(3, (o) => g.uniform_(o, 0, 3, 0, 1, "float32"));
    expect(Array.from(out)).toEqual(
      f32s([0.267295241355896, 0.8725283145904541, 0.3352888226509094]),
    );
  });

  it("wraps negative seeds to 64 bits and uses the low 32 bits, as torch.manual_seed", () => {
    const g = new Generator(-1);
    expect(g.initialSeed()).toBe(18446744073709551615n);
    const out = fill32(2, (o) => g.uniform_(o, 0, 2, 0, 1, "float32"));
    expect(Array.from(out)).toEqual(f32s([0.9937993884086609, 0.5713063478469849]));
    g.manualSeed(2n ** 32n + 7n);
    expect(g.initialSeed()).toBe(4294967303n);
    expect(g.random()).toBe(new Generator(7).random());
  });

  it("float64 rand takes 53 bits from two draws", () => {
    const g = new Generator(7);
    const out = fill64(3, (o) => g.uniform_(o, 0, 3, 0, 1, "float64"));
    expect(Array.from(out)).toEqual([0.279380429906404, 0.27369371365176565, 0.8620929614176255]);
  });

  it("float64 randn: scalar Box-Muller below 16 values, normal_fill from 16", () => {
    const g = new Generator(7);
    const small = fill64(3, (o) => g.normal_(o, 0, 3, 0, 1, "float64"));
    expect(Array.from(small)).toEqual([
      -0.1467950974849952, 0.7861412987235358, 0.9468216090039564,
    ]);
    g.manualSeed(7);
    const big = fill64(20, (o) => g.normal_(o, 0, 20, 0, 1, "float64"));
    expect(Array.from(big.subarray(0, 4))).toEqual([
      0.06626753966449943, 0.04699155524392409, 1.8365386300294015, 1.367690398536778,
    ]);
  });

  it("float32 randn(17) redraws and recomputes the last 16 values", () => {
    const g = new Generator(7);
    const out = fill32(17, (o) => g.normal_(o, 0, 17, 0, 1, "float32"));
    expect(Array.from(out)).toEqual(
      f32s([
        -0.8201345205307007, -0.32456663250923157, 1.9263681173324585, -0.3300117254257202,
        0.19844505190849304, 0.7820726633071899, 1.0391076803207397, -0.7245107293128967,
        -0.8489086031913757, -0.21534152328968048, -1.8157286643981934, -0.3452419638633728,
        -2.0614778995513916, 0.6741006970405579, -1.3233457803726196, -1.3597689867019653,
        -0.866701602935791,
      ]),
    );
  });

  it("a non-contiguous normal_ takes the scalar path even from 16 values", () => {
    const g = new Generator(7);
    const out = fill32(20, (o) => g.normal_(o, 0, 20, 0, 1, "float32", false));
    expect(Array.from(out.subarray(0, 5))).toEqual(f32s(fixtureCase("randn/5").output?.data ?? []));
    expect(Array.from(out.subarray(15))).toEqual(
      f32s([
        1.3470226526260376, 2.4382081031799316, 0.2027582824230194, 2.4505412578582764,
        2.025601863861084,
      ]),
    );
  });

  it("caches the second Box-Muller sample across calls; manualSeed drops it", () => {
    const g = new Generator(7);
    const one = new Float32Array(1);
    g.normal_(one, 0, 1, 0, 1, "float32");
    const next = fill32(2, (o) => g.normal_(o, 0, 2, 0, 1, "float32"));
    expect(Array.from(next)).toEqual(f32s([0.7861412763595581, 0.9468216300010681]));
    g.manualSeed(7);
    const fresh = fill32(2, (o) => g.normal_(o, 0, 2, 0, 1, "float32"));
    expect(Array.from(fresh)).toEqual(f32s([-0.1467950940132141, 0.7861412763595581]));
  });

  it("bernoulli_ with a Python float p draws 53-bit uniforms", () => {
    const g = new Generator(7);
    const out = fill32(10, (o) => g.bernoulli_(o, 0, 10, 0.3, "float32"));
    expect(Array.from(out)).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it("bernoulliTensor_ follows per-element float32 probabilities", () => {
    const g = new Generator(7);
    const probs = new Float32Array([0.1, 0.5, 0.9, 0.2, 0.7]);
    const out = fill32(5, (o) => g.bernoulliTensor_(o, 0, 5, probs, 0));
    expect(Array.from(out)).toEqual([0, 1, 1, 0, 1]);
  });

  it("randint switches to random64 for ranges of 2^32 and more", () => {
    const g = new Generator(7);
    const out = fill64(3, (o) => g.randint_(o, 0, 3, -3, 2 ** 40));
    expect(Array.from(out)).toEqual([752591849969, 108704903085, 291942178318]);
  });

  it("writes at outOffset and leaves the rest alone", () => {
    const g = new Generator(7);
    const out = new Float32Array(8).fill(-9);
    g.uniform_(out, 2, 5, 0, 1, "float32");
    expect(Array.from(out.subarray(0, 2))).toEqual([-9, -9]);
    expect(out[7]).toBe(-9);
    expect(Array.from(out.subarray(2, 7))).toEqual(f32s(fixtureCase("rand/5").output?.data ?? []));
  });

  it("getState / setState round-trips the engine and the cached normal", () => {
    const g = new Generator(11);
    g.normal_(new Float64Array(3), 0, 3, 0, 1, "float64");
    g.uniform_(new Float32Array(700), 0, 700, 0, 1, "float32");
    const saved = g.getState();
    expect(saved.length).toBe(5056);
    const a = fill32(3, (o) => g.normal_(o, 0, 3, 0, 1, "float32"));
    const h = new Generator().setState(saved);
    const b = fill32(3, (o) => h.normal_(o, 0, 3, 0, 1, "float32"));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(a)).toEqual(
      f32s([-1.3022973537445068, -2.0089659690856934, -1.342806339263916]),
    );
    expect(h.initialSeed()).toBe(11n);
  });

  it("rejects invalid arguments as PyTorch does", () => {
    const g = new Generator(0);
    const out = new Float32Array(4);
    expect(() => g.uniform_(out, 0, 4, 1, 0, "float32")).toThrow(RangeError);
    expect(() => g.normal_(out, 0, 4, 0, -1, "float32")).toThrow(RangeError);
    expect(() => g.randint_(out, 0, 4, 3, 3)).toThrow(RangeError);
    expect(() => g.bernoulli_(out, 0, 4, 1.5)).toThrow(RangeError);
    expect(() => g.setState(new Uint8Array(10))).toThrow(RangeError);
    expect(() => g.manualSeed(0.5)).toThrow(TypeError);
  });

  it("manualSeed seeds and returns the default generator", () => {
    expect(manualSeed(7)).toBe(defaultGenerator);
    expect(defaultGenerator.initialSeed()).toBe(7n);
    expect(defaultGenerator.random()).toBe(new Generator(7).random());
  });
});
