import { defineConfig } from "tsup";

// The runner is built into dist/ and run with plain node. x's packages, onnxruntime-node (native)
// and jax-js stay external; tfjs is bundled from its ES modules (see src/systems/tfjs.ts), and
// its emscripten glue needs CommonJS's `require` and `__dirname`, which the banner provides.
export default defineConfig({
  entry: ["src/main.ts", "src/child.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  clean: true,
  sourcemap: false,
  dts: false,
  splitting: true,
  external: ["x", /^@x\//, "onnxruntime-node", "@jax-js/jax"],
  noExternal: [/^@tensorflow\//],
  esbuildOptions(options) {
    options.mainFields = ["module", "main"];
  },
  banner: {
    js: [
      'import { createRequire as __benchCreateRequire } from "node:module";',
      'import { fileURLToPath as __benchFileURLToPath } from "node:url";',
      'import { dirname as __benchDirname } from "node:path";',
      "const require = __benchCreateRequire(import.meta.url);",
      "const __filename = __benchFileURLToPath(import.meta.url);",
      "const __dirname = __benchDirname(__filename);",
    ].join("\n"),
  },
});
