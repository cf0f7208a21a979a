import { expect, test } from '@playwright/test';
import { ctl } from './lab';

// Issue #8 in the browser against the lab: "Check this cluster" (as the lab is, and broken on
// purpose with lab/ctl break, then mended), the API page, and /metrics for a logged-in user.

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

test('check this cluster on a lab broken on purpose: each finding appears with its fix, and goes once mended', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/clusters/lab/checks');
  const list = page.getByTestId('diagnostic-checks');
  // One row per check and director, except runtime weights: one per real server whose weight differs
  // from keepalived.conf (rs3's track-file weight is one, judged ok): look for the one that is not ok.
  const row = (check: string, dir: string) => {
    const rows = list.locator(`[data-check="${check}"][data-director="${dir}"]`);
    return check === 'runtime-weights' ? rows.and(list.locator('[data-status="warning"]')) : rows;
  };
  try {
    await ctl('break', 'all', 'dir2');
    await ctl('break', 'all-rs');
    await page.getByTestId('run-checks').click();
    await expect(list).toBeVisible({ timeout: 90_000 });
    const expected: [string, string][] = [
      ['ip-forward', 'problem'],
      ['conntrack', 'problem'],
      ['expire-quiescent-template', 'warning'],
      ['expire-nodest-conn', 'warning'],
      ['keepalived-config', 'problem'],
      ['runtime-weights', 'warning'],
    ];
    // The check reads a fresh refresh: the weight set on dir2 alone may need one more run to show.
    await expect(async () => {
      await page.getByTestId('run-checks').click();
      await expect(row('runtime-weights', 'dir2')).toHaveAttribute('data-status', 'warning', { timeout: 60_000 });
    }).toPass({ timeout: 120_000 });
    for (const [check, status] of expected) {
      await expect(row(check, 'dir2'), check).toHaveAttribute('data-status', status);
      await expect(row(check, 'dir2').getByTestId('diagnostic-fix'), check).not.toBeEmpty();
    }
    await expect(row('ip-forward', 'dir2').getByTestId('diagnostic-fix')).toContainText('sysctl -w net.ipv4.ip_forward=1');
    await expect(row('ip-forward', 'dir1')).toHaveAttribute('data-status', 'ok');
    // The weight set on dir2 alone also makes the two directors' tables differ.
    await expect(list.locator('[data-check="tables-compared"][data-status="warning"], [data-check="tables-compared"][data-status="problem"]').first()).toContainText('192.0.2.11:80');
    await expect(row('runtime-weights', 'dir2').getByTestId('diagnostic-fix')).toContainText('-r 192.0.2.11:80');
    // The real servers, over their own SSH.
    const onHost = (check: string, host: string) => list.locator(`[data-check="${check}"][data-host="${host}"]`);
    for (const [check, host, status] of [
      ['rs-dr-arp', 'rs1', 'problem'],
      ['rs-rp-filter', 'rs1', 'warning'],
      ['rs-dr-vip', 'rs2', 'problem'],
      ['rs-nat-route', 'rs3', 'problem'],
    ] as const) {
      await expect(onHost(check, host), `${check} on ${host}`).toHaveAttribute('data-status', status);
      await expect(onHost(check, host).getByTestId('diagnostic-fix')).not.toBeEmpty();
    }
  } finally {
    await ctl('mend', 'all');
  }
  await expect(async () => {
    await page.getByTestId('run-checks').click();
    await expect(list.locator('[data-status="problem"], [data-status="warning"]')).toHaveCount(0, { timeout: 60_000 });
  }).toPass({ timeout: 120_000 });
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
  // A spec before this one may have just restarted a director's keepalived or sshd: both up again soon.
  const up = async () => {
    const t = await (await page.request.get('/metrics')).text();
    return ['dir1', 'dir2'].filter((d) => t.includes(`lvs_director_up{cluster="lab",director="${d}"} 1`));
  };
  await expect.poll(up, { timeout: 60_000 }).toEqual(['dir1', 'dir2']);
  const text = await res.text();
  expect(text).toMatch(/lvs_service_connections_total\{cluster="lab",service="TCP 192\.0\.2\.100:80"\} \d+/);
});
