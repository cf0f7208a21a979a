import { expect, test, type Page } from '@playwright/test';
import { E2E_USERS, storageStateFile } from './users';

// Access control in the browser: the login page, what a viewer may not do, logout, the CSP.

const LOGGED_OUT = { cookies: [], origins: [] };

async function logIn(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.getByLabel('User name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A state-changing call made by the page's own script: same origin, with the session's CSRF token. */
async function postFromPage(page: Page, path: string, body: unknown): Promise<{ status: number; text: string }> {
  return page.evaluate(
    async ({ path, body }) => {
      const csrf = /(?:^|; )lvs_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify(body) });
      return { status: r.status, text: await r.text() };
    },
    { path, body },
  );
}

test.describe('not logged in', () => {
  test.use({ storageState: LOGGED_OUT });

  test('a page sends the visitor to the login page, and back after logging in', async ({ page }) => {
    await page.goto('/clusters/lab');
    await expect(page).toHaveURL(/\/login\?next=%2Fclusters%2Flab$/);
    const api = await page.request.get('/api/clusters');
    expect(api.status()).toBe(401);
    await logIn(page, E2E_USERS.viewer);
    await expect(page).toHaveURL(/\/clusters\/lab$/);
    await expect(page.getByTestId('user-name')).toHaveText(E2E_USERS.viewer.name);
    await expect(page.getByTestId('user-role')).toHaveText('viewer');
  });

  test('after logging in, a next= pointing at another origin stays on the console (issue 14, item 8)', async ({ page, baseURL }) => {
    // The browser drops the tab: the old check let "/\t/evil.example" through as "//evil.example".
    await page.goto('/login?next=/%09/evil.example');
    await logIn(page, E2E_USERS.viewer);
    await expect(page.getByTestId('user-name')).toHaveText(E2E_USERS.viewer.name);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL ?? 'http://invalid').origin);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  test('a wrong password and an unknown user get the same plain refusal', async ({ page }) => {
    await page.goto('/login');
    await logIn(page, { name: E2E_USERS.operator.name, password: 'not-the-password' });
    await expect(page.getByTestId('login-error')).toHaveText('wrong user name or password');
    await logIn(page, { name: 'no-such-user', password: 'whatever-it-is' });
    await expect(page.getByTestId('login-error')).toHaveText('wrong user name or password');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('logout ends the session: the API refuses it and pages go to the login page', async ({ page }) => {
    await page.goto('/login');
    await logIn(page, E2E_USERS.viewer);
    await expect(page.getByTestId('user-name')).toHaveText(E2E_USERS.viewer.name);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'lvs_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByTestId('logout-button').click();
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.request.get('/api/me')).status()).toBe(401);
    // The old cookie, replayed, is dead too.
    if (cookie) {
      const replay = await page.request.get('/api/me', { headers: { cookie: `lvs_session=${cookie.value}` } });
      expect(replay.status()).toBe(401);
    }
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });
});

test.describe('as a viewer', () => {
  test.use({ storageState: storageStateFile('viewer') });

  test('sees the cluster but no drain, restore or weight controls; the API refuses a drain anyway', async ({ page }) => {
    await page.goto('/clusters/lab');
    await expect(page.getByTestId('user-role')).toHaveText('viewer');
    await expect(page.locator('[data-testid="real-server-row"]').first()).toBeVisible();
    await expect(page.locator('[data-testid*="drain-button"], [data-testid*="restore-button"], [data-testid*="weight-button"]')).toHaveCount(0);
    const drain = await postFromPage(page, '/api/clusters/lab/drain', {
      service: 'TCP 192.0.2.100:80',
      realServer: '192.0.2.11:80',
      reason: 'e2e: a viewer must not drain',
    });
    expect(drain.status, drain.text).toBe(403);
    expect(drain.text).toContain('this needs the operator role; you are viewer');
  });
});

test.describe('as an operator', () => {
  test('a cross-site style post without the CSRF token is refused, and the refusal is in the audit log', async ({ page }) => {
    await page.goto('/audit');
    // Playwright's request context carries the session cookie but no CSRF token and no Origin.
    const r = await page.request.post('/api/clusters/lab/drain', { data: { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', reason: 'csrf' } });
    expect(r.status()).toBe(403);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/Origin|CSRF/);
    await page.reload();
    const row = page.locator('[data-testid="audit-row"][data-action="POST /api/clusters/lab/drain"][data-outcome="refused"]').first();
    await expect(row).toBeVisible();
    await expect(row).toContainText(E2E_USERS.operator.name);
  });

  test('pages carry a nonce CSP without unsafe-inline scripts, and run under it without violations', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto('/clusters/lab');
    const csp = res?.headers()['content-security-policy'] ?? '';
    const script = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
    expect(script).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(script).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
    expect(res?.headers()['referrer-policy']).toBe('no-referrer');
    await expect(page.locator('[data-testid="real-server-row"]').first()).toBeVisible();
    // The operator does get the controls the viewer does not (so that test is not vacuous).
    await expect(page.getByTestId('drain-button').first()).toBeVisible();
    expect(violations).toEqual([]);
  });
});
