import { defineConfig } from '@playwright/test';

// E2E in Debian's Chromium (a test tool's own browser download does not work here) against a
// production build of the console, serving the real lab on 127.0.0.1:3100.
const PORT = Number(process.env.LVS_E2E_PORT ?? 3100);
// The configured webhook's receiver (e2e/webhook-receiver.mjs); e2e/write-config.ts reads the same.
const HOOK_PORT = Number(process.env.LVS_E2E_WEBHOOK_PORT ?? 3199);

export default defineConfig({
  testDir: 'e2e',
  // auth.setup.ts logs the e2e accounts in first; specs run as the operator unless they say otherwise.
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts$/ },
    { name: 'console', testMatch: '**/*.spec.ts', dependencies: ['setup'], use: { storageState: 'test-results/e2e-auth/operator.json' } },
  ],
  // A forgotten test.only would silently skip every other spec: refused in CI (.ci/run sets CI).
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e-artifacts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `node e2e/webhook-receiver.mjs ${HOOK_PORT}`,
      url: `http://127.0.0.1:${HOOK_PORT}/__health`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      command: `bash e2e/serve.sh ${PORT}`,
      url: `http://127.0.0.1:${PORT}/api/health`,
      timeout: 600_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
