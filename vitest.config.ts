import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default on two cores is one worker; the suite waits on fakes, timers and child
    // processes far more than on the CPU, so two files side by side halve it (about 3 instead of 5+ minutes).
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'test-output/junit.xml' },
  },
});
