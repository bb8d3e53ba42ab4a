// The main job: train the digits model (the UCI digits set beside the repository, 8×8 images)
// as a PyTorch user would — a small CNN, Adam, cross-entropy, 10 epochs on rows 0–1499 — then
// report the accuracy on the held-out rows 1500–1796.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as x from "x";

const here = dirname(fileURLToPath(import.meta.url));
const csv = gunzipSync(
  readFileSync(resolve(here, "../../../../shared/data/digits.csv.gz")),
).toString("utf8");
const rows = csv
  .trim()
  .split("\n")
  .map((l) => l.split(",").map(Number));
const pixels = new Float32Array(rows.length * 64);
rows.forEach((r, i) => {
  for (let j = 0; j < 64; j++) pixels[i * 64 + j] = r[j] / 16;
});
const labels = rows.map((r) => r[64]);

function batch(idx) {
  const xs = new Float32Array(idx.length * 64);
  idx.forEach((r, i) => {
    xs.set(pixels.subarray(r * 64, r * 64 + 64), i * 64);
  });
  return [
    x.tensor(xs).view(idx.length, 1, 8, 8),
    x.tensor(
      idx.map((r) => labels[r]),
      { dtype: "int64" },
    ),
  ];
}

class DigitsCNN extends x.nn.Module {
  conv1 = new x.nn.Conv2d(1, 16, 3, { padding: 1 });
  conv2 = new x.nn.Conv2d(16, 32, 3, { padding: 1 });
  pool = new x.nn.MaxPool2d(2);
  fc1 = new x.nn.Linear(512, 64);
  fc2 = new x.nn.Linear(64, 10);
  forward(input) {
    let h = this.conv1(input).relu();
    h = this.pool(this.conv2(h).relu()).flatten(1);
    return this.fc2(this.fc1(h).relu());
  }
}

x.manualSeed(0);
const model = new DigitsCNN();
const opt = new x.optim.Adam(model.parameters(), { lr: 1e-3 });
const train = Array.from({ length: 1500 }, (_, i) => i);
const test = Array.from({ length: rows.length - 1500 }, (_, i) => 1500 + i);
console.log(`backend: ${x.getBackend().name}`);
console.log(String(model));
const start = performance.now();
for (let epoch = 0; epoch < 10; epoch++) {
  const order = x.randperm(train.length).tolist();
  let total = 0;
  for (let i = 0; i < order.length; i += 32) {
    x.tidy(() => {
      const [xs, ys] = batch(order.slice(i, i + 32));
      const loss = x.F.crossEntropy(model(xs), ys);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item() * xs.shape[0];
    });
  }
  console.log(`epoch ${epoch + 1}: loss ${(total / train.length).toFixed(4)}`);
}
const seconds = (performance.now() - start) / 1000;
model.eval();
const acc = x.noGrad(() => {
  const [xs, ys] = batch(test);
  return model(xs).argmax(1).eq(ys).sum().item() / test.length;
});
console.log(
  `trained 10 epochs in ${seconds.toFixed(2)} s; test accuracy (rows 1500–1796): ${(acc * 100).toFixed(2)}%`,
);
