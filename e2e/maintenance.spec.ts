import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { ctl } from './lab';

// Director maintenance from the browser (issue 17), as an operator: the pre-flight on dir1's card,
// the switch (dir2 holds every VIP, checked as root over ssh), the banner and the audit trail on the
// timeline, then the give back. The refusals and the rollback are server/maintenance/
// maintenance.lab.test.ts's (the same lab without a browser).

test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

async function holdsVip(dir: 'dir1' | 'dir2'): Promise<boolean> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), dir, 'ip -o addr show'], { timeout: 60_000 });
  return stdout.includes(' 192.0.2.100/');
}

test.afterAll(async () => {
  await ctl('syncd', 'off');
  for (const d of ['dir1', 'dir2'] as const) await run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), d, 'echo 0 > /var/lib/lvs-console/track/vrrp-maint'], { timeout: 60_000 });
});

test('put dir1 in maintenance from its card: pre-flight, switch verified, banner and audit; give it back', async ({ page }) => {
  test.setTimeout(300_000);
  await ctl('syncd', 'on');
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const card = page.getByTestId('director-card-dir1');
  // Healthy directors are folded: open them.
  const healthy = page.getByTestId('healthy-directors');
  if ((await healthy.count()) > 0 && !(await healthy.evaluate((d) => (d as HTMLDetailsElement).open))) await healthy.locator(':scope > summary').click();
  const bar = card.getByTestId('director-maintenance');
  await expect(bar).toHaveAttribute('data-configured', 'true', { timeout: 120_000 });
  await expect(bar).toHaveAttribute('data-in-maintenance', 'false');
  await bar.getByTestId('maintenance-button').click();

  const dialog = page.getByTestId('maintenance-dialog');
  await expect(dialog).toHaveAttribute('data-action', 'enter');
  const checks = dialog.getByTestId('preflight-check');
  await expect(checks.first()).toBeVisible({ timeout: 60_000 });
  await expect(dialog.locator('[data-testid="preflight-check"][data-id="moves"]')).toContainText('VI_V4');
  await expect(dialog.locator('[data-testid="preflight-check"][data-id="moves"]')).toContainText('from dir1 to dir2');
  await expect(dialog.locator('[data-testid="preflight-check"][data-id="connections"]')).toContainText('the sync daemon runs');
  await expect(dialog.locator('[data-testid="preflight-check"][data-status="refusal"]')).toHaveCount(0);
  await expectNoSeriousViolations(page, '[data-testid="maintenance-dialog"]');
  // No reason: the confirm says why it waits.
  await expect(dialog.getByTestId('maintenance-confirm')).toBeDisabled();
  await expect(dialog.getByTestId('maintenance-blockers')).toContainText('a reason');
  await dialog.getByTestId('maintenance-reason').fill('e2e: kernel update on dir1');
  await dialog.getByTestId('maintenance-ticket').fill('OPS-17');
  await dialog.getByTestId('maintenance-confirm').click();
  await expect(dialog.getByTestId('maintenance-result')).toHaveAttribute('data-outcome', 'ok', { timeout: 90_000 });
  await expect(dialog.getByTestId('maintenance-result')).toContainText('dir1 is in maintenance');
  expect([await holdsVip('dir1'), await holdsVip('dir2')]).toEqual([false, true]);
  await dialog.getByTestId('maintenance-close').click();

  // The cluster page says who took dir1 out, and the master moved.
  await expect(page.getByTestId('maintenance-banner')).toContainText('dir1 in maintenance', { timeout: 30_000 });
  await expect(page.getByTestId('maintenance-banner')).toContainText('e2e: kernel update on dir1');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir2', { timeout: 60_000 });
  // Audited, and on the timeline (operator actions).
  const audit = (await (await page.request.get('/api/audit?limit=50')).json()) as { entries: { action: string; outcome: string; target: string | null; actor: string }[] };
  expect(audit.entries.filter((e) => e.action === 'director-maintenance').slice(0, 2).map((e) => [e.outcome, e.target])).toEqual([['ok', 'dir1'], ['attempted', 'dir1']]);
  await expect(page.locator('[data-testid="timeline-audit"][data-action="director-maintenance"][data-outcome="ok"]').first()).toBeAttached({ timeout: 30_000 });

  // Give back from the same card.
  const give = card.getByTestId('director-maintenance').getByTestId('give-back-button');
  if ((await healthy.count()) > 0 && !(await healthy.evaluate((d) => (d as HTMLDetailsElement).open))) await healthy.locator(':scope > summary').click();
  await give.click();
  await expect(dialog).toHaveAttribute('data-action', 'exit');
  await expect(dialog.locator('[data-testid="preflight-check"][data-id="moves"]')).toContainText('from dir2 to dir1', { timeout: 60_000 });
  await dialog.getByTestId('maintenance-confirm').click();
  await expect(dialog.getByTestId('maintenance-result')).toHaveAttribute('data-outcome', 'ok', { timeout: 90_000 });
  expect([await holdsVip('dir1'), await holdsVip('dir2')]).toEqual([true, false]);
  await dialog.getByTestId('maintenance-close').click();
  await expect(page.getByTestId('maintenance-banner')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
});
