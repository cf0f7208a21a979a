import { defineConfig } from 'vitest/config';
import path from 'node:path';

// Two projects: fast pure unit tests, and integration tests against the real lab VM
// (files named *.lab.test.ts; the lab is booted once by lab/global-setup.ts).
const alias = {
  '@': path.resolve(__dirname),
  // `server-only` throws outside a React Server bundle; in Node tests it is a no-op.
  'server-only': path.resolve(__dirname, 'lib/testing/server-only-stub.ts'),
};

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
