import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start their own nats-server on random loopback ports, so files can run in
    // parallel. The machine has 2 cores, but the long tests mostly wait (servers, links, backoffs):
    // 3 workers keep the suite near 5.5 minutes where 2 took 7.
    pool: 'forks',
    maxWorkers: 3,
    // Handler failures are expected in many tests; keep their warnings out of the report.
    env: { CAIRN_LOG_LEVEL: 'error' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
