import { defineConfig } from 'vitest/config';

// One run covers every workspace: unit tests sit beside the code, cross-cutting suites live in test/.
export default defineConfig({
  // Backend pages use Hono's JSX; forge/ files opt into React with a @jsxImportSource pragma.
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['{backend,sandbox,shared,forge,test}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**'],
    // Tests drive time themselves (injectable clocks, the Forge platform's manual scheduler); these limits only
    // stop a hung test, so they sit far above what a loaded machine needs and no test waits on them.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Migrates the database templates every test database is copied from, once per run.
    globalSetup: ['test/support/global-setup.ts'],
    // expect.poll is kept for work that runs on its own (the job queue's worker); its default 1 s is too tight.
    expect: { poll: { timeout: 60_000, interval: 20 } },
    pool: 'forks',
    // Both cores: many files spend their time waiting on child processes, sockets and databases, and the suite
    // is deterministic under load (it passes three times in a row beside a second copy of itself).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
