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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
