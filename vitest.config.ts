import { defineConfig } from 'vitest/config';

// Test levels are named in the file name (DESIGN.md style rule 6): *.unit.test.ts, *.int.test.ts, *.e2e.test.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    // The browser client is built once before any test file starts (the service serves dist/web).
    globalSetup: ['test/support/webBuildSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time even on two cores (vitest would run one: cores - 1): most files wait on Kafka, Redis,
    // browsers or child processes rather than compute, and every suite keeps to topics, key prefixes and data
    // folders of its own. TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.TEST_WORKERS ?? 2),
    reporters: ['default'],
  },
});
