import { expect, test as setup } from '@playwright/test';
import { E2E_USERS, storageStateFile, type E2eRole } from './users';

// Logs each e2e account in once, through the login API (the login page itself is auth.spec.ts's),
// and keeps its cookies for the specs; /api/me confirms the session is the account's.
for (const role of Object.keys(E2E_USERS) as E2eRole[]) {
  setup(`log in as ${role}`, async ({ page, baseURL }) => {
    const u = E2E_USERS[role];
    const login = await page.request.post('/api/auth/login', { data: { name: u.name, password: u.password }, headers: { origin: new URL(baseURL ?? '').origin } });
    expect(login.status(), await login.text()).toBe(200);
    const me = await page.request.get('/api/me');
    expect(me.status()).toBe(200);
    expect(((await me.json()) as { name?: string }).name).toBe(u.name);
    await page.context().storageState({ path: storageStateFile(role) });
  });
}
