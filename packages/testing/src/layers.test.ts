import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without type declarations
import { checkLayers } from "../layers/checkLayers.mjs";

type Violation = { file: string; spec: string; rule: string };
const check = checkLayers as (root: string) => Violation[];

const tmp = mkdtempSync(join(tmpdir(), "layers-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pkg(
  root: string,
  dir: string,
  name: string,
  deps: Record<string, string>,
  files: Record<string, string>,
) {
  mkdirSync(join(root, "packages", dir, "src"), { recursive: true });
  writeFileSync(
    join(root, "packages", dir, "package.json"),
    JSON.stringify({ name, dependencies: deps }),
  );
  for (const [f, text] of Object.entries(files))
    writeFileSync(join(root, "packages", dir, "src", f), text);
}

describe("layering check", () => {
  it("passes on this repository", () => {
    expect(check(resolve(__dirname, "../../.."))).toEqual([]);
  });

  it("catches an upward import, an undeclared sibling, a Node API and an escaping path", () => {
    const root = join(tmp, "bad");
    pkg(
      root,
      "storage",
      "@x/storage",
      {},
      {
        "a.ts": 'import { Tensor } from "@x/autograd";\nimport { readFileSync } from "node:fs";\n',
        "b.test.ts": 'import { readFileSync } from "node:fs";\n',
        "platformNode.ts": 'import { Worker } from "node:worker_threads";\n',
      },
    );
    pkg(
      root,
      "autograd",
      "@x/autograd",
      {},
      {
        "c.ts": 'import { NDArray } from "@x/storage";\nexport * from "../../storage/src/a.js";\n',
      },
    );
    const v = check(root);
    const rules = v.map((x) => `${x.file} ${x.spec}`);
    expect(rules).toContain(`${join("packages/storage/src/a.ts")} @x/autograd`);
    expect(rules).toContain(`${join("packages/storage/src/a.ts")} node:fs`);
    expect(rules).toContain(`${join("packages/autograd/src/c.ts")} @x/storage`);
    expect(rules).toContain(`${join("packages/autograd/src/c.ts")} ../../storage/src/a.js`);
    expect(v.find((x) => x.spec === "@x/autograd")!.rule).toMatch(
      /may import only no package of ours/,
    );
    expect(v.find((x) => x.file.endsWith("c.ts") && x.spec === "@x/storage")!.rule).toMatch(
      /not declared/,
    );
    expect(v).toHaveLength(4);
  });
});
