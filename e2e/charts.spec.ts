import { expect, test, type Page } from '@playwright/test';
import { ctl, readmeElementScreenshot } from './lab';

// Traffic charts against the lab (issue 19): connections held through the VIP, a failover (keepalived
// stopped on dir1, started again: dir1 preempts back), a drain of rs1 and its restore, all drawn on
// the service's chart at the right times, each marker a link to its row on the timeline; the range
// is in the URL and a brushed range replaces it.

const WEB = 'TCP 192.0.2.100:80';
const RS1 = '192.0.2.11:80';

async function write(page: Page, path: string, data: unknown): Promise<void> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'lvs_csrf')?.value ?? '';
  const origin = new URL(page.url()).origin;
  const r = await page.request.post(path, { data, headers: { origin, 'x-csrf-token': csrf } });
  expect(r.status(), `${path}: ${await r.text()}`).toBe(200);
}

/** The markers of one kind on the chart, as [at, end] (epoch ms), oldest first. */
async function markers(page: Page, kind: string): Promise<{ at: number; end: number | null; left: number }[]> {
  return page.locator(`[data-testid="traffic-panel"] [data-testid="chart-marker"][data-kind="${kind}"]`).evaluateAll((els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return { at: Number(d.at), end: d.end ? Number(d.end) : null, left: e.getBoundingClientRect().left };
    }),
  );
}

test('a service chart shows the traffic, the failover with its gap, and the drain and restore by whom, at their times', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(`/clusters/lab?chart=15m&chartService=${encodeURIComponent(WEB)}#traffic`);
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const panel = page.getByTestId('traffic-panel');
  await expect(panel).toHaveAttribute('data-range', '15m');
  await expect(page.getByTestId('chart-scope')).toHaveValue(WEB);
  const t0 = Date.now();

  // The largest active-connection count since `since` of the service (null) or one real server, from
  // the history the chart draws (the same request it makes).
  const peak = async (realServer: string | null, since: number) => {
    const r = await page.request.get(`/api/clusters/lab/history?service=${encodeURIComponent(WEB)}&by=realServer&from=${since}&to=${Date.now()}`);
    const body = (await r.json()) as { series: { realServer: string | null; points: { t: number; activeConns: number }[] }[] };
    return Math.max(0, ...(body.series.find((s) => s.realServer === realServer)?.points.filter((p) => p.t >= since).map((p) => p.activeConns) ?? []));
  };
  // Connections held open through the VIP, and a burst of requests.
  await ctl('hold', '--count', '12', '--seconds', '200');
  await ctl('traffic', '--count', '60');
  await expect.poll(() => peak(null, t0), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);

  try {
    // Failover: dir2 takes the VIPs; started again, dir1 takes them back (preempt).
    await ctl('keepalived', 'stop', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir2', { timeout: 30_000 });
    await ctl('keepalived', 'start', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  } finally {
    await ctl('keepalived', 'start', 'dir1');
  }
  // The failover broke the held connections (no sync daemon): new ones, on both real servers.
  const back = Date.now();
  await ctl('hold', '--count', '10', '--seconds', '120');
  await expect.poll(() => peak(RS1, back), { timeout: 30_000 }).toBeGreaterThan(0);
  // Drained, rs1 takes no new connection: the next ones all go to rs2.
  await write(page, '/api/clusters/lab/drain', { target: RS1, service: WEB, reason: 'chart e2e: kernel update' });
  const drained = Date.now();
  await ctl('hold', '--count', '10', '--seconds', '60');
  await expect.poll(() => peak('192.0.2.12:80', drained), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
  await write(page, '/api/clusters/lab/restore', { target: RS1, service: WEB, reason: 'chart e2e: done' });

  // Two failovers (away and back) after t0, each with its no-master gap as a band when one was measured.
  await expect.poll(async () => (await markers(page, 'failover')).filter((m) => m.at >= t0 - 5000).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const failovers = (await markers(page, 'failover')).filter((m) => m.at >= t0 - 5000);
  // Drain and restore: operator markers after the failovers, in that order, left to right.
  await expect.poll(async () => (await markers(page, 'operator')).filter((m) => m.at >= t0).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const ops = (await markers(page, 'operator')).filter((m) => m.at >= t0);
  const drain = page.locator('[data-testid="traffic-panel"] [data-testid="chart-marker"][data-kind="operator"]').filter({ has: page.getByText(/^drain .*192\.0\.2\.11:80.* by e2e-operator \(chart e2e: kernel update\)$/) });
  await expect(drain).toHaveCount(1);
  const restore = page.locator('[data-testid="traffic-panel"] [data-testid="chart-marker"][data-kind="operator"]').filter({ has: page.getByText(/^restore .*192\.0\.2\.11:80.* by e2e-operator/) });
  await expect(restore).toHaveCount(1);
  const lastFailover = failovers[failovers.length - 1]!;
  expect(ops[0]!.at).toBeGreaterThan(lastFailover.at);
  expect(ops[0]!.left).toBeGreaterThan(lastFailover.left);
  expect(ops[1]!.left).toBeGreaterThanOrEqual(ops[0]!.left);
  // A failover's band ends at the new master's time and starts at the gap before it.
  for (const f of failovers) if (f.end !== null) expect(f.end).toBeGreaterThan(f.at);
  // The chart stacks the real servers of the service and says what it is.
  await expect(panel.getByTestId('traffic-chart')).toHaveAttribute('data-series', '2');
  await expect(panel.getByTestId('chart-legend')).toContainText(RS1);
  // The README's picture: the same chart over just this test's window (a link with a custom range).
  if (process.env.LVS_SCREENSHOT_DIR) {
    await page.goto(`/clusters/lab?chart=custom&chartFrom=${t0 - 20_000}&chartTo=${Date.now() + 5000}&chartService=${encodeURIComponent(WEB)}#traffic`);
    await expect(page.getByTestId('traffic-panel').locator('[data-testid="chart-marker"][data-kind="operator"]')).toHaveCount(2, { timeout: 30_000 });
    await readmeElementScreenshot(page.getByTestId('traffic-panel'), 'traffic-chart');
  }

  // Hover tells the story; a click opens the event on the timeline.
  const failoverMarker = panel.locator('[data-testid="chart-marker"][data-kind="failover"]').last();
  await failoverMarker.hover();
  await expect(failoverMarker).toContainText(/failover|master/i);
  const href = await failoverMarker.getAttribute('href');
  expect(href).toMatch(/^\/clusters\/lab\/events\?range=custom&from=\d+&to=\d+#event-\d+$/);
  await failoverMarker.click();
  await expect(page).toHaveURL(/\/clusters\/lab\/events\?/);
  const id = /#event-(\d+)$/.exec(href ?? '')?.[1] ?? '';
  await expect(page.locator(`[data-testid="timeline-event"][data-event-id="${id}"]`).first()).toBeVisible();
});

test('the range is in the URL: a preset button, a brushed window, and the same picture from the link', async ({ page }) => {
  await page.goto('/clusters/lab#traffic');
  const panel = page.getByTestId('traffic-panel');
  await expect(panel.getByTestId('traffic-chart')).toBeVisible({ timeout: 30_000 });
  await expect(panel).toHaveAttribute('data-range', '1h');
  await panel.getByTestId('chart-range-6h').click();
  await expect(page).toHaveURL(/[?&]chart=6h/);
  await panel.getByTestId('chart-metric').selectOption('cps');
  await expect(page).toHaveURL(/[?&]metric=cps/);
  // Drag across the middle of the plot: a custom window.
  const over = panel.locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(page).toHaveURL(/[?&]chart=custom&chartFrom=\d+&chartTo=\d+/);
  await expect(panel.getByTestId('chart-custom-range')).toBeVisible();
  const url = new URL(page.url());
  const from = Number(url.searchParams.get('chartFrom'));
  const to = Number(url.searchParams.get('chartTo'));
  // 20 % of a 6 h window.
  expect(to - from).toBeGreaterThan(0.15 * 6 * 3_600_000);
  expect(to - from).toBeLessThan(0.25 * 6 * 3_600_000);
  // The link shows the same window and metric.
  await page.goto(url.pathname + url.search);
  await expect(page.getByTestId('traffic-panel')).toHaveAttribute('data-range', 'custom');
  await expect(page.getByTestId('traffic-panel')).toHaveAttribute('data-metric', 'cps');
  await expect(page.getByTestId('chart-resolution')).toContainText('New connections/s');
});
