import { expect, test } from '@playwright/test';

// The top bar's search and links that keep the view: find a real server by address and by its
// host name from any page, land on the cluster page filtered to it, and paste that URL elsewhere.

test('search finds a real server by address and a host by name; the filtered page is a link', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByTestId('cluster-card-lab')).toBeVisible();

  // "/" anywhere (no page filter here) goes to the search box.
  await page.keyboard.press('/');
  const box = page.getByTestId('global-search');
  await expect(box).toBeFocused();
  await box.fill('192.0.2.12');
  const results = page.getByTestId('global-search-results');
  const rsHit = results.locator('[role="option"][data-kind="real-server"]', { hasText: '192.0.2.12:80 (rs2)' }).first();
  await expect(rsHit).toBeVisible();
  // Nothing of another real server.
  await expect(results.locator('[role="option"]', { hasText: '192.0.2.11' })).toHaveCount(0);
  await rsHit.click();

  await expect(page).toHaveURL(/\/clusters\/lab\?q=192\.0\.2\.12%3A80$/);
  const filter = page.getByRole('searchbox', { name: 'Filter services and real servers' });
  await expect(filter).toHaveValue('192.0.2.12:80');
  const rows = page.locator('[data-testid="real-server-row"]');
  await expect(rows.first()).toBeVisible();
  const keys = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-real-server-key')));
  expect(keys.length).toBeGreaterThan(0);
  // (the filter matches text: 192.0.2.12:80 is also the start of 192.0.2.12:8080)
  expect(keys.every((k) => k?.startsWith('192.0.2.12:80'))).toBe(true);
  expect(keys).toContain('192.0.2.12:80');

  // Typing in the filter keeps the URL in step; that URL in another tab shows the same filter.
  await filter.fill('198.51.100.13');
  await expect(page).toHaveURL(/\?q=198\.51\.100\.13$/);
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByRole('searchbox', { name: 'Filter services and real servers' })).toHaveValue('198.51.100.13');
  await expect(other.locator('[data-testid="real-server-row"]').first()).toHaveAttribute('data-real-server-key', /^198\.51\.100\.13:/);
  await other.close();

  // On the cluster page "/" stays the page's own filter; Ctrl+K is the search box.
  await page.locator('h1').click();
  await page.keyboard.press('/');
  await expect(filter).toBeFocused();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+k');
  await expect(box).toBeFocused();
  await box.fill('rs3');
  const hostHit = results.locator('[role="option"][data-kind="host"]', { hasText: 'rs3 (198.51.100.13)' });
  await expect(hostHit).toBeVisible();
  // Keyboard: the first hit is the host (ranked first); Enter opens it.
  await expect(results.locator('[role="option"]').first()).toHaveAttribute('data-kind', 'host');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/hosts\/198\.51\.100\.13$/);
  await expect(page.locator('h1')).toContainText('198.51.100.13');
  // The host page names the host as the configuration does (realServerHosts).
  await expect(page.getByTestId('host-names')).toHaveText('rs3');
});

test('the timeline keeps its range and kinds in the URL: a pasted link shows the same window', async ({ page, context }) => {
  await page.goto('/events');
  await expect(page.locator('[data-testid="timeline-list"], [data-testid="timeline-empty"]').first()).toBeVisible();
  await page.getByTestId('timeline-range').selectOption('7d');
  await page.getByTestId('timeline-kind-failover').check({ force: true });
  await page.getByTestId('timeline-kind-real-server').check({ force: true });
  await expect(page).toHaveURL(/\/events\?range=7d&kinds=failover%2Creal-server$/);

  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId('timeline-range')).toHaveValue('7d');
  await expect(other.getByTestId('timeline-kind-failover')).toBeChecked();
  await expect(other.getByTestId('timeline-kind-real-server')).toBeChecked();
  await expect(other.getByTestId('timeline-kind-operator')).not.toBeChecked();
  // Back to the defaults: nothing of the timeline left in the URL.
  await other.getByTestId('timeline-range').selectOption('24h');
  await other.getByTestId('timeline-kind-failover').uncheck({ force: true });
  await other.getByTestId('timeline-kind-real-server').uncheck({ force: true });
  await expect(other).toHaveURL(/\/events$/);
  await other.close();
});
