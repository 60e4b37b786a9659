import { defineConfig } from 'vitest/config';

// One run covers every workspace: unit tests sit beside the code, cross-cutting suites live in test/.
export default defineConfig({
  // Backend pages use Hono's JSX; forge/ files opt into React with a @jsxImportSource pragma.
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['{backend,sandbox,shared,forge,test}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
