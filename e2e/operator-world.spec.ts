import { expect, test } from '@playwright/test';

// Issue #8 in the browser against the lab (read-only): "Check this cluster", the API page, and
// /metrics for a logged-in user.

test('check this cluster: every director judged, keepalived -t accepted, every problem with its fix', async ({ page }) => {
  await page.goto('/clusters/lab');
  await page.getByTestId('check-cluster-link').click();
  await expect(page).toHaveURL(/\/clusters\/lab\/checks$/);
  await page.getByTestId('run-checks').click();
  const list = page.getByTestId('diagnostic-checks');
  await expect(list).toBeVisible({ timeout: 90_000 });
  for (const dir of ['dir1', 'dir2']) {
    await expect(list.locator(`[data-check="keepalived-config"][data-director="${dir}"]`)).toHaveAttribute('data-status', 'ok');
    await expect(list.locator(`[data-check="ip-forward"][data-director="${dir}"]`)).toHaveCount(1);
  }
  for (const row of await list.locator('[data-status="problem"], [data-status="warning"]').all()) {
    await expect(row.getByTestId('diagnostic-fix')).not.toBeEmpty();
  }
  await expect(page.getByTestId('run-checks')).toHaveText('Check again');
});

test('the API page lists the endpoints of the OpenAPI document', async ({ page }) => {
  await page.goto('/api-docs');
  await expect(page.getByText('/api/clusters/{cluster}/drain', { exact: true })).toBeVisible();
  await expect(page.getByText('/api/clusters/{cluster}/diagnostics', { exact: true })).toBeVisible();
  await expect(page.getByText('/metrics', { exact: true })).toBeVisible();
  const doc = await page.request.get('/api/openapi.json');
  expect(doc.status()).toBe(200);
  expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
});

test('/metrics answers a logged-in user in the Prometheus text format, with both lab directors up', async ({ page }) => {
  const res = await page.request.get('/metrics');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  expect(text).toContain('lvs_director_up{cluster="lab",director="dir1"} 1');
  expect(text).toContain('lvs_director_up{cluster="lab",director="dir2"} 1');
  expect(text).toMatch(/lvs_service_connections_total\{cluster="lab",service="TCP 192\.0\.2\.100:80"\} \d+/);
});
