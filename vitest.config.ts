import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: tests must pass with the machine busy (a benchmark on the other core), not only when it is quiet.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
