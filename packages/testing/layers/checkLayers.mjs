#!/usr/bin/env node
// The layering check: every import of every package is checked against the allowed package
// graph, against the package's declared dependencies, and against the rule that library code
// uses no Node-only API outside its platform adapter (files named `platform*.ts`) and tests.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Which of our packages each package may import. */
export const ALLOWED = {
  "@x/storage": [],
  "@x/kernels-wasm": ["@x/storage"],
  "@x/autograd": ["@x/storage"],
  "@x/nn": ["@x/autograd", "@x/storage"],
  "@x/optim": ["@x/autograd", "@x/storage"],
  x: ["@x/storage", "@x/kernels-wasm", "@x/autograd", "@x/nn", "@x/optim"],
  "@x/testing": ["@x/storage", "@x/kernels-wasm", "@x/autograd", "@x/nn", "@x/optim", "x"],
  "@x/bench": ["@x/storage", "@x/kernels-wasm", "@x/autograd", "@x/nn", "@x/optim", "x"],
  "@x/browser-test": ["@x/storage", "@x/kernels-wasm", "@x/autograd", "@x/nn", "@x/optim", "x"],
};

/** Packages that may use Node APIs anywhere (tooling, not library code). */
const NODE_OK = new Set(["@x/testing", "@x/bench"]);
const OURS = new Set(Object.keys(ALLOWED));
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const IMPORT_RE =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(m|c)?[jt]sx?$/.test(name) && !name.endsWith(".d.ts")) yield p;
  }
}

function packageOf(spec) {
  if (spec.startsWith("@")) return spec.split("/").slice(0, 2).join("/");
  return spec.split("/")[0];
}

/** Returns the violations found under `root/packages`, as `{ file, spec, rule }`. */
export function checkLayers(root) {
  const violations = [];
  const pkgsDir = join(root, "packages");
  for (const dirName of readdirSync(pkgsDir)) {
    const pkgDir = join(pkgsDir, dirName);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    const name = manifest.name;
    const allowed = ALLOWED[name];
    if (allowed === undefined) {
      violations.push({
        file: join(pkgDir, "package.json"),
        spec: name,
        rule: `package ${name} is not in the layer graph`,
      });
      continue;
    }
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const srcDir = join(pkgDir, "src");
    let files = [];
    try {
      files = [...sourceFiles(srcDir)];
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8").replace(
        /\/\*[\s\S]*?\*\/|(^|[^:"'`])\/\/.*$/gm,
        "$1",
      );
      const isTest =
        /\.test(-d)?\.[cm]?[jt]s$/.test(file) ||
        file.includes(`${sep}test${sep}`) ||
        file.includes(`${sep}testdata${sep}`);
      const isPlatform = /[\\/]platform[^\\/]*\.[cm]?[jt]s$/.test(file);
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3];
        const rel = relative(root, file);
        if (spec.startsWith(".")) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(pkgDir + sep)) {
            violations.push({
              file: rel,
              spec,
              rule: `relative import leaves package ${name}; import the package by name`,
            });
          }
          continue;
        }
        if (BUILTINS.has(spec)) {
          if (!NODE_OK.has(name) && !isTest && !isPlatform) {
            violations.push({
              file: rel,
              spec,
              rule: `library code of ${name} must not use Node-only APIs outside a platform adapter (platform*.ts)`,
            });
          }
          continue;
        }
        const pkg = packageOf(spec);
        if (pkg === name) continue;
        if (OURS.has(pkg)) {
          if (!allowed.includes(pkg)) {
            violations.push({
              file: rel,
              spec,
              rule: `${name} may import only ${allowed.length ? allowed.join(", ") : "no package of ours"} (layers import only downward)`,
            });
            continue;
          }
        }
        if (!declared.has(pkg) && !(isTest && pkg === "vitest")) {
          violations.push({
            file: rel,
            spec,
            rule: `${pkg} is not declared in the dependencies of ${name}`,
          });
        }
      }
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const v = checkLayers(root);
  for (const { file, spec, rule } of v)
    console.error(`layering: ${file}: import "${spec}": ${rule}`);
  if (v.length > 0) {
    console.error(`layering check failed: ${v.length} violation(s)`);
    process.exit(1);
  }
  console.log("layering check: every import follows the layer graph");
}
