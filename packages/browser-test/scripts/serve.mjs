// Bundles the page script (src/page.ts, with x's sources) for the browser and serves it from a
// tiny HTTP server on 127.0.0.1 in three modes: /isolated/ (COOP same-origin + COEP
// require-corp, so SharedArrayBuffer and worker threads exist), /worker/ (isolated too, the page
// script run in a dedicated module worker, whose thread may block) and /plain/ (not cross-origin
// isolated, so the WASM backend must fall back to one thread and say why once).
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** The headers that make a document cross-origin isolated. */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * Bundles src/page.ts as one ES module for browsers; x's packages are taken from their sources
 * (the "source" export condition), so nothing needs building first. A Node builtin imported
 * anywhere on the way fails the bundle (platform "browser").
 */
export async function bundlePage() {
  const result = await build({
    entryPoints: [resolve(here, "../src/page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["source"],
    sourcemap: "inline",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

const page = (script) => `<!doctype html>
<html><head><meta charset="utf-8"><title>x browser test</title></head>
<body><p>x browser test</p><script type="module">${script}</script></body></html>
`;
const html = {
  isolated: page('import "./page.js";'),
  plain: page('import "./page.js";'),
  worker: page(`
const w = new Worker("page.js", { type: "module" });
w.onmessage = (e) => { window.__result = e.data.result; window.__error = e.data.error; };
w.onerror = (e) => { window.__error = "the worker failed: " + e.message; };`),
};

/**
 * Serves `script` as /<mode>/page.js, mode one of isolated, worker, plain, on 127.0.0.1 (a random
 * port).
 * Resolves to `{ url(mode), close() }`.
 */
export async function serve(script) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const m = /^\/(isolated|worker|plain)\/(page\.js)?$/.exec(path);
    if (!m) {
      res.writeHead(path === "/favicon.ico" ? 204 : 404, { "Cache-Control": "no-store" });
      res.end();
      return;
    }
    const headers = {
      "Cache-Control": "no-store",
      "Content-Type": m[2] ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8",
      ...(m[1] === "plain" ? {} : ISOLATION_HEADERS),
    };
    res.writeHead(200, headers);
    res.end(m[2] ? script : html[m[1]]);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    url: (mode) => `http://127.0.0.1:${port}/${mode}/`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
