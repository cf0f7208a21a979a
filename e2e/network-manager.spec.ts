import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { ctl } from './lab';

// Directors run by NetworkManager (issue 21), as an operator sees them: dir2's card shows its
// interfaces and profiles (dir1's says it is not managed by NetworkManager); a VIP written into
// dir2's profile is a finding and a "check this cluster" item with its nmcli fix, gone once taken
// out; NetworkManager re-applying the profile on the master is on the timeline as "VIP removed
// outside keepalived". The collector side is server/collector/network-manager.lab.test.ts's.

test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const ssh = (dir: 'dir1' | 'dir2', cmd: string) => run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), dir, cmd], { timeout: 60_000 });

test.afterAll(async () => {
  await ctl('nm-vip', 'off', 'dir2');
  await ssh('dir1', 'echo 0 > /var/lib/lvs-console/track/vrrp-maint');
});

async function openDirectors(page: Page): Promise<void> {
  // once the cards have their data (which list a card is in depends on it)
  await expect(page.getByTestId('director-card-dir2').getByTestId('director-network')).toHaveAttribute('data-manager', 'networkmanager', { timeout: 120_000 });
  const healthy = page.getByTestId('healthy-directors');
  if ((await healthy.count()) > 0 && !(await healthy.evaluate((d) => (d as HTMLDetailsElement).open))) await healthy.locator(':scope > summary').click();
}

async function runChecks(page: Page) {
  await page.goto('/clusters/lab/checks');
  const run = page.getByTestId('run-checks');
  if (await run.isVisible()) await run.click();
  await expect(page.getByTestId('diagnostic-checks')).toBeVisible({ timeout: 120_000 });
}

test('dir2 shows its NetworkManager interfaces and profiles; a VIP in its profile is a finding and a check with the nmcli fix', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/clusters/lab');
  await openDirectors(page);
  const net2 = page.getByTestId('director-card-dir2').getByTestId('director-network');
  await net2.locator(':scope > summary').click();
  await expect(net2.getByTestId('director-interface-eth0')).toHaveAttribute('data-state', 'connected');
  await expect(net2.getByTestId('director-interface-eth0')).toContainText('lab-eth0');
  await expect(net2.getByTestId('director-interface-eth0')).toContainText('192.0.2.3/24');
  await expect(net2.getByTestId('director-profile-lab-eth0')).toContainText('manual 192.0.2.3/24', { timeout: 60_000 });
  const net1 = page.getByTestId('director-card-dir1').getByTestId('director-network');
  await expect(net1).toHaveAttribute('data-manager', 'none');
  await expect(net1).toHaveText('Network: not managed by NetworkManager');
  await expectNoSeriousViolations(page, '[data-testid="director-card-dir2"]');

  await ctl('nm-vip', 'on', 'dir2');
  // "Check this cluster" reads NetworkManager afresh (the collector otherwise does once a minute);
  // a report younger than 10 s is answered again, so check again until a fresh run has it.
  const check = page.locator('[data-testid="diagnostic-check"][data-check="nm-vip-in-profile"]');
  await expect(async () => {
    await runChecks(page);
    await expect(check).toHaveAttribute('data-status', 'warning', { timeout: 5000 });
  }).toPass({ timeout: 90_000, intervals: [5000] });
  await expect(check).toHaveAttribute('data-director', 'dir2');
  await expect(check.getByTestId('diagnostic-fix')).toContainText('nmcli connection modify 5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02 -ipv4.addresses 192.0.2.100/24');
  await expect(page.locator('[data-testid="diagnostic-check"][data-check="networkmanager"][data-director="dir1"]')).toHaveAttribute('data-status', 'not-applicable');

  await page.goto('/clusters/lab');
  await expect(page.getByTestId('finding-nm-vip-in-profile')).toContainText('VIP 192.0.2.100 is written into NetworkManager profile "lab-eth0" on dir2', { timeout: 60_000 });
  await openDirectors(page);
  await expect(page.getByTestId('director-card-dir2').getByTestId('director-network-vip-in-profile')).toContainText('lab-eth0');

  await ctl('nm-vip', 'off', 'dir2');
  // A report younger than 10 s is answered again: check again until a fresh run has it gone.
  await expect(async () => {
    await runChecks(page);
    await expect(page.locator('[data-testid="diagnostic-check"][data-check="nm-vip-in-profile"]')).toHaveCount(0, { timeout: 5000 });
  }).toPass({ timeout: 90_000, intervals: [5000] });
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('finding-nm-vip-in-profile')).toHaveCount(0, { timeout: 60_000 });
});

test('NetworkManager re-applying the profile on the master is on the timeline as "VIP removed outside keepalived"', async ({ page }) => {
  test.setTimeout(300_000);
  await ssh('dir1', 'echo 1 > /var/lib/lvs-console/track/vrrp-maint'); // dir2 takes the VIPs
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir2', { timeout: 60_000 });
  await ctl('nm-reapply', 'dir2');
  // keepalived takes the VIPs back within a second; its next dump (at most a minute) shows the
  // flap, and its log says what it was.
  await page.goto('/clusters/lab/events');
  const ev = page.locator('[data-testid="timeline-event"][data-kind="vip-removed"]').first();
  await expect(async () => {
    await page.reload();
    await expect(ev).toBeVisible({ timeout: 5000 });
  }).toPass({ timeout: 150_000, intervals: [5000] });
  await expect(ev).toContainText('VIP removed outside keepalived on dir2');
  await expect(ev).toContainText('removed from eth0 on dir2 outside keepalived');
  await ssh('dir1', 'echo 0 > /var/lib/lvs-console/track/vrrp-maint');
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
});
