import { expect, test, type Page } from '@playwright/test';
import { ctl } from './lab';

// HAProxy beside LVS in the browser, against the lab's real HAProxy in each director (frontend
// :3306 over rs1..rs3:8080): drain rs1 with one click, both instances show DRAIN, new connections
// through dir1's HAProxy avoid rs1; the drain is held, so when dir1's HAProxy restarts and forgets it
// the console drains rs1 there again by itself; ready ends the hold and brings rs1 back.

/** Which real server answered each of N new connections to dir1's HAProxy (from the lab's client). */
async function traffic(n: number): Promise<Record<string, number>> {
  const out = await ctl('traffic', '--count', String(n), '--url', 'http://192.0.2.2:3306/');
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => [l.split(' ')[0] ?? '', Number(l.split(' ')[1])]));
}

/** The same action as the Ready button, from the page's own script (clean-up). */
async function ready(page: Page, server: string): Promise<void> {
  await page.evaluate(async (srv) => {
    const csrf = /(?:^|; )lvs_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
    await fetch('/api/clusters/lab/haproxy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
      body: JSON.stringify({ action: 'ready', backend: 'galera', server: srv, reason: 'e2e clean-up' }),
    });
  }, server);
}

const server = (page: Page, instance: string, name: string) =>
  page.locator(`[data-testid="haproxy-instance"][data-instance="${instance}"] [data-testid="haproxy-server"][data-server="${name}"]`);

test('drain an HAProxy server from the browser: both instances show DRAIN, new connections avoid it, ready brings it back', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/clusters/lab');
  await page.getByTestId('haproxy-link').click();
  await expect(page).toHaveURL(/\/clusters\/lab\/haproxy$/);
  for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
    for (const rs of ['rs1', 'rs2', 'rs3']) await expect(server(page, inst, rs)).toHaveAttribute('data-status', 'UP', { timeout: 30_000 });
  }
  try {
    await server(page, 'haproxy-dir1', 'rs1').getByTestId('haproxy-drain').click();
    await expect(page.getByTestId('haproxy-outcome')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('haproxy-outcome')).toContainText('drain galera/rs1');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', 'DRAIN');
    const during = await traffic(9);
    expect(during.rs1 ?? 0).toBe(0);
    expect((during.rs2 ?? 0) + (during.rs3 ?? 0)).toBe(9);
    const hold = server(page, 'haproxy-dir1', 'rs1').getByTestId('haproxy-hold');
    await expect(hold).toContainText('held drain by');

    // A deploy restarts dir1's HAProxy: it forgets the drain; the console re-applies it (as system).
    await ctl('haproxy', 'restart', 'dir1');
    await expect(hold).toHaveAttribute('data-reapplied', '1', { timeout: 30_000 });
    await expect(server(page, 'haproxy-dir1', 'rs1')).toHaveAttribute('data-status', 'DRAIN');
    await expect(hold).toContainText('re-applied 1×');
    // LVS_SCREENSHOT_DIR=docs/screenshots: the README's picture of this page (held, re-applied).
    if (process.env.LVS_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.LVS_SCREENSHOT_DIR}/haproxy.png`, fullPage: true });

    await server(page, 'haproxy-dir1', 'rs1').getByTestId('haproxy-ready').click();
    await expect(page.getByTestId('haproxy-outcome')).toContainText('ready galera/rs1');
    await expect(page.getByTestId('haproxy-outcome')).toHaveAttribute('data-ok', 'true');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', /^UP/, { timeout: 15_000 });
    await expect(server(page, 'haproxy-dir1', 'rs1').getByTestId('haproxy-hold')).toHaveCount(0);
  } finally {
    await ready(page, 'rs1');
  }
  // Who did it is in the audit log.
  const audit = await page.request.get('/api/audit?cluster=lab');
  expect(audit.ok()).toBe(true);
  const entries = ((await audit.json()) as { entries: { action: string; target: string | null; outcome: string }[] }).entries;
  expect(entries.some((e) => e.action === 'haproxy-drain' && e.target === 'galera/rs1' && e.outcome === 'ok')).toBe(true);
  expect(entries.some((e) => e.action === 'haproxy-reapply' && e.target === 'galera/rs1' && e.outcome === 'ok')).toBe(true);
});
