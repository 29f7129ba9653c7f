import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: more workers only add contention for the CDK synth and the sandbox sockets.
    maxWorkers: 2,
  },
});
