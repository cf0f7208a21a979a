import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { ctl } from './lab';

// Drain, restore and re-weight against the lab (issue #5), as an operator in the browser and with
// lvsctl: weights are checked over ssh on BOTH directors (as root, the way an operator would look),
// traffic comes from the lab's client. Serial: each step builds on the lab state of the previous.
// A drain held through a failover and a keepalived restart is server/drain/drain.lab.test.ts's
// (the same lab, without a browser: the page adds nothing there and a failover costs ~45 s).

test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const SVC = 'TCP 192.0.2.100:80';
const RS1 = '192.0.2.11:80';

/** The weight of real server `rs` in service `svcArgs` (e.g. ['-t', '192.0.2.100:80']) on a director, over ssh. */
async function weightOn(dir: 'dir1' | 'dir2', svcArgs: string[], rs: string): Promise<number | null> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), dir, `ipvsadm -Ln ${svcArgs.join(' ')}`], { timeout: 60_000 });
  const line = stdout.split('\n').find((l) => l.trim().startsWith(`-> ${rs} `));
  if (!line) return null;
  const w = line.trim().split(/\s+/)[3];
  return w === undefined ? null : Number(w);
}

async function weights(svcArgs: string[], rs: string): Promise<[number | null, number | null]> {
  return Promise.all([weightOn('dir1', svcArgs, rs), weightOn('dir2', svcArgs, rs)]);
}

function rsRow(page: Page, rs: string, svc = SVC) {
  return page.locator(`[data-testid="real-server-row"][data-service-key="${svc}"][data-real-server-key="${rs}"]`);
}

async function confirmDialog(page: Page, reason: string | null): Promise<void> {
  const dialog = page.getByTestId('drain-dialog');
  await expect(dialog.getByTestId('plan-entry').first()).toBeVisible();
  if (reason !== null) await dialog.getByTestId('reason-input').fill(reason);
  await dialog.getByTestId('confirm-action').click();
  await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-outcome', 'ok', { timeout: 60_000 });
  await expect(dialog.locator('[data-testid="director-result"][data-status="ok"]')).toHaveCount(2);
}

async function auditActions(page: Page): Promise<{ action: string; actor: string; target: string | null; outcome: string }[]> {
  const r = await page.request.get('/api/audit?limit=200');
  expect(r.ok()).toBe(true);
  const body = (await r.json()) as { entries: { action: string; actor: string; target: string | null; outcome: string }[] };
  return body.entries;
}

test('drain rs1 from the browser: weight 0 on both directors, traffic avoids it, progress reaches drained', async ({ page }) => {
  await page.goto('/clusters/lab');
  const row = rsRow(page, RS1);
  await expect(row).toHaveAttribute('data-weight', '100');
  await row.getByTestId('drain-button').click();
  const dialog = page.getByTestId('drain-dialog');
  // Impact first: the plan names the service, the share left, the mechanism and the exact commands.
  await expect(dialog.locator(`[data-testid="plan-entry"][data-service-key="${SVC}"][data-real-server-key="${RS1}"]`)).toBeVisible();
  await expect(dialog.getByTestId('plan-commands')).toContainText('ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80');
  // No reason, no action.
  await expect(dialog.getByTestId('confirm-action')).toBeDisabled();
  await confirmDialog(page, 'e2e: kernel update on rs1');

  expect(await weights(['-t', '192.0.2.100:80'], RS1)).toEqual([0, 0]);
  const tally = await ctl('traffic', '--count', '20');
  expect(tally).toMatch(/rs2 20/);
  expect(tally).not.toMatch(/rs1 \d/);
  // Connections left from earlier traffic expire (FIN_WAIT/TIME_WAIT entries: up to 2 min).
  await expect(dialog.getByTestId('drain-progress').getByTestId('drain-state').first()).toHaveAttribute('data-state', 'drained', { timeout: 180_000 });
  // The result view with its progress, through axe (the dialogs before a click: a11y.spec.ts). The
  // dialog only: the page behind it is scanned with the restore dialog below (its holds panel).
  await expectNoSeriousViolations(page, 'drain result and progress (light)', '[data-testid="drain-dialog"]');
  await dialog.getByTestId('close-dialog').click();
  await expect(row).toHaveAttribute('data-weight', '0');
  await expect(row.getByTestId('hold-marker')).toBeVisible();
  await expect(page.locator(`[data-testid="hold-row"][data-real-server-key="${RS1}"]`)).toHaveAttribute('data-mechanism', 'ipvsadm');
});

test('a health-check flap re-adds rs1 with its configured weight: the console puts the drain back and logs the repair', async ({ page }) => {
  await ctl('rs', 'stop', 'rs1', '80');
  // keepalived's HTTP_GET fails, removes rs1, then re-adds it with weight 100 once it answers again.
  await expect.poll(() => weightOn('dir1', ['-t', '192.0.2.100:80'], RS1), { timeout: 60_000 }).toBeNull();
  await ctl('rs', 'start', 'rs1', '80');
  await expect.poll(() => weights(['-t', '192.0.2.100:80'], RS1), { timeout: 90_000, intervals: [1000] }).toEqual([0, 0]);
  await expect.poll(async () => (await auditActions(page)).some((e) => e.action === 'drift-repair' && e.actor === 'system' && e.outcome === 'ok'), { timeout: 30_000 }).toBe(true);
});

test('restore rs1 from the holds panel: the original weight on both directors and traffic returns', async ({ page }) => {
  // The overview lists every hold of every cluster (who, why); its link opens the cluster's holds panel.
  await page.goto('/');
  const listed = page.locator(`[data-testid="open-hold"][data-cluster="lab"][data-real-server-key="${RS1}"][data-service-key="${SVC}"]`);
  await expect(listed).toContainText('e2e: kernel update on rs1');
  await listed.getByTestId('open-hold-link').click();
  await expect(page).toHaveURL(/\/clusters\/lab#holds$/);
  const hold = page.locator(`[data-testid="hold-row"][data-real-server-key="${RS1}"]`);
  await hold.getByTestId('hold-restore-button').click();
  await expect(page.getByTestId('drain-dialog').getByTestId('plan-entry').first()).toBeVisible();
  // The whole page: the dialog over the cluster page with the hold listed in its holds panel.
  await expectNoSeriousViolations(page, 'restore dialog and the holds panel (light)');
  await confirmDialog(page, null);
  expect(await weights(['-t', '192.0.2.100:80'], RS1)).toEqual([100, 100]);
  await page.getByTestId('close-dialog').click();
  await expect(hold).toHaveCount(0);
  // keepalived's HTTP check may still count rs1 down for a few rounds after the previous spec's restart.
  await expect.poll(async () => /rs1 \d+/.test(await ctl('traffic', '--count', '20')), { timeout: 90_000 }).toBe(true);
});

/** rs1's status in HAProxy's backend galera on each instance, from a fresh read through the API. */
async function haproxyStatusOfRs1(page: Page): Promise<string[]> {
  const r = await page.request.get('/api/clusters/lab/haproxy');
  expect(r.ok()).toBe(true);
  const body = (await r.json()) as { instances: { name: string; backends: { name: string; servers: { name: string; status: string }[] }[] }[] };
  return body.instances.map((i) => i.backends.find((b) => b.name === 'galera')?.servers.find((s) => s.name === 'rs1')?.status ?? 'absent');
}

test('drain a host everywhere (every LVS service and its HAProxy server) in one action, then restore it', async ({ page }) => {
  // The previous specs restarted keepalived and moved traffic: its checkers may not have re-added
  // rs1 everywhere yet. A drain of a destination keepalived removed is (rightly) partial; wait for
  // rs1 to be back in every service on both directors first.
  const everywhere = async () =>
    (await Promise.all([
      weights(['-t', '192.0.2.100:80'], RS1),
      weights(['-t', '192.0.2.100:8080'], '192.0.2.11:8080'),
      weights(['-u', '192.0.2.101:5353'], '192.0.2.11:5353'),
      weights(['-f', '1'], '192.0.2.11:0'),
    ])).every(([a, b]) => a !== null && b !== null);
  await expect.poll(everywhere, { timeout: 90_000, intervals: [2000] }).toBe(true);
  await page.goto('/hosts/192.0.2.11');
  await page.getByTestId('drain-host-button').click();
  const dialog = page.getByTestId('drain-dialog');
  await expect(dialog.getByTestId('plan-entry')).toHaveCount(5); // TCP :80, :8080, UDP 5353, FWM 1, SCTP 3868
  // ...and rs1 in HAProxy's backend galera (MariaDB on 192.0.2.11:3306), drained with the same reason.
  await expect(dialog.getByTestId('host-haproxy-target')).toHaveCount(1);
  await expect(dialog.getByTestId('host-haproxy-target')).toHaveAttribute('data-server', 'rs1');
  await expect(dialog.getByTestId('host-haproxy-checkbox')).toBeChecked();
  await confirmDialog(page, 'e2e: host maintenance');
  await expect(dialog.locator('[data-testid="haproxy-step-result"][data-backend="galera"][data-server="rs1"]')).toHaveAttribute('data-ok', 'true');
  await dialog.getByTestId('close-dialog').click();
  await expect.poll(() => haproxyStatusOfRs1(page), { timeout: 30_000 }).toEqual(['DRAIN', 'DRAIN']);
  expect((await auditActions(page)).some((e) => e.action === 'haproxy-drain' && e.target === 'galera/rs1' && e.outcome === 'ok')).toBe(true);
  expect(await weights(['-t', '192.0.2.100:80'], RS1)).toEqual([0, 0]);
  expect(await weights(['-t', '192.0.2.100:8080'], '192.0.2.11:8080')).toEqual([0, 0]);
  expect(await weights(['-u', '192.0.2.101:5353'], '192.0.2.11:5353')).toEqual([0, 0]);
  expect(await weights(['-f', '1'], '192.0.2.11:0')).toEqual([0, 0]);
  // The overview's one list of holds has the HAProxy hold beside the LVS ones.
  await page.goto('/');
  await expect(page.locator('[data-testid="open-haproxy-hold"][data-cluster="lab"][data-backend="galera"][data-server="rs1"]')).toContainText('e2e: host maintenance');
  await expect(page.locator(`[data-testid="open-hold"][data-cluster="lab"][data-real-server-key="${RS1}"]`)).toBeVisible();
  await page.goto('/hosts/192.0.2.11');
  await page.getByTestId('restore-host-button').click();
  // The restore readies the HAProxy server the drain held.
  await expect(dialog.getByTestId('host-haproxy-target')).toHaveAttribute('data-server', 'rs1');
  await confirmDialog(page, null);
  await expect(dialog.locator('[data-testid="haproxy-step-result"][data-server="rs1"]')).toHaveAttribute('data-ok', 'true');
  expect(await weights(['-t', '192.0.2.100:8080'], '192.0.2.11:8080')).toEqual([1, 1]);
  expect(await weights(['-t', '192.0.2.100:80'], RS1)).toEqual([100, 100]);
  await expect.poll(() => haproxyStatusOfRs1(page), { timeout: 30_000 }).toEqual(['UP', 'UP']);
});

test('draining the last serving real server of a service is refused unless forced (keepalived track file holds it)', async ({ page }) => {
  const svc = 'TCP 192.0.2.102:80';
  await page.goto('/hosts/198.51.100.13');
  await page.getByTestId('drain-host-button').click();
  const dialog = page.getByTestId('drain-dialog');
  await expect(dialog.getByTestId('plan-refusals')).toContainText('192.0.2.102:80');
  await dialog.getByTestId('reason-input').fill('e2e: last server');
  await expect(dialog.getByTestId('confirm-action')).toBeDisabled();
  // The API refuses it too when called without force.
  const csrf = (await page.context().cookies()).find((c) => c.name === 'lvs_csrf')?.value ?? '';
  const refused = await page.request.post('/api/clusters/lab/drain', {
    data: { target: '198.51.100.13', reason: 'e2e: last server' },
    headers: { 'x-csrf-token': csrf, origin: new URL(page.url()).origin },
  });
  expect(refused.status()).toBe(409);
  expect(await weightOn('dir1', ['-t', '192.0.2.102:80'], '198.51.100.13:80')).toBe(1);
  // Forced: applied, and rs3:80 is held by its FILE_CHECK track file.
  await dialog.getByTestId('force-checkbox').check();
  await dialog.getByTestId('confirm-action').click();
  await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-outcome', 'ok', { timeout: 60_000 });
  await dialog.getByTestId('close-dialog').click();
  await expect.poll(() => weights(['-t', '192.0.2.102:80'], '198.51.100.13:80'), { timeout: 30_000 }).toEqual([0, 0]);
  await page.goto('/clusters/lab');
  await expect(page.locator(`[data-testid="hold-row"][data-real-server-key="198.51.100.13:80"][data-service-key="${svc}"]`)).toHaveAttribute('data-mechanism', 'track-file');
  await page.goto('/hosts/198.51.100.13');
  await page.getByTestId('restore-host-button').click();
  await confirmDialog(page, null);
  await expect.poll(() => weights(['-t', '192.0.2.102:80'], '198.51.100.13:80'), { timeout: 30_000 }).toEqual([1, 1]);
});

test('the same flows through lvsctl, including --wait', async () => {
  const config = path.join(ROOT, 'test-results', 'e2e-console.yaml');
  const lvsctl = (args: string[], env: Record<string, string> = {}) =>
    run('node', [path.join(ROOT, 'bin', 'lvsctl.mjs'), ...args], { timeout: 300_000, env: { ...process.env, LVS_CONSOLE_CONFIG: config, ...env } }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' }),
    );
  const created = await lvsctl(['token', 'create', '--name', `e2e-${Date.now()}`, '--role', 'operator']);
  expect(created.code).toBe(0);
  const token = created.out.trim();
  const env = { LVS_CONSOLE_TOKEN: token };
  const drain = await lvsctl(['drain', '--cluster', 'lab', '--host', '192.0.2.12:80', '--service', '192.0.2.100:80', '--reason', 'e2e: lvsctl', '--wait', '--timeout', '240'], env);
  expect(drain.err).toBe('');
  expect(drain.code).toBe(0);
  expect(drain.out).toMatch(/dir1.*ok/);
  expect(drain.out).toMatch(/dir2.*ok/);
  expect(drain.out).toMatch(/drained/);
  expect(await weights(['-t', '192.0.2.100:80'], '192.0.2.12:80')).toEqual([0, 0]);
  const weight = await lvsctl(['weight', '--cluster', 'lab', '--host', '192.0.2.12:80', '--service', '192.0.2.100:80', '--weight', '40', '--reason', 'e2e: lvsctl weight'], env);
  expect(weight.code).toBe(0);
  expect(await weights(['-t', '192.0.2.100:80'], '192.0.2.12:80')).toEqual([40, 40]);
  const restore = await lvsctl(['restore', '--cluster', 'lab', '--host', '192.0.2.12:80', '--service', '192.0.2.100:80'], env);
  expect(restore.code).toBe(0);
  expect(await weights(['-t', '192.0.2.100:80'], '192.0.2.12:80')).toEqual([100, 100]);
  // Refused (last server) exits 3 and changes nothing; a bad token exits 5.
  const last = await lvsctl(['drain', '--cluster', 'lab', '--host', '198.51.100.13', '--reason', 'e2e: last'], env);
  expect(last.code).toBe(3);
  expect(await weightOn('dir1', ['-t', '192.0.2.102:80'], '198.51.100.13:80')).toBe(1);
  const denied = await lvsctl(['drain', '--cluster', 'lab', '--host', '192.0.2.12:80', '--reason', 'x'], { LVS_CONSOLE_TOKEN: 'not-a-token' });
  expect(denied.code).toBe(5);
});
