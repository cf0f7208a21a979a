import { expect, test as setup } from '@playwright/test';
import { E2E_USERS, storageStateFile, type E2eRole } from './users';

// Logs each e2e account in once, through the login page, and keeps its cookies for the specs.
for (const role of Object.keys(E2E_USERS) as E2eRole[]) {
  setup(`log in as ${role}`, async ({ page }) => {
    const u = E2E_USERS[role];
    await page.goto('/login');
    await page.getByLabel('User name').fill(u.name);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('user-name')).toHaveText(u.name);
    await page.context().storageState({ path: storageStateFile(role) });
  });
}
