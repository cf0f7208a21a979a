import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import YAML from 'yaml';
import { E2E_USERS, storageStateFile } from './users';

// Secrets never leave the server: not in the built client bundle (.next/static, which this run's
// server was built into), and not in any API answer.

const ROOT = path.resolve(__dirname, '..');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
}

interface E2eConfig {
  auth: { users: { passwordHash: string }[] };
  clusters: { directors: { privateKeyPath?: string; passphrase?: string }[] }[];
  webhooks?: { url: string }[];
}

function configSecrets(): string[] {
  const cfg = YAML.parse(fs.readFileSync(path.join(ROOT, 'test-results', 'e2e-console.yaml'), 'utf8')) as E2eConfig;
  const secrets = cfg.auth.users.map((u) => u.passwordHash);
  for (const d of cfg.clusters.flatMap((c) => c.directors)) {
    if (d.passphrase) secrets.push(d.passphrase);
    if (d.privateKeyPath) {
      // Every base64 line of the private key's body.
      const body = fs.readFileSync(d.privateKeyPath, 'utf8').split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
      secrets.push(...body);
    }
  }
  for (const w of cfg.webhooks ?? []) secrets.push(w.url, new URL(w.url).pathname);
  return [...secrets, ...Object.values(E2E_USERS).map((u) => u.password)];
}

test.use({ storageState: storageStateFile('admin') });

test('neither the client bundle nor any API answer contains a secret of the configuration, a session id or a token', async ({ page }) => {
  const secrets = configSecrets();
  expect(secrets.length).toBeGreaterThan(4);
  const state = JSON.parse(fs.readFileSync(path.join(ROOT, storageStateFile('admin')), 'utf8')) as { cookies: { name: string; value: string }[] };
  const sessionId = state.cookies.find((c) => c.name === 'lvs_session')?.value;
  expect(sessionId).toBeTruthy();

  await page.goto('/');
  const created = await page.evaluate(async () => {
    const csrf = /(?:^|; )lvs_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
    const r = await fetch('/api/admin/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
      body: JSON.stringify({ name: `e2e-secret-check-${Date.now()}`, role: 'viewer' }),
    });
    return (await r.json()) as { token: string };
  });
  expect(created.token).toMatch(/^lvs_/);
  const all = [...secrets, sessionId ?? '', created.token];

  const staticDir = path.join(ROOT, '.next', 'static');
  const bundle = filesUnder(staticDir);
  expect(bundle.length, 'the build has client files').toBeGreaterThan(5);
  for (const f of bundle) {
    const text = fs.readFileSync(f, 'latin1');
    for (const s of all) expect(text.includes(s), `${path.relative(ROOT, f)} contains a secret`).toBe(false);
  }

  for (const url of ['/api/me', '/api/clusters', '/api/clusters/lab', '/api/events', '/api/audit', '/api/admin/users', '/api/admin/tokens', '/api/admin/webhooks', '/api/hosts/192.0.2.11', '/']) {
    const r = await page.request.get(url);
    expect(r.status(), url).toBe(200);
    const text = await r.text();
    for (const s of all) expect(text.includes(s), `${url} contains a secret`).toBe(false);
  }
});
