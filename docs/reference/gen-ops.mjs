// Generates docs/reference/ops.md: every op of `x` (functions and Tensor methods) with its
// PyTorch equivalent and the grad_fn it records, observed by running each op once on inputs
// that require grad, plus the derivative table of @x/autograd. Build first, then run with plain
// node:  pnpm turbo run build --filter=x && node docs/reference/gen-ops.mjs
// It fails when an exported op is missing from the list below, so the page cannot go stale.
import { writeFileSync } from "node:fs";

const x = await import(new URL("../../packages/x/dist/index.js", import.meta.url).href);
x.useBackend("reference");

const f64 = { dtype: "float64" };
const u = () =>
  x.tensor(
    [
      [0.2, 0.5, 0.7],
      [0.3, 0.6, 0.4],
    ],
    { ...f64, requiresGrad: true },
  );
const v = () =>
  x.tensor(
    [
      [0.4, 0.3, 0.8],
      [0.9, 0.2, 0.5],
    ],
    { ...f64, requiresGrad: true },
  );
const big = () =>
  x.tensor(
    [
      [1.2, 1.5, 1.7],
      [1.3, 1.6, 1.4],
    ],
    { ...f64, requiresGrad: true },
  );
const nl = () => u().mul(1); // a non-leaf, for in-place ops
const vec = () => x.tensor([0.2, 0.5, 0.7], { ...f64, requiresGrad: true });
const idx = () =>
  x.tensor(
    [
      [0, 2, 1],
      [1, 0, 2],
    ],
    { dtype: "int64" },
  );
const mask = () =>
  x.tensor([
    [true, false, true],
    [false, true, false],
  ]);
const img = () => x.rand([1, 2, 5, 5], { ...f64, requiresGrad: true });
const seq = () => x.rand([1, 2, 6], { ...f64, requiresGrad: true });
const w2 = () => x.rand([3, 2, 3, 3], { ...f64, requiresGrad: true });
const w1 = () => x.rand([3, 2, 3], { ...f64, requiresGrad: true });
const wt2 = () => x.rand([2, 3, 3, 3], { ...f64, requiresGrad: true });
const wt1 = () => x.rand([2, 3, 3], { ...f64, requiresGrad: true });

// [name, PyTorch, run(fn) → output]. `fn` is `x[name]` when exported, else the method. A call
// that makes no sense as a function is written with the method explicitly.
const S = (name, torch, run) => ({ name, torch, run });
const unary = (name, torch, make = u) => S(name, torch, (f) => f(make()));
const binary = (name, torch) => S(name, torch, (f) => f(u(), v()));
const SECTIONS = [
  [
    "Creation",
    "Leaves: pass `{ requiresGrad: true }` (floating dtypes) to make them require grad.",
    [
      S("tensor", "torch.tensor", null),
      S("fromNDArray", "torch.as_tensor (no copy)", null),
      S("zeros", "torch.zeros", null),
      S("ones", "torch.ones", null),
      S("empty", "torch.empty (zero-filled here)", null),
      S("full", "torch.full", null),
      S("arange", "torch.arange", null),
      S("linspace", "torch.linspace", null),
      S("eye", "torch.eye", null),
      S("zerosLike", "torch.zeros_like", null),
      S("onesLike", "torch.ones_like", null),
      S("emptyLike", "torch.empty_like", null),
      S("fullLike", "torch.full_like", null),
      S("rand", "torch.rand", null),
      S("randn", "torch.randn", null),
      S("randint", "torch.randint", null),
      S("randperm", "torch.randperm", null),
      S("randLike", "torch.rand_like", null),
      S("randnLike", "torch.randn_like", null),
      S("randintLike", "torch.randint_like", null),
      S("bernoulli", "torch.bernoulli", (f) => f(u())),
      S("newZeros", "Tensor.new_zeros", null),
      S("newOnes", "Tensor.new_ones", null),
      S("newFull", "Tensor.new_full", null),
      S("newEmpty", "Tensor.new_empty", null),
      S("newTensor", "Tensor.new_tensor", null),
    ],
  ],
  [
    "Pointwise math",
    "",
    [
      ...[
        "neg",
        "abs",
        "sign",
        "exp",
        "exp2",
        "expm1",
        "log",
        "log2",
        "log10",
        "log1p",
        "sqrt",
        "rsqrt",
        "square",
        "reciprocal",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "atanh",
        "sigmoid",
        "erf",
        "erfc",
        "erfinv",
        "ceil",
        "floor",
        "trunc",
        "frac",
      ].map((n) => unary(n, `torch.${n}`)),
      unary("acosh", "torch.acosh", big),
      S("round", "torch.round (`{ decimals }`)", (f) => f(u())),
      S("clamp", "torch.clamp", (f) => f(u(), 0.3, 0.6)),
      S("clip", "torch.clip", (_, t = u()) => t.clip(0.3, 0.6)),
      S("clampMin", "torch.clamp_min", (f) => f(u(), 0.3)),
      S("clampMax", "torch.clamp_max", (f) => f(u(), 0.6)),
    ],
  ],
  [
    "Activations",
    "Also in `x.F` (`x.nn.functional`) with PyTorch's `F` options.",
    [
      unary("relu", "torch.relu"),
      unary("relu6", "F.relu6"),
      S("gelu", "F.gelu (`{ approximate }`)", (f) => f(u())),
      unary("silu", "F.silu"),
      unary("mish", "F.mish"),
      unary("selu", "torch.selu"),
      S("elu", "F.elu", (f) => f(u(), 1)),
      S("celu", "torch.celu", (f) => f(u(), 1)),
      S("leakyRelu", "F.leaky_relu", (f) => f(u(), 0.1)),
      unary("logSigmoid", "F.logsigmoid"),
      unary("softsign", "F.softsign"),
      unary("hardsigmoid", "F.hardsigmoid"),
      unary("hardswish", "F.hardswish"),
      unary("tanhshrink", "F.tanhshrink"),
      S("hardtanh", "F.hardtanh", (f) => f(u())),
      S("softplus", "F.softplus", (f) => f(u())),
      S("hardshrink", "F.hardshrink", (f) => f(u(), 0.3)),
      S("softshrink", "F.softshrink", (f) => f(u(), 0.3)),
      S("threshold", "F.threshold", (f) => f(u(), 0.4, 0)),
      S("softmax", "torch.softmax", (f) => f(u(), 1)),
      S("logSoftmax", "torch.log_softmax", (f) => f(u(), 1)),
    ],
  ],
  [
    "Binary arithmetic",
    "The second operand may be a tensor (broadcast) or a JS number.",
    [
      binary("add", "torch.add (`{ alpha }`)"),
      binary("sub", "torch.sub (`{ alpha }`)"),
      binary("rsub", "torch.rsub"),
      binary("mul", "torch.mul"),
      binary("div", "torch.div (`{ roundingMode }`)"),
      S("div", "torch.div(…, rounding_mode=…)", (f) => f(u(), v(), { roundingMode: "floor" })),
      binary("trueDivide", "torch.true_divide"),
      binary("floorDivide", "torch.floor_divide"),
      binary("pow", "torch.pow (tensor exponent)"),
      S("pow", "torch.pow (number exponent)", (f) => f(u(), 2)),
      S("pow", "torch.pow (number base)", (f) => f(2, u())),
      binary("atan2", "torch.atan2"),
      binary("maximum", "torch.maximum"),
      binary("minimum", "torch.minimum"),
      binary("fmax", "torch.fmax"),
      binary("fmin", "torch.fmin"),
      binary("remainder", "torch.remainder"),
      binary("fmod", "torch.fmod"),
      binary("copysign", "torch.copysign"),
      binary("hypot", "torch.hypot"),
      binary("logaddexp", "torch.logaddexp"),
      binary("xlogy", "torch.xlogy"),
      S("lerp", "torch.lerp", (f) => f(u(), v(), 0.3)),
      S("addcmul", "torch.addcmul (`{ value }`)", (f) => f(u(), v(), u())),
      S("addcdiv", "torch.addcdiv (`{ value }`)", (f) => f(u(), v(), big())),
      S("where", "torch.where(cond, a, b)", (f) => f(mask(), u(), v())),
    ],
  ],
  [
    "Comparison and logic",
    "Bool results, never differentiable.",
    [
      ...["eq", "ne", "lt", "le", "gt", "ge"].map((n) => binary(n, `torch.${n}`)),
      ...["logicalAnd", "logicalOr", "logicalXor"].map((n) => binary(n, `torch.${snake(n)}`)),
      unary("logicalNot", "torch.logical_not"),
      ...["bitwiseAnd", "bitwiseOr", "bitwiseXor"].map((n) =>
        S(n, `torch.${snake(n)}`, (f) => f(mask(), mask())),
      ),
      S("bitwiseNot", "torch.bitwise_not", (f) => f(mask())),
      unary("isnan", "torch.isnan"),
      unary("isinf", "torch.isinf"),
      unary("isfinite", "torch.isfinite"),
      unary("signbit", "torch.signbit"),
      S("isclose", "torch.isclose", (_, a = u()) => a.isclose(v())),
      S("allclose", "torch.allclose (a boolean)", null),
      S("equal", "torch.equal (a boolean)", null),
    ],
  ],
  [
    "Reductions, scans, sorting",
    "`dim` is a number or a list (omitted: every dim); `{ keepdim, dtype }` last. Ops that return values and indices return `[values, indices]` (also `.values`, `.indices`).",
    [
      S("sum", "torch.sum", (f) => f(u(), 1)),
      S("nansum", "torch.nansum", (f) => f(u())),
      S("mean", "torch.mean", (f) => f(u(), 1)),
      S("prod", "torch.prod", (f) => f(u(), 1)),
      S("amax", "torch.amax", (f) => f(u(), 1)),
      S("amin", "torch.amin", (f) => f(u(), 1)),
      S("max", "torch.max()", (f) => f(u())),
      S("max", "torch.max(dim)", (f) => f(u(), 1)),
      S("max", "torch.max(a, b)", (f) => f(u(), v())),
      S("min", "torch.min()", (f) => f(u())),
      S("min", "torch.min(dim)", (f) => f(u(), 1)),
      S("argmax", "torch.argmax", (f) => f(u(), 1)),
      S("argmin", "torch.argmin", (f) => f(u(), 1)),
      S("all", "torch.all", (f) => f(mask())),
      S("any", "torch.any", (f) => f(mask())),
      S("variance", "torch.var", (f) => f(u(), 1)),
      S("var", "Tensor.var", (_, t = u()) => t.var(1)),
      S("std", "torch.std", (f) => f(u(), 1)),
      S("norm", "torch.norm", (f) => f(u())),
      S("logsumexp", "torch.logsumexp", (f) => f(u(), 1)),
      S("cumsum", "torch.cumsum", (f) => f(u(), 1)),
      S("cumprod", "torch.cumprod", (f) => f(u(), 1)),
      S("sort", "torch.sort", (f) => f(u(), 1)),
      S("argsort", "torch.argsort", (f) => f(u(), 1)),
      S("topk", "torch.topk", (f) => f(u(), 2, 1)),
      S("sumToSize", "Tensor.sum_to_size", (f) => f(u(), [1, 3])),
    ],
  ],
  [
    "Views and shape",
    "Views share the input's storage (and version counter).",
    [
      S("view", "Tensor.view", (f) => f(u(), 3, 2)),
      S("viewAs", "Tensor.view_as", (_, t = u()) => t.viewAs(x.zeros(3, 2))),
      S("reshape", "torch.reshape", (f) => f(u(), [3, 2])),
      S("reshapeAs", "Tensor.reshape_as", (_, t = u()) => t.reshapeAs(x.zeros(3, 2))),
      S("permute", "torch.permute", (f) => f(u(), 1, 0)),
      S("transpose", "torch.transpose", (f) => f(u(), 0, 1)),
      S("swapaxes", "torch.swapaxes", (_, t = u()) => t.swapaxes(0, 1)),
      S("t", "torch.t", (f) => f(u())),
      S("T", "Tensor.T (getter)", (_, t = u()) => t.T),
      S("mT", "Tensor.mT (getter)", (_, t = u()) => t.mT),
      S("squeeze", "torch.squeeze", (f) => f(u().unsqueeze(0))),
      S("unsqueeze", "torch.unsqueeze", (f) => f(u(), 0)),
      S("expand", "Tensor.expand", (f) => f(vec(), 2, 3)),
      S("expandAs", "Tensor.expand_as", (f) => f(vec(), u())),
      S("slice", "`t[:, a:b:c]`", (f) => f(u(), 1, 0, 2)),
      S("narrow", "torch.narrow", (f) => f(u(), 1, 1, 2)),
      S("select", "`t[:, i]` / torch.select", (f) => f(u(), 1, 0)),
      S("diagonal", "torch.diagonal", (f) => f(u())),
      S("flatten", "torch.flatten", (f) => f(u())),
      S("unflatten", "torch.unflatten", (f) => f(vec(), 0, [3, 1])),
      S("split", "torch.split", (f) => f(u(), 1, 1)),
      S("chunk", "torch.chunk", (f) => f(u(), 3, 1)),
      S("unbind", "torch.unbind", (f) => f(u())),
      S("contiguous", "Tensor.contiguous", (f) => f(u().t())),
      S("clone", "torch.clone", (f) => f(u())),
      S("detach", "Tensor.detach", (_, t = u()) => t.detach()),
    ],
  ],
  [
    "Joining, copying, indexing",
    "Index tensors are `int64` (or `int32`); masks are `bool`.",
    [
      S("cat", "torch.cat", (f) => f([u(), v()], 0)),
      S("concat", "torch.concat", (f) => f([u(), v()], 1)),
      S("stack", "torch.stack", (f) => f([u(), v()])),
      S("flip", "torch.flip", (f) => f(u(), 1)),
      S("repeat", "Tensor.repeat", (f) => f(u(), 2, 1)),
      S("tril", "torch.tril", (f) => f(u())),
      S("triu", "torch.triu", (f) => f(u())),
      S("pad", "F.pad", (f) => f(u(), [1, 1])),
      S("indexSelect", "torch.index_select", (f) =>
        f(u(), 1, x.tensor([2, 0], { dtype: "int64" })),
      ),
      S("gather", "torch.gather", (f) => f(u(), 1, idx())),
      S("scatter", "torch.scatter", (f) => f(u(), 1, idx(), v())),
      S("scatterAdd", "torch.scatter_add", (f) => f(u(), 1, idx(), v())),
      S("indexAdd", "torch.index_add (`{ alpha }`)", (f) =>
        f(u(), 0, x.tensor([1, 0], { dtype: "int64" }), v()),
      ),
      S("maskedFill", "torch.masked_fill", (f) => f(u(), mask(), 0)),
      S("oneHot", "F.one_hot", (f) => f(x.tensor([0, 2], { dtype: "int64" }), 3)),
    ],
  ],
  [
    "Linear algebra",
    "",
    [
      S("matmul", "torch.matmul", (f) => f(u(), v().t())),
      S("mm", "torch.mm", (f) => f(u(), v().t())),
      S("addmm", "torch.addmm (`{ beta, alpha }`)", (f) =>
        f(x.tensor([0.1, 0.2], { ...f64, requiresGrad: true }), u(), v().t()),
      ),
      S("bmm", "torch.bmm", (f) => f(u().unsqueeze(0), v().t().unsqueeze(0))),
      S("dot", "torch.dot", (f) => f(vec(), vec())),
      S("mv", "torch.mv", (f) => f(u(), vec())),
      S("outer", "torch.outer", (f) => f(vec(), vec())),
      S("einsum", "torch.einsum", (f) => f("ij,kj->ik", u(), v())),
    ],
  ],
  [
    "Convolution, pooling, resampling",
    "Also in `x.F`; the layers are in `x.nn`.",
    [
      S("conv1d", "F.conv1d", (f) => f(seq(), w1(), null)),
      S("conv2d", "F.conv2d", (f) => f(img(), w2(), null)),
      S("convTranspose1d", "F.conv_transpose1d", (f) => f(seq(), wt1(), null)),
      S("convTranspose2d", "F.conv_transpose2d", (f) => f(img(), wt2(), null)),
      S("maxPool1d", "F.max_pool1d", (f) => f(seq(), 2)),
      S("maxPool2d", "F.max_pool2d", (f) => f(img(), 2)),
      S("avgPool2d", "F.avg_pool2d", (f) => f(img(), 2)),
      S("adaptiveAvgPool2d", "F.adaptive_avg_pool2d", (f) => f(img(), 2)),
      S("interpolate", "F.interpolate", (f) => f(img(), { scaleFactor: 2, mode: "bilinear" })),
      S("nllLoss", "F.nll_loss", (f) => f(u().logSoftmax(1), x.tensor([2, 0], { dtype: "int64" }))),
    ],
  ],
  [
    "Conversion",
    "",
    [
      S("to", "Tensor.to(dtype)", (f) => f(u(), "float32")),
      S("type", "Tensor.type(dtype)", (_, t = u()) => t.type("float32")),
      S("float", "Tensor.float", (_, t = u()) => t.float()),
      S("double", "Tensor.double", (_, t = u().float()) => t.double()),
      ...["int", "long", "bool", "byte"].map((n) => S(n, `Tensor.${n}`, (_, t = u()) => t[n]())),
    ],
  ],
  [
    "In-place",
    "On a leaf that requires grad they throw (outside `noGrad`); on other tensors they are recorded and bump the version counter.",
    [
      ...["add_", "sub_"].map((n) => S(n, `Tensor.${n}`, (_, t = nl()) => t[n](v()))),
      ...["mul_", "div_"].map((n) => S(n, `Tensor.${n}`, (_, t = nl()) => t[n](v()))),
      S("pow_", "Tensor.pow_", (_, t = nl()) => t.pow_(2)),
      S("clamp_", "Tensor.clamp_", (_, t = nl()) => t.clamp_(0.3, 0.6)),
      S("clampMin_", "Tensor.clamp_min_", (_, t = nl()) => t.clampMin_(0.3)),
      S("clampMax_", "Tensor.clamp_max_", (_, t = nl()) => t.clampMax_(0.6)),
      ...[
        "neg_",
        "abs_",
        "exp_",
        "log_",
        "sqrt_",
        "square_",
        "reciprocal_",
        "sin_",
        "cos_",
        "sigmoid_",
        "tanh_",
        "relu_",
        "sign_",
        "floor_",
        "ceil_",
        "round_",
        "trunc_",
      ].map((n) => S(n, `Tensor.${n}`, (_, t = nl()) => t[n]())),
      S("lerp_", "Tensor.lerp_", (_, t = nl()) => t.lerp_(v(), 0.3)),
      S("addcmul_", "Tensor.addcmul_", (_, t = nl()) => t.addcmul_(v(), u())),
      S("addcdiv_", "Tensor.addcdiv_", (_, t = nl()) => t.addcdiv_(v(), big())),
      S("fill_", "Tensor.fill_", (_, t = nl()) => t.fill_(1)),
      S("zero_", "Tensor.zero_", (_, t = nl()) => t.zero_()),
      S("copy_", "Tensor.copy_", (_, t = nl()) => t.copy_(v())),
      S("maskedFill_", "Tensor.masked_fill_", (_, t = nl()) => t.maskedFill_(mask(), 0)),
      S("scatter_", "Tensor.scatter_", (_, t = nl()) => t.scatter_(1, idx(), v())),
      S("scatterAdd_", "Tensor.scatter_add_", (_, t = nl()) => t.scatterAdd_(1, idx(), v())),
      S("indexAdd_", "Tensor.index_add_", (_, t = nl()) =>
        t.indexAdd_(0, x.tensor([1, 0], { dtype: "int64" }), v()),
      ),
      S("uniform_", "Tensor.uniform_", (_, t = nl()) => t.uniform_()),
      S("normal_", "Tensor.normal_", (_, t = nl()) => t.normal_()),
      S("bernoulli_", "Tensor.bernoulli_", (_, t = nl()) => t.bernoulli_(0.5)),
    ],
  ],
];

// Exports and methods that are not ops (documented on other pages), and helpers.
const NOT_OPS = new Set(
  `backward detach_ registerHook retainGrad requiresGrad_ item tolist dispose toString size dim
  numel stride storageOffset elementSize isContiguous isFloatingPoint isInference cpu constructor
  enableGrad noGrad setGradEnabled inferenceMode isGradEnabled isInferenceModeEnabled tidy keep
  memory manualSeed getBackend setBackend useBackend getNumThreads setNumThreads getDefaultDType
  setDefaultDType promoteTypes resultType setPrintOptions setTensorName tensorName plain raw
  unaryOp clampBounds viewScatter padBackward`.split(/\s+/),
);

function snake(n) {
  return n.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function outputs(r) {
  if (r instanceof x.Tensor) return [r];
  if (Array.isArray(r)) return r.filter((t) => t instanceof x.Tensor);
  return [];
}

function observe(spec) {
  if (spec.run === null) return "—";
  const f = typeof x[spec.name] === "function" ? x[spec.name] : null;
  const outs = outputs(spec.run(f));
  const names = [...new Set(outs.map((t) => t.gradFn?.name).filter((n) => n !== undefined))];
  if (names.length > 0) return names.map((n) => `\`${n}\``).join(", ");
  const dt = [...new Set(outs.map((t) => t.dtype))].join(", ");
  return dt === "float64" ? "no" : `no (${dt})`;
}

// Every op-like export and method must be listed above.
const protoMembers = new Set();
for (let p = x.Tensor.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
  for (const k of Object.getOwnPropertyNames(p)) if (!k.startsWith("_")) protoMembers.add(k);
}
const fnExports = Object.keys(x).filter((k) => typeof x[k] === "function" && /^[a-z]/.test(k));
const listed = new Set(SECTIONS.flatMap(([, , specs]) => specs.map((s) => s.name)));
const PROPS = new Set(
  "data shape dtype ndim version _version requiresGrad gradFn isLeaf grad retainsGrad isDisposed".split(
    " ",
  ),
);
const unlisted = [...new Set([...fnExports, ...protoMembers])].filter(
  (k) => !listed.has(k) && !NOT_OPS.has(k) && !PROPS.has(k),
);
if (unlisted.length > 0) {
  console.error(`gen-ops: not listed in docs/reference/gen-ops.mjs: ${unlisted.join(", ")}`);
  process.exit(1);
}

const lines = [
  "# Op reference",
  "",
  "<!-- Generated by docs/reference/gen-ops.mjs from the exports of `x` and the derivative table",
  "of @x/autograd. Do not edit by hand: build (`pnpm turbo run build --filter=x`), then run",
  "`node docs/reference/gen-ops.mjs`. -->",
  "",
  "Every tensor op of `x`: the function (`x.sin(t)`) and/or the method (`t.sin()`), PyTorch's",
  "equivalent, and the `gradFn` it records when an input requires grad — observed by running the",
  "op once on `float64` inputs that require grad. **no** means the result does not require grad",
  "(its dtype in parentheses when it is not floating point). Derivatives are written with Tensor",
  "ops, so every differentiable op can be differentiated again (`createGraph`). Neural-network",
  "functions (losses, normalization, attention…) are composites of these ops: see",
  "[functional](nn/functional.md).",
  "",
];
// A Markdown table with padded columns (the layout `biome format` gives).
function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

for (const [title, note, specs] of SECTIONS) {
  lines.push(`## ${title}`, "");
  if (note) lines.push(note, "");
  const rows = specs.map((s) => {
    const forms = [];
    if (typeof x[s.name] === "function") forms.push(`\`x.${s.name}\``);
    if (protoMembers.has(s.name)) forms.push(`\`t.${s.name}\``);
    return [forms.join(" · "), s.torch, observe(s)];
  });
  lines.push(...table(["x", "PyTorch", "grad_fn"], rows), "");
}

lines.push(
  "## Derivative table",
  "",
  "`x.DERIVATIVES` (`packages/autograd/src/derivatives/`): one rule per differentiable primitive,",
  "one formula per tensor input (or `nondifferentiable`). Backward helpers such as",
  "`maxPoolBackward` are ops of their own, so second derivatives work through them.",
  "",
);
const ruleRows = Object.entries(x.DERIVATIVES).map(([op, rule]) => {
  const entries = Object.entries(rule.inputs);
  const diff = entries.filter(([, f]) => f !== "nondifferentiable").map(([k]) => `\`${k}\``);
  const nd = entries.filter(([, f]) => f === "nondifferentiable").map(([k]) => `\`${k}\``);
  const name =
    typeof rule.name === "string"
      ? `\`${rule.name}\``
      : typeof rule.name === "function"
        ? "(depends on the arguments)"
        : `\`${op[0].toUpperCase()}${op.slice(1)}Backward0\``;
  return [`\`${op}\``, diff.join(", ") || "—", nd.join(", ") || "—", name];
});
lines.push(
  ...table(["rule", "inputs with a formula", "nondifferentiable inputs", "node name"], ruleRows),
  "",
);

const out = new URL("./ops.md", import.meta.url);
writeFileSync(out, lines.join("\n"));
console.log(`wrote ${out.pathname}`);
