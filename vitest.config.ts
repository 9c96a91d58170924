import { defineConfig } from 'vitest/config';

// Test levels are named in the file name (DESIGN.md style rule 6): *.unit.test.ts, *.int.test.ts, *.e2e.test.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
