import { defineConfig } from "vitest/config";

// Two projects: fast pure-logic tests, and integration tests that share one real local
// control plane started by the global setup (tests isolate themselves by namespace).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Pure logic without module state: files share a worker's module graph instead of
          // importing everything again per file (import was ~45 % of the unit run).
          isolate: false,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files run one at a time: the operator is cluster-wide, so two controllers (or two
          // webhooks on the authenticator's port) would fight over the same objects.
          fileParallelism: false,
        },
      },
    ],
  },
});
