import { defineConfig } from 'vitest/config';
import path from 'node:path';

// Two projects: fast pure unit tests, and integration tests against the real lab VM
// (files named *.lab.test.ts; the lab is booted once by lab/global-setup.ts).
const alias = {
  '@': path.resolve(__dirname),
  // `server-only` throws outside a React Server bundle; in Node tests it is a no-op.
  'server-only': path.resolve(__dirname, 'lib/testing/server-only-stub.ts'),
};

/** The suites that exercise the stores (server/testing/test-db.ts picks the backend). */
const STORE_SUITES = [
  'server/db/*.test.ts',
  'server/auth/store.test.ts',
  'server/audit/log.test.ts',
  'server/audit/refusals.test.ts',
  'server/drain/intent-store.test.ts',
  'server/drain/drain-service.test.ts',
  'server/haproxy/hold-store.test.ts',
  'server/haproxy/service.test.ts',
  'server/haproxy/reconcile.test.ts',
  'server/maintenance/store.test.ts',
  'server/events/store.test.ts',
  'server/collector/history.test.ts',
  'server/rollout/service.test.ts',
  'server/api/admin.test.ts',
  'server/leases/*.test.ts',
  'bin/commands/store.test.ts',
  'server/webhooks/delivery-store.test.ts',
];

export default defineConfig({
  resolve: { alias },
  test: {
    // A forgotten .only would silently skip the rest of the suite: refused in CI (.ci/run sets CI).
    allowOnly: !process.env.CI,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{lib,server,bin,components,app}/**/*.test.{ts,tsx}', 'proxy.test.ts'],
          exclude: ['**/*.lab.test.ts', 'node_modules/**'],
          environment: 'node',
          // Time-outs, not timed assertions: a busy 2-core CI machine (the lab VM beside it) can be
          // several times slower than a quiet one, and module imports dominate some tests.
          testTimeout: 30_000,
        },
      },
      {
        // The store suites again, on a real PostgreSQL server (Debian's, started on a Unix socket by
        // server/testing/postgres-global-setup.ts): the same tests pass on both backends (#16).
        resolve: { alias },
        test: {
          name: 'store-pg',
          include: STORE_SUITES,
          exclude: ['**/*.lab.test.ts', 'node_modules/**'],
          environment: 'node',
          env: { LVS_TEST_STORE: 'postgres' },
          globalSetup: ['server/testing/postgres-global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'lab',
          include: ['**/*.lab.test.ts'],
          exclude: ['node_modules/**', 'lab/.state/**'],
          environment: 'node',
          globalSetup: ['lab/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
