import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    // Two cores: one file per core. Every file that touches Redis or Postgres isolates itself
    // (own database cloned from a migrated template, own queue prefix), so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
