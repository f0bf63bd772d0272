import { defineConfig } from 'vitest/config';

// `npm test`: everything except the long crash/soak/process-restart suites (*.slow.test.ts), which
// `npm run test:slow` runs (vitest.slow.config.ts) and CI runs as well.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    exclude: ['test/e2e/**', 'node_modules/**', '**/*.slow.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/helpers/global-setup.ts'],
    pool: 'forks',
    // Most test time is waiting on sockets, timers and PGlite, not CPU: two files at once keep 2 cores busy.
    maxWorkers: 2,
  },
});
