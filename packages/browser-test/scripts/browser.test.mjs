// The browser test: bundles the page, serves it in both modes, drives Debian's Chromium headless
// with playwright-core and asserts what the page reports. Needs /usr/bin/chromium (or
// CHROMIUM_PATH); without it, says how to install it and exits 1. Run: `pnpm test:browser`.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { bundlePage, serve } from "./serve.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.error(
    `@x/browser-test: no Chromium at ${CHROMIUM}.\n` +
      "Install Debian's: apt-get update && apt-get install -y chromium\n" +
      "(or set CHROMIUM_PATH to a Chromium binary), then run: pnpm test:browser",
  );
  process.exit(1);
}
const { chromium } = await import("playwright-core");

/**
 * Flags for this closed network: no background connections, no GPU. Playwright adds --headless
 * (headless: true) and --user-data-dir (the fresh directory given to launchPersistentContext).
 */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ONE_THREAD = "@x/kernels-wasm: running on one thread";

let server;
let context;
let userDataDir;

before(async () => {
  server = await serve(await bundlePage());
  userDataDir = mkdtempSync(join(tmpdir(), "x-browser-test-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** Loads the page of `mode` and waits for its result; also returns its workers and errors. */
async function run(mode) {
  const page = await context.newPage();
  const errors = [];
  let workers = 0;
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("worker", () => workers++);
  try {
    await page.goto(server.url(mode));
    await page.waitForFunction(
      () => window.__result !== undefined || window.__error !== undefined,
      null,
      {
        timeout: 180_000,
      },
    );
    const { result, error } = await page.evaluate(() => ({
      result: window.__result,
      error: window.__error,
    }));
    console.log(`${mode}: ${JSON.stringify(result ?? error)}`);
    assert.equal(error, undefined, `the page threw: ${error}`);
    return { r: result, workers, errors };
  } finally {
    await page.close();
  }
}

/** The checks both modes share: WASM picked, and its numbers match the reference backend's. */
function checkNumbers(r) {
  assert.equal(r.backend, "wasm");
  assert.equal(r.features.simd, true);
  assert.equal(r.defaultNumThreads, r.hardwareConcurrency, "default threads = logical processors");
  assert.equal(r.numThreads, Math.max(2, r.defaultNumThreads));
  assert.ok(r.matmul.maxAbs > 1, "the product is not trivial");
  assert.ok(
    r.matmul.maxAbsDiff <= 1e-5 * r.matmul.maxAbs,
    `matmul differs from the reference by ${r.matmul.maxAbsDiff} (scale ${r.matmul.maxAbs})`,
  );
  assert.equal(r.losses.wasm.length, 5);
  r.losses.wasm.forEach((l, i) => {
    const ref = r.losses.reference[i];
    assert.ok(Math.abs(l - ref) <= 1e-5 * Math.abs(ref), `loss ${i}: wasm ${l}, reference ${ref}`);
  });
  assert.ok(r.losses.wasm[4] < r.losses.wasm[0], "training lowers the loss");
  assert.deepEqual(
    r.checks.map((c) => c.name),
    ["conv2d", "elementwise", "matmul after growth"],
  );
  for (const c of r.checks) {
    assert.ok(c.maxAbs > 0.1, `${c.name}: the result is not trivial`);
    assert.ok(
      c.maxAbsDiff <= 1e-5 * c.maxAbs,
      `${c.name} differs from the reference by ${c.maxAbsDiff} (scale ${c.maxAbs})`,
    );
  }
  assert.ok(r.memoryBytes.after > r.memoryBytes.before, "the checks grew the WASM memory");
}

/** The checks of the isolated modes: threads exist and large kernels use every one. */
function checkThreaded(r) {
  assert.equal(r.crossOriginIsolated, true);
  assert.equal(r.features.threads, true);
  assert.equal(r.threadsUnavailable, null);
  checkNumbers(r);
  assert.equal(r.threadsUsed, r.numThreads, "a large kernel gets every thread once they are ready");
  for (const c of r.checks) assert.equal(c.threads, r.numThreads, `${c.name} runs on threads`);
  assert.deepEqual(
    r.warnings.filter((w) => w.startsWith(ONE_THREAD)),
    [],
  );
}

describe("x in headless Chromium", () => {
  test("cross-origin isolated: the WASM backend runs kernels on worker threads", async () => {
    const { r, workers, errors } = await run("isolated");
    assert.deepEqual(errors, []);
    assert.equal(r.inWorker, false);
    checkThreaded(r);
    assert.equal(workers, r.numThreads - 1, "one Web Worker per thread beside the page's");
  });

  test("in a dedicated worker of an isolated page: threads too", async () => {
    const { r, workers, errors } = await run("worker");
    assert.deepEqual(errors, []);
    assert.equal(r.inWorker, true);
    checkThreaded(r);
    assert.equal(workers, r.numThreads, "the page's worker, and one per other thread");
  });

  test("not isolated: one thread, and one warning that says why", async () => {
    const { r, workers, errors } = await run("plain");
    assert.deepEqual(errors, []);
    assert.equal(r.inWorker, false);
    assert.equal(r.crossOriginIsolated, false);
    assert.equal(r.features.threads, false);
    assert.match(r.threadsUnavailable, /SharedArrayBuffer is not available/);
    checkNumbers(r);
    assert.equal(r.threadsUsed, 1);
    for (const c of r.checks) assert.equal(c.threads, 1, `${c.name} runs on the page's thread`);
    assert.equal(workers, 0);
    const said = r.warnings.filter((w) => w.startsWith(ONE_THREAD));
    assert.equal(said.length, 1, `warnings: ${JSON.stringify(r.warnings)}`);
    assert.equal(r.warnings.length, 1, `warnings: ${JSON.stringify(r.warnings)}`);
    assert.match(said[0], /SharedArrayBuffer is not available/);
    // said by setNumThreads(n > 1) where the page called it, else by the first large kernel
    assert.equal(r.warningsAfter.setup, r.setNumThreads ? 1 : 0);
    assert.equal(r.warningsAfter.firstLargeKernel, 1);
  });
});
