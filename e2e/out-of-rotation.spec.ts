import { expect, test } from '@playwright/test';

// "Why is this server out?" on the lab: 198.51.100.13:8080 in TCP 192.0.2.102:80 is configured with
// weight 0 in keepalived.conf (no console hold). The overview's "N drained" links to the cluster's
// out-of-rotation panel, which lists it with that source, and its row in the services table says so.

const SERVICE = 'TCP 192.0.2.102:80';
const RS = '198.51.100.13:8080';

test('the overview\'s drained count opens the out-of-rotation panel, which lists the configured-0 server with its source', async ({ page }) => {
  await page.goto('/');
  const card = page.getByTestId('cluster-card-lab');
  const drained = card.getByTestId('real-servers-drained-link');
  await expect(drained).toBeVisible({ timeout: 30_000 });
  await drained.click();
  await expect(page).toHaveURL(/\/clusters\/lab#out-of-rotation$/);

  const panel = page.locator('#out-of-rotation');
  await expect(panel.getByRole('heading', { name: 'Out of rotation' })).toBeVisible();
  const entry = panel.locator(`[data-testid="out-of-rotation-row"][data-service-key="${SERVICE}"][data-real-server-key="${RS}"]`);
  await expect(entry).toHaveAttribute('data-sources', 'configured-zero');
  await expect(entry.getByTestId('out-of-rotation-source')).toContainText('weight 0 in keepalived.conf');
  await expect(entry).toContainText('the configuration keeps it out, not the console');
  // rs3:80 in the same service is held at 1 by its track file: in rotation, not listed.
  await expect(panel.locator(`[data-testid="out-of-rotation-row"][data-real-server-key="198.51.100.13:80"]`)).toHaveCount(0);

  // The row in the services table carries the same source, linking back to the panel.
  const marker = page.locator(`[data-testid="real-server-row"][data-service-key="${SERVICE}"][data-real-server-key="${RS}"] [data-testid="out-of-rotation-marker"]`);
  await expect(marker).toHaveAttribute('data-sources', 'configured-zero');
  await expect(marker).toHaveText('weight 0 in keepalived.conf');
  await expect(marker).toHaveAttribute('href', '/clusters/lab#out-of-rotation');
});
