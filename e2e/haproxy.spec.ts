import { expect, test, type Page } from '@playwright/test';
import { ctl, mysqlTraffic, readmeScreenshot } from './lab';

// HAProxy beside LVS in the browser, against the lab's real HAProxy in each director (frontend
// :3306 over MariaDB on rs1..rs3, option mysql-check): every server L7OK, a stopped MariaDB shown
// DOWN with HAProxy's own check message; drain rs1 through the dialog (impact, typed reason), both
// instances show DRAIN, every new connection through the VIP is answered by the other two
// server_ids; the drain is held, so when dir1's
// HAProxy restarts and forgets it the console drains rs1 there again by itself; ready ends the hold
// and brings rs1 back (from the host page, which lists rs1's HAProxy membership). Then the last UP server of the backend: refused without force (409, audited
// with the typed reason, nothing changed), done with force, and everything made ready again.

/** Which MariaDB server (by its own server_id) answered each of N new connections through the VIP. */
const traffic = mysqlTraffic;

/** POST an action from the page's own script (with its session and CSRF token): status and body. */
async function post(page: Page, body: Record<string, unknown>): Promise<{ status: number; body: { error?: { code?: string; message?: string } } }> {
  return page.evaluate(async (b) => {
    const csrf = /(?:^|; )lvs_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
    const r = await fetch('/api/clusters/lab/haproxy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
      body: JSON.stringify(b),
    });
    return { status: r.status, body: (await r.json()) as { error?: { code?: string; message?: string } } };
  }, body);
}

/** The same action as the Ready button (clean-up). */
async function ready(page: Page, server: string): Promise<void> {
  await post(page, { action: 'ready', backend: 'galera', server, reason: 'e2e clean-up' });
}

/** One server's cell on one instance (the table has a row per server and a column per instance). */
const server = (page: Page, instance: string, name: string) =>
  page.locator(`[data-testid="haproxy-backend"][data-backend="galera"] [data-testid="haproxy-server"][data-server="${name}"] [data-testid="haproxy-cell"][data-instance="${instance}"]`);
const row = (page: Page, name: string) => page.locator(`[data-testid="haproxy-backend"][data-backend="galera"] [data-testid="haproxy-server"][data-server="${name}"]`);

/** Open the dialog of an action on a server, type the reason and confirm; wait for the outcome. */
async function act(page: Page, name: string, action: 'drain' | 'maint' | 'ready', reason: string): Promise<void> {
  await row(page, name).getByTestId(`haproxy-${action}`).click();
  const dialog = page.getByTestId('haproxy-dialog');
  await expect(dialog).toHaveAttribute('data-action', action);
  await dialog.getByTestId('haproxy-reason').fill(reason);
  await dialog.getByTestId('haproxy-confirm').click();
  await expect(dialog).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('haproxy-outcome')).toContainText(`${action === 'ready' ? 'restore (ready)' : action} galera/${name}`);
  await expect(page.getByTestId('haproxy-outcome')).toHaveAttribute('data-ok', 'true');
}

type AuditRow = { action: string; target: string | null; outcome: string; detail: { reason?: string; force?: boolean; refusals?: string[] } | null };
async function auditRows(page: Page): Promise<AuditRow[]> {
  const audit = await page.request.get('/api/audit?cluster=lab&limit=200');
  expect(audit.ok()).toBe(true);
  return ((await audit.json()) as { entries: AuditRow[] }).entries;
}

test('drain an HAProxy server from the browser: both instances show DRAIN, new connections avoid it, ready brings it back', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/clusters/lab');
  await page.getByTestId('haproxy-link').click();
  await expect(page).toHaveURL(/\/clusters\/lab\/haproxy$/);
  // The top bar's freshness counts this page's own polling (HAProxy's pools), not only clusters'.
  await expect(page.getByTestId('console-status')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('console-status')).toContainText('Updated');
  for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
    for (const rs of ['rs1', 'rs2', 'rs3']) {
      await expect(server(page, inst, rs)).toHaveAttribute('data-status', 'UP', { timeout: 30_000 });
      await expect(server(page, inst, rs).getByTestId('haproxy-check')).toContainText('L7OK');
    }
  }
  try {
    // A MariaDB that stops: DOWN on both, with what HAProxy's check got.
    await ctl('mysql', 'stop', 'rs3');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
      await expect(server(page, inst, 'rs3')).toHaveAttribute('data-status', 'DOWN', { timeout: 30_000 });
      await expect(server(page, inst, 'rs3').getByTestId('haproxy-check')).toContainText('L4CON');
      await expect(server(page, inst, 'rs3').getByTestId('haproxy-check-detail')).toHaveText('Connection refused');
    }
    await ctl('mysql', 'start', 'rs3');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs3')).toHaveAttribute('data-status', 'UP', { timeout: 30_000 });

    // The dialog first: the impact per instance, the reason required (the confirm says why it waits).
    await row(page, 'rs1').getByTestId('haproxy-drain').click();
    const dialog = page.getByTestId('haproxy-dialog');
    await expect(dialog.getByTestId('haproxy-impact-row')).toHaveCount(2);
    await expect(dialog.getByTestId('haproxy-impact-row').first()).toContainText('rs2, rs3');
    await expect(dialog.getByTestId('haproxy-confirm')).toBeDisabled();
    await expect(dialog.getByTestId('haproxy-blocker')).toHaveText('reason required');
    await expect(dialog.getByTestId('haproxy-refusals')).toHaveCount(0);
    await dialog.getByTestId('haproxy-reason').fill('e2e: MariaDB upgrade on rs1');
    await dialog.getByTestId('haproxy-confirm').click();
    await expect(page.getByTestId('haproxy-outcome')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('haproxy-outcome')).toContainText('drain galera/rs1');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', 'DRAIN');
    // every new connection answered, by rs2 or rs3 (how HAProxy's round robin splits them right after
    // rs3 came back is its business)
    const during = await traffic(6);
    expect([during.rs1, during.failed, (during.rs2 ?? 0) + (during.rs3 ?? 0)]).toEqual([undefined, undefined, 6]);
    const hold = row(page, 'rs1').getByTestId('haproxy-hold');
    await expect(hold).toContainText('held drain by');

    // A deploy restarts dir1's HAProxy: it forgets the drain; the console re-applies it (as system).
    await ctl('haproxy', 'restart', 'dir1');
    await expect(hold).toHaveAttribute('data-reapplied', '1', { timeout: 30_000 });
    await expect(server(page, 'haproxy-dir1', 'rs1')).toHaveAttribute('data-status', 'DRAIN');
    await expect(hold).toContainText('re-applied 1×');
    // The README's picture of this page (held, re-applied).
    await readmeScreenshot(page, 'haproxy', { height: 1000 });

    // The host page is the maintenance page (issue 22, item 5): rs1's HAProxy membership beside its
    // LVS services, held, with the same actions; the upgrade ends there.
    await page.goto('/hosts/192.0.2.11');
    await expect(page.getByTestId('host-row').first()).toBeVisible();
    const onHost = page.locator('[data-testid="host-haproxy"][data-cluster="lab"]');
    await expect(onHost.getByTestId('haproxy-server')).toHaveCount(1);
    await expect(onHost.locator('[data-server="rs1"]').getByTestId('haproxy-hold')).toContainText('held drain by');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', 'DRAIN');
    await act(page, 'rs1', 'ready', 'e2e: upgrade done');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', /^UP/, { timeout: 15_000 });
    await expect(row(page, 'rs1').getByTestId('haproxy-hold')).toHaveCount(0);
  } finally {
    await ctl('mysql', 'start', 'rs3');
    await ready(page, 'rs1');
  }
  // Who did it, and why, is in the audit log.
  const entries = await auditRows(page);
  expect(entries.some((e) => e.action === 'haproxy-drain' && e.target === 'galera/rs1' && e.outcome === 'ok' && e.detail?.reason === 'e2e: MariaDB upgrade on rs1')).toBe(true);
  expect(entries.some((e) => e.action === 'haproxy-reapply' && e.target === 'galera/rs1' && e.outcome === 'ok')).toBe(true);
});

test('the last UP server of a backend: refused without force (409, audited with the reason, nothing changed), taken out with force, all ready again', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/clusters/lab/haproxy');
  for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
    for (const rs of ['rs1', 'rs2', 'rs3']) await expect(server(page, inst, rs)).toHaveAttribute('data-status', 'UP', { timeout: 30_000 });
  }
  try {
    // rs1 out through the API (the dialog's drain is the test above), rs2 through the Maint dialog.
    expect((await post(page, { action: 'drain', backend: 'galera', server: 'rs1', reason: 'e2e: last-server rule, rs1 out' })).status).toBe(200);
    await act(page, 'rs2', 'maint', 'e2e: last-server rule, rs2 out');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
      await expect(server(page, inst, 'rs1')).toHaveAttribute('data-status', 'DRAIN');
      await expect(server(page, inst, 'rs2')).toHaveAttribute('data-status', /^MAINT/);
    }

    // The dialog says so before anything is sent, and waits for force.
    await row(page, 'rs3').getByTestId('haproxy-drain').click();
    const dialog = page.getByTestId('haproxy-dialog');
    await expect(dialog.getByTestId('haproxy-refusals')).toContainText('galera/rs3 is the last UP server of backend galera on haproxy-dir1');
    await expect(dialog.locator('[data-testid="haproxy-impact-row"][data-last="true"]')).toHaveCount(2);
    await dialog.getByTestId('haproxy-reason').fill('e2e: whole backend out');
    await expect(dialog.getByTestId('haproxy-confirm')).toBeDisabled();
    await expect(dialog.getByTestId('haproxy-blocker')).toContainText('force');

    // The server refuses it on its own (not only the dialog): 409 naming backend and server, audited, nothing sent.
    const refused = await post(page, { action: 'drain', backend: 'galera', server: 'rs3', reason: 'e2e: refused without force' });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('conflict');
    expect(refused.body.error?.message).toMatch(/galera\/rs3 is the last UP server of backend galera/);
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs3')).toHaveAttribute('data-status', 'UP');
    const refusal = (await auditRows(page)).find((e) => e.action === 'haproxy-drain' && e.target === 'galera/rs3' && e.outcome === 'refused');
    expect(refusal?.detail).toMatchObject({ reason: 'e2e: refused without force', force: false });
    expect(refusal?.detail?.refusals?.length).toBe(2);

    // With force, from the dialog: it goes through on both instances.
    await dialog.getByTestId('haproxy-force').check();
    await dialog.getByTestId('haproxy-confirm').click();
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('haproxy-outcome')).toHaveAttribute('data-ok', 'true');
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) await expect(server(page, inst, 'rs3')).toHaveAttribute('data-status', 'DRAIN');
    const forced = (await auditRows(page)).find((e) => e.action === 'haproxy-drain' && e.target === 'galera/rs3' && e.outcome === 'ok');
    expect(forced?.detail).toMatchObject({ reason: 'e2e: whole backend out', force: true });

    // Back in rotation (Ready from the dialog is the test above).
    for (const rs of ['rs3', 'rs2', 'rs1']) expect((await post(page, { action: 'ready', backend: 'galera', server: rs, reason: 'e2e: back in rotation' })).status).toBe(200);
    for (const inst of ['haproxy-dir1', 'haproxy-dir2']) {
      for (const rs of ['rs1', 'rs2', 'rs3']) await expect(server(page, inst, rs)).toHaveAttribute('data-status', /^UP/, { timeout: 30_000 });
    }
    await expect(page.getByTestId('haproxy-hold')).toHaveCount(0);
  } finally {
    for (const rs of ['rs3', 'rs2', 'rs1']) await ready(page, rs);
  }
});
