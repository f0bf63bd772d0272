import { defineConfig } from 'vitest/config';

// `npm run test:slow`: exactly the *.slow.test.ts suites (SIGKILL and restarts of server/main.ts, fault-rate
// soaks), one file at a time so their timings do not disturb each other; prints each suite's duration.
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts', 'server/**/*.slow.test.ts', 'web/src/**/*.slow.test.{ts,tsx}'],
    exclude: ['node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default', './test/helpers/suite-duration-reporter.ts'],
  },
});
