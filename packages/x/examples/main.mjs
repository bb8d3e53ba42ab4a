// The main job. Until training lands (issue 4) it is a real demo of the raw layer: seeded random
// arrays that equal PyTorch's, views that share storage, promotion, and PyTorch's printing.
import * as x from "x";

x.manualSeed(7);
const a = x.rand([2, 4]);
console.log("x.manualSeed(7); x.rand([2, 4]) — the same numbers as torch.rand(2, 4):");
console.log(String(a));

const t = a.t();
console.log("a.t() is a view: shares storage =", t.storage === a.storage, "strides =", t.strides);

const b = x.binary("mul", a, 2);
x.copyInto(a.select(0, 0), 0);
console.log("after zeroing row 0 through a view, version =", a.storage.version);
console.log(String(a));
console.log("a * 2 (computed before):", String(b));
console.log("int32 + 2.5 →", x.binary("add", x.fromArray([1, 2], "int32"), 2.5).dtype);
try {
  a.requiresGrad = true;
} catch (e) {
  console.log("a.requiresGrad = true →", `${e.constructor.name}: ${e.message}`);
}
