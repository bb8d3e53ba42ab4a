import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 120_000,
    setupFiles: ["src/setupBackend.ts"],
  },
});
