import { defineConfig } from 'vitest/config';

// One run covers unit, integration (real redis-server) and end-to-end (real simulator) suites.
// Workspace packages resolve to their TypeScript sources through the `@lockstep/source` export condition.
export default defineConfig({
  resolve: { conditions: ['@lockstep/source'] },
  ssr: { resolve: { conditions: ['@lockstep/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    // Most end-to-end files wait on real processes and clocks rather than compute: run more of them than cores (three: more exposes timing races).
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
