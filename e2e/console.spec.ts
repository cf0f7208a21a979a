import { expect, test, type Page } from '@playwright/test';
import { ClusterSnapshot } from '../lib/models/cluster';
import { ctl, readmeScreenshot } from './lab';

// The live console against the real lab: two directors (dir1 MASTER, dir2 BACKUP) with real
// IPVS and keepalived. Tests restore what they change, in finally blocks.

async function snapshot(page: Page): Promise<ClusterSnapshot> {
  const r = await page.request.get('/api/clusters/lab');
  expect(r.ok()).toBe(true);
  return ClusterSnapshot.parse(await r.json());
}

function rsRow(page: Page, rs: string, service: string) {
  return page.locator(`[data-testid="real-server-row"][data-service-key="${service}"][data-real-server-key="${rs}"]`);
}

test.beforeEach(async ({ page }) => {
  // Both directors live before each test (a previous test may have just restored one).
  await expect
    .poll(async () => (await snapshot(page)).directors.map((d) => d.live), { timeout: 90_000, intervals: [1000] })
    .toEqual([true, true]);
});

test('the overview shows the lab cluster, its master and both directors reachable', async ({ page }) => {
  await page.goto('/');
  const card = page.getByTestId('cluster-card-lab');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('master-VI_V4')).toHaveText(/dir1/);
  await expect(card.getByTestId('director-dir1')).toHaveAttribute('data-live', 'true');
  await expect(card.getByTestId('director-dir2')).toHaveAttribute('data-live', 'true');
  await expect(card.getByTestId('cluster-health')).toHaveText(/ok/i);
  await readmeScreenshot(page, 'overview');
});

test('the cluster page shows the real services, real servers and master', async ({ page }) => {
  // The snapshot is preloaded from the page's <head> and the first query takes that response: one
  // snapshot request before the first service row appeared, not a second one after hydration. Read
  // in the page's own order of events (its resource timings and the moment the first row was
  // inserted), not by how long anything took: polls come later, after the rows.
  await page.addInitScript(() => {
    const w = window as unknown as { __firstServiceRowAt?: number };
    new MutationObserver((_records, observer) => {
      if (document.querySelector('[data-testid="service-row"]')) {
        w.__firstServiceRowAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto('/clusters/lab');
  await expect(page.locator('link[rel="preload"][as="fetch"][href="/api/clusters/lab?form=rows"]')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
  await expect(page.getByTestId('instances-table').getByTestId('master-VI_V4')).toHaveText(/dir1/);
  await expect(page.getByTestId('vrrp-state-VI_V4-dir2')).toHaveText(/BACKUP/);
  for (const key of ['TCP 192.0.2.100:80', 'TCP 192.0.2.100:8080', 'UDP 192.0.2.101:5353', 'TCP [2001:db8::1]:80', 'FWM 1', 'TCP 192.0.2.102:80']) {
    await expect(page.getByRole('row', { name: key, exact: true })).toBeVisible();
  }
  await expect(rsRow(page, '192.0.2.11:80', 'TCP 192.0.2.100:80')).toHaveAttribute('data-weight', '100');
  await expect(rsRow(page, '192.0.2.12:80', 'TCP 192.0.2.100:80')).toHaveAttribute('data-health', 'up');
  // The configured-weight-0 spare of the NAT service shows as drained, as keepalived configured it.
  await expect(rsRow(page, '198.51.100.13:8080', 'TCP 192.0.2.102:80')).toHaveAttribute('data-weight', '0');
  const before = await page.evaluate(() => {
    const rowAt = (window as unknown as { __firstServiceRowAt?: number }).__firstServiceRowAt;
    const snapshots = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => new URL(e.name).pathname === '/api/clusters/lab');
    return { rowAt: rowAt ?? null, started: snapshots.filter((e) => rowAt !== undefined && e.startTime < rowAt).map((e) => e.initiatorType) };
  });
  expect(before.rowAt).not.toBeNull();
  expect(before.started).toEqual(['link']); // the <link rel=preload> alone; a hydration fetch would add 'fetch'
});

test('traffic through the VIP raises the connection figures the page shows', async ({ page }) => {
  await page.goto('/clusters/lab');
  const row = page.locator('[data-testid="service-row"][data-service-key="TCP 192.0.2.100:80"]');
  await expect(row).toBeVisible();
  // Connections held open by the lab's client are counted as active on the master.
  const out = await ctl('hold', '--count', '6', '--seconds', '40', '--target', '192.0.2.100:80');
  expect(out).toContain('6/6');
  await expect.poll(async () => Number(await row.getAttribute('data-active-conns')), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
  const tally = await ctl('traffic', '--count', '30');
  expect(tally).toMatch(/rs1 \d+/);
  const s = await snapshot(page);
  const svc = s.services.find((x) => x.key === 'TCP 192.0.2.100:80');
  expect(svc?.stats?.conns ?? 0).toBeGreaterThan(0);
  await readmeScreenshot(page, 'cluster', { height: 1500 });
});

test('a weight changed by hand on one director appears by polling, with the disagreement', async ({ page }) => {
  await page.goto('/clusters/lab');
  const row = rsRow(page, '192.0.2.12:80', 'TCP 192.0.2.100:80');
  await expect(row).toHaveAttribute('data-weight', '100');
  try {
    await ctl('weight', 'dir1', '192.0.2.100:80', '192.0.2.12:80', '37');
    const t0 = Date.now();
    // The change reaches the page by polling alone (no reload). How soon is not asserted here (a
    // loaded machine is slow); the annotation records it.
    await expect(row).toHaveAttribute('data-weight', '37', { timeout: 60_000 });
    test.info().annotations.push({ type: 'latency', description: `weight visible after ${Date.now() - t0} ms (not asserted)` });
    await expect(row).toHaveAttribute('data-differs', /weight/);
    await expect(page.getByText(/Directors disagree on TCP 192\.0\.2\.100:80/)).toBeVisible();
  } finally {
    await ctl('weight', 'dir1', '192.0.2.100:80', '192.0.2.12:80', '100');
  }
  await expect(row).toHaveAttribute('data-weight', '100', { timeout: 60_000 });
});

test('a director whose sshd is stopped is shown stale with its error while the other still updates', async ({ page }) => {
  await page.goto('/clusters/lab');
  const card = page.getByTestId('director-card-dir2');
  await expect(card.getByTestId('director-live')).toHaveAttribute('data-live', 'true');
  try {
    // Stopping sshd leaves the console's open session alive; the link delay makes it time out,
    // as a director that dies under load would.
    await ctl('sshd', 'stop', 'dir2');
    await ctl('netem', 'dir2', 'delay', '30000');
    await expect(card.getByTestId('director-live')).toHaveAttribute('data-live', 'false', { timeout: 90_000 });
    await expect(card.getByTestId('director-error')).toBeVisible();
    // dir1 keeps refreshing: its data stays live and its snapshot time moves on.
    const before = (await snapshot(page)).directors.find((d) => d.name === 'dir1')?.takenAt ?? 0;
    await expect
      .poll(async () => (await snapshot(page)).directors.find((d) => d.name === 'dir1')?.takenAt ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(before);
    await expect(page.getByTestId('director-card-dir1').getByTestId('director-live')).toHaveAttribute('data-live', 'true');
  } finally {
    await ctl('netem', 'dir2', 'clear');
    await ctl('sshd', 'start', 'dir2');
  }
  await expect(card.getByTestId('director-live')).toHaveAttribute('data-live', 'true', { timeout: 90_000 });
});

test('the host page shows one real server across its services and its HAProxy backends', async ({ page }) => {
  await page.goto(`/hosts/${encodeURIComponent('192.0.2.11')}`);
  await expect(page.getByTestId('host-view')).toBeVisible();
  const rows = page.getByTestId('host-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThanOrEqual(4);
  // Its HAProxy membership too: galera/rs1 on both instances (192.0.2.11:3306).
  await expect(page.locator('[data-testid="host-haproxy"][data-cluster="lab"] [data-testid="haproxy-server"]')).toHaveAttribute('data-server', 'rs1');
  await readmeScreenshot(page, 'host');
});
