import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BLOCKING, describeViolations, expectNoSeriousViolations, expectNoSeriousViolationsInBothSchemes } from './axe';
import { storageStateFile } from './users';

// Accessibility (issue #22): axe-core over every page and every dialog, as the role that sees it,
// in light and dark colours. Fails on any serious or critical violation and prints each one with
// the rule, why it matters and the elements it found, so the fix can start from the report.
// Then the keyboard contract of the drain dialog (focus stays inside, returns to the opener, Escape
// never silently drops a typed reason), copy buttons, the dark-mode toggle and the health in the tab
// title. Dialogs are cancelled: nothing changes on the lab. A drain's result view and the restore
// dialog are checked by drain.spec.ts, where a real drain already has them on screen.

// axe twice per page (light, dark) on a busy 2-core machine beside the lab VM: allow the time.
test.describe.configure({ timeout: 300_000 });

const PAGES: { path: string; name: string; ready: (page: Page) => Promise<void> }[] = [
  { path: '/', name: 'overview', ready: (p) => expect(p.locator('[data-testid^="cluster-card-"]').first()).toBeVisible() },
  { path: '/clusters/lab', name: 'cluster', ready: (p) => expect(p.getByTestId('real-server-row').first()).toBeVisible({ timeout: 60_000 }) },
  { path: '/hosts/192.0.2.11', name: 'host', ready: (p) => expect(p.getByTestId('host-row').first()).toBeVisible({ timeout: 60_000 }) },
  { path: '/clusters/lab/haproxy', name: 'HAProxy', ready: (p) => expect(p.getByRole('heading', { level: 1 })).toBeVisible() },
  {
    path: '/clusters/lab/checks',
    name: 'checks',
    ready: async (p) => {
      await p.getByTestId('run-checks').click();
      // Passed checks fold to a line (hidden rows): the run is done once its rows are in the page.
      await expect(p.getByTestId('diagnostic-check').first()).toBeAttached({ timeout: 60_000 });
      await expect(p.getByTestId('passed-checks').locator('summary').or(p.locator('[data-testid="diagnostic-check"]:not([data-status="ok"])')).first()).toBeVisible();
    },
  },
  { path: '/clusters/lab/events', name: 'cluster timeline', ready: (p) => expect(p.locator('[data-testid="timeline-list"], [data-testid="timeline-empty"]').first()).toBeVisible() },
  { path: '/clusters/lab/rollouts', name: 'rollouts', ready: (p) => expect(p.locator('[data-testid="rollout-table"], [data-testid="no-active-rollout"]').first()).toBeVisible() },
  { path: '/events', name: 'timeline', ready: (p) => expect(p.locator('[data-testid="timeline-list"], [data-testid="timeline-empty"]').first()).toBeVisible() },
  { path: '/audit', name: 'audit', ready: (p) => expect(p.getByTestId('audit-table').or(p.getByText('Nothing recorded yet'))).toBeVisible() },
  { path: '/api-docs', name: 'API docs', ready: (p) => expect(p.locator('[data-testid^="api-"]').first()).toBeVisible() },
];

test('the check can fail: an unnamed button and an image without alt text are reported', async ({ page }) => {
  await page.goto('/api-docs');
  await page.evaluate(() => {
    const bad = document.createElement('div');
    bad.id = 'a11y-canary';
    bad.innerHTML = '<button type="button"></button><img src="/icon.svg">';
    document.body.appendChild(bad);
  });
  const { violations } = await new AxeBuilder({ page }).include('#a11y-canary').analyze();
  const ids = violations.filter((v) => BLOCKING.has(v.impact ?? '')).map((v) => v.id);
  expect(ids).toEqual(expect.arrayContaining(['button-name', 'image-alt']));
  expect(describeViolations('canary', violations)).toContain('#a11y-canary');
});

// One page load per page, in one test (a login and a browser context each would cost more than
// axe). Light colours everywhere; dark colours where contrast differs in kind: the overview's cards
// here, the login form below, and the cluster page's table and panels behind the drain dialog
// (that one scan reads the whole page), to keep the run short.
const DARK_TOO = new Set(['overview']);

test('axe: every page as operator', async ({ page }) => {
  test.setTimeout(600_000);
  for (const { path, name, ready } of PAGES) {
    await test.step(`${name} (${path})`, async () => {
      await page.goto(path);
      await ready(page);
      if (DARK_TOO.has(name)) await expectNoSeriousViolationsInBothSchemes(page, path);
      else await expectNoSeriousViolations(page, `${path} (light)`);
    });
  }
});

test.describe('as a viewer', () => {
  test.use({ storageState: storageStateFile('viewer') });
  // The cluster page is the one a viewer sees differently (no drain, restore or weight buttons).
  test('axe: the cluster page as viewer (no action buttons)', async ({ page }) => {
    await page.goto('/clusters/lab');
    await expect(page.getByTestId('real-server-row').first()).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('drain-button')).toHaveCount(0);
    await expectNoSeriousViolations(page, '/clusters/lab as viewer (light)');
  });
});

test.describe('logged out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test('axe: login page', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByLabel('User name')).toBeVisible();
    await expectNoSeriousViolationsInBothSchemes(page, '/login');
  });
});

const DIALOGS: { name: string; path: string; open: (page: Page) => Promise<void> }[] = [
  { name: 'drain', path: '/clusters/lab', open: (p) => p.getByTestId('real-server-row').first().getByTestId('drain-button').click() },
  { name: 'set weight', path: '/clusters/lab', open: (p) => p.getByTestId('real-server-row').first().getByTestId('weight-button').click() },
  { name: 'drain host', path: '/hosts/192.0.2.11', open: (p) => p.getByTestId('drain-host-button').first().click() },
  {
    name: 'drain refused (last server)',
    path: '/hosts/198.51.100.13',
    open: async (p) => {
      await p.getByTestId('drain-host-button').first().click();
      await expect(p.getByTestId('plan-refusals')).toBeVisible();
    },
  },
];

test('axe: every drain, weight and HAProxy dialog as operator (each cancelled)', async ({ page }) => {
  test.setTimeout(600_000);
  for (const { name, path, open } of DIALOGS) {
    await test.step(`${name} dialog on ${path}`, async () => {
      await page.goto(path);
      await expect(page.locator('[data-testid="real-server-row"], [data-testid="host-row"]').first()).toBeVisible({ timeout: 60_000 });
      await open(page);
      const dialog = page.getByTestId('drain-dialog');
      await expect(dialog.locator('[data-testid="plan-entries"], [data-testid="plan-error"]').first()).toBeVisible();
      // The commands folded open too, with their copy buttons.
      await dialog.getByTestId('plan-commands').locator('summary').click();
      // The dialog alone: the pages behind it are scanned by the test above (the cluster page takes
      // axe ~20 s on a busy CI machine). The drain dialog's dark scan reads the whole page: the
      // cluster page in dark colours, with the dialog over it.
      await expectNoSeriousViolations(page, `${name} dialog on ${path} (light)`, '[data-testid="drain-dialog"]');
      if (name === 'drain') {
        await page.emulateMedia({ colorScheme: 'dark' });
        await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
        await expectNoSeriousViolations(page, `${name} dialog on ${path} (dark, whole page)`);
        await page.emulateMedia({ colorScheme: 'light' });
        await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
      }
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
    });
  }
  await test.step('HAProxy drain and maint dialogs', async () => {
    await page.goto('/clusters/lab/haproxy');
    for (const action of ['haproxy-drain', 'haproxy-maint']) {
      await page.getByTestId(action).first().click();
      const dialog = page.getByTestId('haproxy-dialog');
      await expect(dialog.getByTestId('haproxy-impact')).toBeVisible({ timeout: 60_000 });
      await expectNoSeriousViolations(page, `${action} dialog (light)`, '[data-testid="haproxy-dialog"]');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
    }
  });
});

test('dark mode: the toggle beats the system preference, is kept across loads and is applied before the first paint', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').selectOption('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  // The boot script is in the served <head>, with this response's CSP nonce.
  const served = await (await page.request.get('/')).text();
  const head = served.slice(0, served.indexOf('</head>'));
  expect(head).toMatch(/<script nonce="[^"]+">\(function\(\)\{try\{var k="lvs-console-theme"/);
  // On the next load the attribute is there when the document is parsed, before React runs.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      (window as unknown as { themeAtParse: string | null }).themeAtParse = document.documentElement.getAttribute('data-theme');
    });
  });
  await page.reload();
  expect(await page.evaluate(() => (window as unknown as { themeAtParse: string | null }).themeAtParse)).toBe('dark');
  await expect(page.getByTestId('theme-toggle')).toHaveValue('dark');
  await page.getByTestId('theme-toggle').selectOption('system');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
});

test('the tab title carries the health; the overview lists clusters worst first, as cards or a table; healthy directors fold to a line (passed checks: operator-world.spec); the services table at 1,024 px', async ({ page }) => {
  // At 1,024 px the page does not scroll sideways and the services table's key columns and a row's
  // actions are on screen without scrolling it (the figures on the right scroll inside the table).
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto('/clusters/lab');
  const scroller = page.getByTestId('services-scroll');
  const table = page.getByRole('table', { name: 'Virtual services' });
  await expect(page.getByTestId('drain-button').first()).toBeVisible();
  const box = async (l: Locator) => (await l.boundingBox()) ?? { x: 0, y: 0, width: Infinity, height: 0 };
  const visible = await box(scroller);
  for (const l of [...['Service / real server', 'Fwd', 'Weight', 'Health', 'Active', 'Inactive'].map((name) => table.getByRole('columnheader', { name, exact: true })), page.getByTestId('drain-button').first()]) {
    const b = await box(l);
    expect(b.x).toBeGreaterThanOrEqual(visible.x);
    expect(b.x + b.width).toBeLessThanOrEqual(Math.min(visible.x + visible.width, 1024));
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(page).toHaveTitle(/^[✓▲✖?] lab · LVS console$/);
  const health = await page.getByTestId('cluster-health').first().textContent();
  const symbol = /critical/i.test(health ?? '') ? '✖' : /warning/i.test(health ?? '') ? '▲' : '✓';
  await expect(page).toHaveTitle(new RegExp(`^[${symbol}?] lab`));
  const folded = page.getByTestId('healthy-directors');
  await expect(folded.locator(':scope > summary')).toContainText('healthy');
  await expect(page.getByTestId(`director-card-${'dir2'}`)).toBeAttached();

  await page.goto('/');
  await expect(page).toHaveTitle(/^[✓▲✖?] \d+ clusters · LVS console$/);
  const cards = page.locator('[data-testid^="cluster-card-"]');
  await expect(cards.first()).toBeVisible();
  const order = await cards.evaluateAll((els) => els.map((e) => e.querySelector('[data-testid="cluster-health"]')?.textContent ?? ''));
  const rank = (t: string) => (/critical/i.test(t) ? 0 : /warning/i.test(t) ? 1 : 2);
  expect(order.map(rank)).toEqual([...order.map(rank)].sort((a, b) => a - b));

  // The table view (the default past six clusters): chosen here, kept in the URL, one row a cluster.
  await page.getByTestId('overview-view-table').click();
  await expect(page).toHaveURL(/[?&]view=table/);
  await page.reload();
  await expect(page.getByTestId('overview-view-table')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('cluster-row-lab').getByTestId('cluster-table-masters')).toContainText('dir1');
  await expect(page.locator('[data-testid^="cluster-card-"]')).toHaveCount(0);
  await expectNoSeriousViolations(page, '/?view=table', '[data-testid="cluster-table"]');
  await page.getByTestId('cluster-row-lab').getByRole('link', { name: 'lab' }).click();
  await expect(page).toHaveURL(/\/clusters\/lab$/);
});

// The drain dialog's keyboard contract and its copy buttons, on one page load.
test('drain dialog: focus stays inside and returns to the opener; a disabled submit says why; Escape never drops a typed reason; copy buttons copy the exact command', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('real-server-row').first()).toBeVisible({ timeout: 60_000 });
  await test.step('focus starts inside, Tab and Shift+Tab stay inside, Escape closes and focus returns to the opener', async () => {
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

  await test.step('a disabled submit says why; Escape with a typed reason asks before dropping it', async () => {
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

  await test.step('copy buttons put the exact command on the clipboard', async () => {
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
