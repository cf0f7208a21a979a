import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { storageStateFile } from './users';

// Accessibility (issue #22): axe-core over every page and every dialog, as the role that sees it,
// in light and dark colours. Fails on any serious or critical violation and prints each one with
// the rule, why it matters and the elements it found, so the fix can start from the report.
// Then the keyboard contract of the drain dialog: focus stays inside, returns to the opener, and
// Escape never silently drops a typed reason. Nothing here changes the lab (dialogs are cancelled).

const BLOCKING = new Set(['serious', 'critical']);

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** One readable block per violation: impact, rule, help, and up to five offending elements. */
export function describeViolations(where: string, violations: readonly Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
      return `[${v.impact ?? 'unknown'}] ${v.id} on ${where}: ${v.help}\n  ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n\n');
}

async function expectNoSeriousViolations(page: Page, where: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  expect(blocking, describeViolations(where, blocking)).toEqual([]);
}

const PAGES: { path: string; name: string; ready: (page: Page) => Promise<void> }[] = [
  { path: '/', name: 'overview', ready: (p) => expect(p.locator('[data-testid^="cluster-card-"]').first()).toBeVisible() },
  { path: '/clusters/lab', name: 'cluster', ready: (p) => expect(p.getByTestId('real-server-row').first()).toBeVisible() },
  { path: '/hosts/192.0.2.11', name: 'host', ready: (p) => expect(p.getByTestId('host-row').first()).toBeVisible() },
  { path: '/clusters/lab/haproxy', name: 'HAProxy', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  {
    path: '/clusters/lab/checks',
    name: 'checks',
    ready: async (p) => {
      await p.getByTestId('run-checks').click();
      await expect(p.getByTestId('diagnostic-check').first()).toBeVisible({ timeout: 60_000 });
    },
  },
  { path: '/clusters/lab/events', name: 'cluster timeline', ready: (p) => expect(p.locator('[data-testid="timeline-list"], [data-testid="timeline-empty"]').first()).toBeVisible() },
  { path: '/events', name: 'timeline', ready: (p) => expect(p.locator('[data-testid="timeline-list"], [data-testid="timeline-empty"]').first()).toBeVisible() },
  { path: '/audit', name: 'audit', ready: (p) => expect(p.getByTestId('audit-table').or(p.getByText('Nothing recorded yet'))).toBeVisible() },
  { path: '/api-docs', name: 'API docs', ready: (p) => expect(p.locator('[data-testid^="api-"]').first()).toBeVisible() },
];

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${scheme} colours`, () => {
    test.use({ colorScheme: scheme });

    for (const { path, name, ready } of PAGES) {
      test(`${name} page (${path}) as operator`, async ({ page }) => {
        await page.goto(path);
        await ready(page);
        await expectNoSeriousViolations(page, `${path} (${scheme})`);
      });
    }

    test.describe('as a viewer', () => {
      test.use({ storageState: storageStateFile('viewer') });
      for (const path of ['/', '/clusters/lab']) {
        test(`${path} as viewer`, async ({ page }) => {
          await page.goto(path);
          await expect(page.locator('[data-testid^="cluster-card-"], [data-testid="real-server-row"]').first()).toBeVisible();
          await expectNoSeriousViolations(page, `${path} as viewer (${scheme})`);
        });
      }
    });

    test.describe('logged out', () => {
      test.use({ storageState: { cookies: [], origins: [] } });
      test('login page', async ({ page }) => {
        await page.goto('/login');
        await expect(page.getByLabel('User name')).toBeVisible();
        await expectNoSeriousViolations(page, `/login (${scheme})`);
      });
    });

    const DIALOGS: { name: string; path: string; open: (page: Page) => Promise<void> }[] = [
      { name: 'drain', path: '/clusters/lab', open: (p) => p.getByTestId('real-server-row').first().getByTestId('drain-button').click() },
      { name: 'set weight', path: '/clusters/lab', open: (p) => p.getByTestId('real-server-row').first().getByTestId('weight-button').click() },
      { name: 'drain host', path: '/hosts/192.0.2.11', open: (p) => p.getByTestId('drain-host-button').first().click() },
      { name: 'restore host', path: '/hosts/192.0.2.11', open: (p) => p.getByTestId('restore-host-button').first().click() },
      {
        name: 'drain refused (last server)',
        path: '/hosts/198.51.100.13',
        open: async (p) => {
          await p.getByTestId('drain-host-button').first().click();
          await expect(p.getByTestId('plan-refusals')).toBeVisible();
        },
      },
    ];
    for (const { name, path, open } of DIALOGS) {
      test(`${name} dialog as operator`, async ({ page }) => {
        await page.goto(path);
        await open(page);
        const dialog = page.getByTestId('drain-dialog');
        await expect(dialog).toBeVisible();
        await expect(dialog.locator('[data-testid="plan-entries"], [data-testid="plan-error"]').first()).toBeVisible();
        // The commands folded open too, with their copy buttons.
        const commands = dialog.getByTestId('plan-commands');
        if ((await commands.count()) > 0) await commands.locator('summary').click();
        await expectNoSeriousViolations(page, `${name} dialog on ${path} (${scheme})`);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await expect(dialog).toHaveCount(0);
      });
    }
  });
}

test.describe('drain dialog keyboard contract', () => {
  test('focus starts inside, Tab and Shift+Tab stay inside, Escape closes and focus returns to the opener', async ({ page }) => {
    await page.goto('/clusters/lab');
    const opener = page.getByTestId('real-server-row').first().getByTestId('drain-button');
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('drain-dialog');
    await expect(dialog.getByTestId('plan-entries')).toBeVisible();
    await expect(dialog.getByTestId('reason-input')).toBeFocused();
    const inside = () => page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid="drain-dialog"]')));
    // More presses than the dialog has controls: focus wraps round, never leaves.
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      expect(await inside()).toBe(true);
    }
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inside()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
  });

  test('a disabled submit says why; Escape with a typed reason asks before dropping it', async ({ page }) => {
    await page.goto('/clusters/lab');
    const opener = page.getByTestId('real-server-row').first().getByTestId('weight-button');
    await opener.click();
    const dialog = page.getByTestId('drain-dialog');
    await expect(dialog.getByTestId('plan-entries')).toBeVisible();
    const submit = dialog.getByTestId('confirm-action');
    await expect(submit).toBeDisabled();
    await expect(dialog.getByTestId('submit-blockers')).toContainText('reason required');
    await expect(submit).toHaveAccessibleDescription(/reason required/);

    await dialog.getByTestId('reason-input').fill('e2e: a reason worth keeping');
    await expect(dialog.getByTestId('submit-blockers')).toHaveCount(0);
    await expect(submit).toBeEnabled();

    // Escape asks; "Keep editing" (or Escape again) keeps the dialog and the reason.
    await page.keyboard.press('Escape');
    const ask = dialog.getByTestId('discard-confirm');
    await expect(ask).toBeVisible();
    await expect(ask).toContainText('reason');
    await page.keyboard.press('Escape');
    await expect(ask).toHaveCount(0);
    await expect(dialog.getByTestId('reason-input')).toHaveValue('e2e: a reason worth keeping');
    await page.keyboard.press('Escape');
    await ask.getByRole('button', { name: 'Keep editing' }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('reason-input')).toHaveValue('e2e: a reason worth keeping');
    await expect(dialog.getByTestId('reason-input')).toBeFocused();

    // A click outside asks too; "Discard" closes it, and focus goes back to the opener.
    await page.mouse.click(5, 400);
    await expect(ask).toBeVisible();
    await ask.getByRole('button', { name: 'Discard and close' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
  });

  test('copy buttons put the exact command on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/clusters/lab');
    await page.getByTestId('real-server-row').first().getByTestId('drain-button').click();
    const dialog = page.getByTestId('drain-dialog');
    await dialog.getByTestId('plan-commands').locator('summary').click();
    const block = dialog.getByTestId('plan-director-commands').first();
    await block.getByTestId('copy-button').click();
    await expect(block.getByTestId('copy-button')).toHaveAttribute('data-copied', 'true');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain('ipvsadm -e');
    expect(copied).toBe(await block.locator('pre').innerText());
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
