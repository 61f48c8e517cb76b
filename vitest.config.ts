import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', 'web/**'],
    globalSetup: ['test/global-setup.ts'],
    // Each test file gets its own database cloned from a migrated template,
    // so files can run in parallel without sharing state.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
