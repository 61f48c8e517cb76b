import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node's own loader, which
    // runs Pothos and yoga here, picks the CJS build; Vite would pick the ESM
    // one for our files, and two graphql realms refuse each other's types.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
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
