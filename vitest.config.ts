import path from 'node:path';
import { defineConfig } from 'vitest/config';

const shared = {
  resolve: {
    alias: {
      // `server-only` throws outside React Server Components; tests are server code too.
      'server-only': path.resolve('test/server-only-stub.ts'),
      '@': path.resolve('.'),
    },
  },
};
const roots = ['lib', 'app', 'scripts'];

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          // test/ too: the self-tests of the test helpers (e.g. test/fault-evidence.test.ts).
          include: [...roots, 'test'].map((root) => `${root}/**/*.test.ts`),
          exclude: ['**/*.int.test.ts', '**/*.cluster.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...shared,
        test: {
          // Integration tests run against a real PostgreSQL (embedded unless DATABASE_URL is set);
          // test/ holds those that drive app/ routes, pages and actions in-process.
          name: 'integration',
          include: [...roots, 'test'].map((root) => `${root}/**/*.int.test.ts`),
          globalSetup: ['test/global-setup.ts'],
          // Every API response the tests receive is validated against the OpenAPI document.
          setupFiles: ['test/openapi-recorder.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          // Storm and fault tests: each file starts its own PostgreSQL and `next start` instances
          // (lib/cluster/cluster.ts) from the production build in .next, so `next build` comes first
          // (scripts/test-all.sh). One file at a time: they are CPU-bound on small machines.
          name: 'cluster',
          include: ['test/**/*.cluster.test.ts'],
          // Every API answer the clients receive is validated against the OpenAPI document.
          setupFiles: ['test/openapi-cluster.setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
