import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousViolations } from './axe';
import { ctl } from './lab';

// Rolling maintenance from the browser (issue #18), as an operator, against the lab: rs1 and rs2
// (192.0.2.11, .12) one per batch, maintenance by hand, ramp 10,25,50,100 every 2 s. rs1 drains and
// waits in maintenance while the web VIP's traffic goes to the others; "Maintenance done" brings it
// back up the ramp, and the check passes once new connections reach it (the client keeps sending);
// then rs2 drains into maintenance. Abort leaves rs2 where it is; Restore all gives it back.

const RS1 = '192.0.2.11';
const RS2 = '192.0.2.12';

/** POST a rollout action from the page's own script (its session and CSRF token): the status. */
async function action(page: Page, id: string, body: Record<string, unknown>): Promise<number> {
  return page.evaluate(
    async ({ id, body }) => {
      const csrf = /(?:^|; )lvs_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch(`/api/clusters/lab/rollouts/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
        body: JSON.stringify(body),
      });
      return r.status;
    },
    { id, body },
  );
}

/** Which real servers answered N new connections to the web VIP ("rs1 7\nrs2 13"). */
const web = (n = 20) => ctl('traffic', '--count', String(n));

const hostRow = (page: Page, host: string) => page.locator(`[data-testid="rollout-host"][data-host="${host}"]`);

test('a rollout over rs1 and rs2: drain, maintenance done, ramp and check, next batch; abort and restore all', async ({ page }) => {
  test.setTimeout(360_000);
  // Earlier specs restart keepalived and move traffic: wait until both serve the web VIP.
  await expect
    .poll(
      async () => {
        const t = await web();
        return /^rs1 \d+/m.test(t) && /^rs2 \d+/m.test(t);
      },
      { timeout: 90_000, intervals: [2000] },
    )
    .toBe(true);

  await page.goto('/clusters/lab/rollouts');
  await expect(page.getByRole('heading', { name: 'Rollouts of lab' })).toBeVisible();
  const form = page.getByRole('form', { name: 'New rollout' });
  await form.getByRole('checkbox', { name: RS1, exact: true }).check();
  await form.getByRole('checkbox', { name: RS2, exact: true }).check();
  await form.getByLabel('Hosts per batch').fill('1');
  await form.getByRole('radio', { name: /^Manual/ }).check();
  await form.getByLabel('Ramp (% of the weight)').fill('10,25,50,100');
  await form.getByLabel('Seconds between ramp steps').fill('2');
  await form.getByLabel('Check time limit (seconds)').fill('60');
  await expect(form.getByLabel('New connections must reach the host for the check to pass')).toBeChecked();
  // Old TIME_WAIT entries can keep a drain above zero for up to 2 min: go on after 20 s instead.
  await form.getByLabel('Drain deadline (seconds)').fill('20');
  await form.getByLabel('At the deadline').selectOption('proceed');
  await form.getByRole('textbox', { name: 'Reason' }).fill('e2e rollout');
  await expectNoSeriousViolations(page, 'rollouts list and the new rollout form (light)');

  // The check plans without changing anything: one host per batch, nothing refused.
  await form.getByRole('button', { name: 'Check', exact: true }).click();
  const plan = form.getByTestId('rollout-plan');
  await expect(plan).toHaveAttribute('data-refused', 'false', { timeout: 60_000 });
  await expect(plan.getByTestId('rollout-plan-batch')).toHaveText([`Batch 1: ${RS1}`, `Batch 2: ${RS2}`]);

  await form.getByRole('button', { name: 'Start rollout' }).click();
  await expect(page).toHaveURL(/\/clusters\/lab\/rollouts\/[^/]+$/, { timeout: 60_000 });
  const id = decodeURIComponent(/\/rollouts\/([^/]+)$/.exec(page.url())?.[1] ?? '');
  try {
    await expect(page.getByRole('region', { name: `Rollout #${id}`, exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: `Rollout #${id}`, exact: true })).toBeVisible();
    const rs1 = hostRow(page, RS1);
    const rs2 = hostRow(page, RS2);

    // rs1 drains and waits for its maintenance; rs2 waits for its batch.
    await expect(rs1).toHaveAttribute('data-step', 'maintenance', { timeout: 150_000 });
    // The cell it is in (the board's current step) names the step.
    await expect(rs1.locator('td[aria-current="step"]')).toHaveAttribute('data-column', 'maintenance');
    await expect(rs1.locator('td[aria-current="step"]')).toContainText('maintenance');
    await expect(rs2).toHaveAttribute('data-step', 'pending');
    const tally = await web();
    expect(tally).not.toMatch(/^rs1 \d/m);
    expect(tally).toMatch(/^rs2 \d+/m);
    await expectNoSeriousViolations(page, 'rollout board with a host in maintenance (light)');

    await rs1.getByRole('button', { name: 'Maintenance done' }).click();
    await expect(page.getByTestId('rollout-action-message')).toContainText(RS1, { timeout: 30_000 });
    await expect(page.getByTestId('rollout-action-error')).toHaveCount(0);
    // Up the ramp and through the check: new connections must reach rs1, so keep sending.
    await expect
      .poll(
        async () => {
          await web(10);
          return rs1.getAttribute('data-step');
        },
        { timeout: 150_000, intervals: [500] },
      )
      .toBe('done');
    // Every step of its ramp reached: 10, 25, 50, 100 % of the web service's weight.
    await expect(page.locator(`[data-testid="rollout-ramp-server"][data-service="TCP 192.0.2.100:80"][data-real-server="${RS1}:80"] [data-reached="true"]`)).toHaveCount(4);

    // The next batch: rs2 drains into its maintenance.
    await expect(rs2).toHaveAttribute('data-step', 'maintenance', { timeout: 150_000 });
    const second = await web();
    expect(second).not.toMatch(/^rs2 \d/m);
    expect(second).toMatch(/^rs1 \d+/m);

    // Abort: confirmed, and rs2 stays as it is.
    await page.getByRole('button', { name: 'Abort', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Abort rollout #${id}?` });
    await expect(dialog).toContainText('every host stays as it is');
    await dialog.getByRole('button', { name: 'Abort rollout' }).click();
    await expect(page.getByTestId('rollout-view')).toHaveAttribute('data-state', 'aborted', { timeout: 60_000 });
    await expect(page.getByTestId('rollout-action-message')).toContainText('every host stays as it is');
    await expect(rs2).toHaveAttribute('data-step', 'maintenance');
    expect(await web()).not.toMatch(/^rs2 \d/m);
    // The page lists the audit rows it caused: its start, both drains (as the operator, through the rollout), the abort.
    const audit = page.getByRole('table', { name: `Audit of rollout #${id}` });
    await expect(audit.locator('[data-testid="audit-row"][data-action="rollout-start"]')).toHaveCount(1);
    await expect(audit.locator('[data-testid="audit-row"][data-action="drain"][data-outcome="ok"]')).toHaveCount(2, { timeout: 15_000 });
    await expect(audit.locator('[data-testid="audit-row"][data-action="restore"][data-outcome="ok"]')).toHaveCount(1);

    // Restore all gives rs2 its weight back: the client reaches it again, the cluster page says 100.
    await page.getByRole('button', { name: 'Restore all' }).click();
    await expect(page.getByTestId('rollout-action-message')).toContainText(`${RS2}: ok`, { timeout: 90_000 });
    await expect(page.getByTestId('rollout-action-error')).toHaveCount(0);
    await expect.poll(async () => /^rs2 \d+/m.test(await web()), { timeout: 90_000, intervals: [1000] }).toBe(true);
    await page.goto('/clusters/lab');
    await expect(page.locator(`[data-testid="real-server-row"][data-service-key="TCP 192.0.2.100:80"][data-real-server-key="${RS2}:80"]`)).toHaveAttribute('data-weight', '100', {
      timeout: 30_000,
    });
    // The timeline has the rollout's steps: each batch's start and each wait for maintenance.
    await page.goto('/clusters/lab/events');
    await expect(page.locator('[data-testid="timeline-event"][data-kind="rollout-batch"]').filter({ hasText: `rollout #${id}` })).toHaveCount(2, { timeout: 30_000 });
    await expect(page.locator('[data-testid="timeline-event"][data-kind="rollout-waiting"]').filter({ hasText: `rollout #${id}` })).toHaveCount(2);
  } finally {
    // Whatever failed, leave the lab serving for the next specs (refusals of an ended rollout are fine).
    if (id) {
      await action(page, id, { action: 'abort', reason: 'e2e clean-up' }).catch(() => 0);
      await action(page, id, { action: 'restore-all', reason: 'e2e clean-up' }).catch(() => 0);
    }
  }
});
