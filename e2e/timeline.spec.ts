import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import YAML from 'yaml';
import { ctl } from './lab';

// The failover history against the lab: a graceful keepalived stop on dir1 shows as a failover
// dir1 -> dir2 with its cause and gap on the cluster page's timeline, the raw log lines one click away, and the configured webhook (the run's receiver
// on loopback, e2e/webhook-receiver.mjs) gets the notification. dir1 is started again and preempts back.

const ROOT = path.resolve(__dirname, '..');

interface Received {
  path: string | undefined;
  body: { text: string; event?: { kind: string; fromMaster: string | null; toMaster: string | null; instance: string | null; at: number; cause: string | null } };
}

function webhookUrl(): URL {
  const cfg = YAML.parse(fs.readFileSync(path.join(ROOT, 'test-results', 'e2e-console.yaml'), 'utf8')) as { webhooks: { url: string }[] };
  const url = cfg.webhooks[0]?.url;
  if (!url) throw new Error('the e2e configuration has no webhook');
  return new URL(url);
}

/** What the run's webhook receiver (e2e/webhook-receiver.mjs, started by playwright.config.ts) got so far. */
async function received(url: URL): Promise<Received[]> {
  const r = await fetch(`http://127.0.0.1:${url.port}/__received`);
  if (!r.ok) throw new Error(`webhook receiver: HTTP ${r.status}`);
  return (await r.json()) as Received[];
}

/** Failover rows of the timeline newer than `since`, as [instance, from, to]. */
async function failoversSince(page: Page, since: number, from: string, to: string): Promise<string[]> {
  return page
    .locator(`[data-testid="timeline-event"][data-kind="failover"][data-from-master="${from}"][data-to-master="${to}"]`)
    .evaluateAll((els, t) => els.filter((e) => Number((e as HTMLElement).dataset.at) >= t).map((e) => (e as HTMLElement).dataset.instance ?? ''), since);
}

test('a graceful keepalived stop on dir1: failover dir1 -> dir2 with cause and gap in the timeline, and the webhook notified', async ({ page }) => {
  test.setTimeout(300_000);
  const url = webhookUrl();
  // The cause first (issue 22, item 3): checked on the first screen of a 1440x900 window.
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto('/clusters/lab');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
    await expect(page.getByTestId('master-summary-VI_V4')).toContainText('dir1 master since');
    // Let the console's start-up back-fill and first explanations settle.
    await expect(page.getByTestId('timeline-list').or(page.getByTestId('timeline-empty'))).toBeVisible();

    const t0 = Date.now() - 1000;
    await ctl('keepalived', 'stop', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir2', { timeout: 30_000 });
    const seenAt = Date.now();
    await expect(page.getByTestId('director-card-dir1').getByTestId('director-keepalived')).toHaveAttribute('data-running', 'false');
    // The failover row follows the page showing the new master (how soon is logged, not asserted)...
    const anyToDir2 = () =>
      page
        .locator('[data-testid="timeline-event"][data-kind="failover"][data-to-master="dir2"][data-instance="VI_V4"]')
        .evaluateAll((els, t) => els.filter((e) => Number((e as HTMLElement).dataset.at) >= t).length, t0);
    await expect.poll(anyToDir2, { timeout: 60_000, intervals: [250] }).toBeGreaterThan(0);
    const shownAfterMs = Date.now() - seenAt;
    // ...and, once keepalived's logs are read, the previous master (an observation across a
    // transient split or gap may not know it), the log time, the cause and the gap.
    await expect.poll(() => failoversSince(page, t0, 'dir1', 'dir2'), { timeout: 20_000, intervals: [250] }).toContain('VI_V4');
    const explainedAfterMs = Date.now() - seenAt;

    const row = page.locator('[data-testid="timeline-event"][data-kind="failover"][data-from-master="dir1"][data-to-master="dir2"][data-instance="VI_V4"]').first();
    await expect(row.getByTestId('failover-from')).toHaveText('dir1');
    await expect(row.getByTestId('failover-to')).toHaveText('dir2');
    // The cause comes from keepalived's logs, read right after the event.
    await expect(row.getByTestId('timeline-cause')).toContainText('priority 0', { timeout: 15_000 });
    // The gap comes with the log read that explains the failover (slow on a loaded machine).
    await expect(row.getByTestId('failover-gap')).toHaveText(/^\d+(\.\d)? s$/, { timeout: 30_000 });

    // The cause on the first screen: the "last hour" list has this failover (VI_V4 and VI_V6 in one
    // line) with its cause, and the header's last failover names it too, both without scrolling.
    const item = page.locator('[data-testid="recent-event"][data-kind="failover"][data-from-master="dir1"][data-to-master="dir2"]').first();
    await expect
      .poll(async () => ((await item.count()) > 0 && Number(await item.getAttribute('data-at')) >= t0 ? await item.getByTestId('recent-cause').textContent() : `none newer than t0: ${await page.getByTestId('recent-events').or(page.getByTestId('recent-empty')).first().innerText()}`), { timeout: 30_000 })
      .toContain('priority 0');
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await expect(item.getByTestId('recent-cause')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('last-failover-VI_V4')).toHaveAttribute('data-to-master', 'dir2');
    await expect(page.getByTestId('last-failover-cause-VI_V4')).toContainText('priority 0');
    await expect(page.getByTestId('last-failover-cause-VI_V4')).toBeInViewport({ ratio: 1 });

    // Its link leads to the event's row on the timeline: its burst opened, scrolled into view and marked.
    const id = await item.getAttribute('data-event-id');
    await item.getByTestId('recent-link').click();
    await expect(page).toHaveURL(new RegExp(`#event-${id}$`));
    const target = page.locator(`#event-${id}`);
    await expect(target).toHaveAttribute('data-testid', 'timeline-event');
    await expect(target).toHaveAttribute('data-kind', 'failover');
    await expect(target).toHaveAttribute('data-to-master', 'dir2');
    await expect(target).toHaveAttribute('aria-current', 'location');
    await expect(target).toBeInViewport();
    await expect(target.getByTestId('timeline-cause')).toContainText('priority 0');
    // The header's link: the same kind of row, for VI_V4's failover.
    const headerId = await page.getByTestId('last-failover-VI_V4').getAttribute('data-event-id');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByTestId('last-failover-link-VI_V4').click();
    await expect(page.locator(`#event-${headerId}`)).toBeInViewport();
    await expect(page.locator(`#event-${headerId}`)).toHaveAttribute('data-instance', 'VI_V4');

    // The raw log lines one click away (the burst holding the row is open by now: the links opened it).
    const burst = page.getByTestId('timeline-burst').filter({ has: page.locator('[data-testid="timeline-event"][data-kind="failover"][data-from-master="dir1"][data-to-master="dir2"][data-instance="VI_V4"]') }).first();
    if ((await burst.count()) > 0 && !(await row.getByText(/^Log lines/).isVisible())) await burst.getByTestId('burst-summary').click();
    await row.getByText(/^Log lines/).click();
    await expect(row.getByTestId('timeline-log').locator('pre')).toContainText('(VI_V4) Entering MASTER STATE');

    // The webhook: a JSON POST to the configured (secret) path, with the event and a text.
    const hooks = async () => (await received(url)).filter((r) => r.body.event?.kind === 'failover' && r.body.event.toMaster === 'dir2' && r.body.event.at >= t0);
    await expect.poll(async () => (await hooks()).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const hook = (await hooks())[0];
    expect(hook?.path).toBe(url.pathname);
    expect(hook?.body.text).toMatch(/lab: failover of VI_V(4|6) from dir1 to dir2/);
    console.log(`failover shown ${shownAfterMs} ms, explained ${explainedAfterMs} ms after the page showed dir2 as master; webhook got ${(await hooks()).length} failover notification(s)`);

    // dir1 comes back and preempts: the failover dir2 -> dir1 follows.
    await ctl('keepalived', 'start', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
    await expect.poll(() => failoversSince(page, t0, 'dir2', 'dir1'), { timeout: 15_000 }).toContain('VI_V4');

    // The all-clusters page and its export links.
    await page.goto('/events');
    await expect.poll(() => failoversSince(page, t0, 'dir1', 'dir2'), { timeout: 15_000 }).toContain('VI_V4');
    const csvHref = await page.getByTestId('export-csv').getAttribute('href');
    const csv = await page.request.get(csvHref ?? '');
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toMatch(/failover,.*dir1,dir2/);
  } finally {
    await ctl('keepalived', 'start', 'dir1'); // idempotent; if it fails the lab is broken: say so
  }
});

/** Rows of one kind newer than `since` (data-open says whether the interval still lasts). */
async function rowsSince(page: Page, kind: string, since: number): Promise<{ instance: string; open: string; from: string; to: string; cause: string }[]> {
  return page.locator(`[data-testid="timeline-event"][data-kind="${kind}"]`).evaluateAll(
    (els, t) =>
      els
        .map((e) => e as HTMLElement)
        .filter((e) => Number(e.dataset.at) >= t)
        .map((e) => ({
          instance: e.dataset.instance ?? '',
          open: e.dataset.open ?? '',
          from: e.dataset.fromMaster ?? '',
          to: e.dataset.toMaster ?? '',
          cause: e.querySelector('[data-testid="timeline-cause"]')?.textContent ?? '',
        })),
    since,
  );
}

test('a VRRP fault from the track script is recorded with the script name', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const t0 = Date.now() - 1000;
  try {
    await ctl('fault', 'dir1', 'on');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir2', { timeout: 60_000 });
    await expect
      .poll(async () => (await rowsSince(page, 'failover', t0)).filter((r) => r.instance === 'VI_V4' && r.from === 'dir1' && r.to === 'dir2').map((r) => r.cause), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining('track script chk_fault_flag failed on dir1'));
  } finally {
    await ctl('fault', 'dir1', 'off');
  }
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
});

test('kill -9 of keepalived on dir1 leaves the VIPs behind: split brain until keepalived starts again', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const t0 = Date.now() - 1000;
  try {
    await ctl('keepalived', 'kill', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveAttribute('data-split-brain', 'true', { timeout: 60_000 });
    await expect.poll(async () => (await rowsSince(page, 'split-brain', t0)).filter((r) => r.instance === 'VI_V4' && r.open === 'true').length, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await rowsSince(page, 'keepalived-down', t0)).length, { timeout: 15_000 }).toBeGreaterThan(0);
  } finally {
    await ctl('keepalived', 'start', 'dir1');
  }
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  // The split brain ended: its row closed, and none left open. (When dir1 preempts, dir2 can keep
  // the VIPs for a few polls on a loaded machine: seen in CI as a second, 7-second split brain,
  // rightly recorded and closed as well.)
  await expect
    .poll(
      async () => {
        const open = (await rowsSince(page, 'split-brain', t0)).filter((r) => r.instance === 'VI_V4').map((r) => r.open);
        return open.length > 0 && open.every((o) => o === 'false');
      },
      { timeout: 30_000 },
    )
    .toBe(true);
});

test('a VRRP partition between the directors shows split brain while it lasts, and its end', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const t0 = Date.now() - 1000;
  try {
    await ctl('partition', 'on');
    await expect(page.getByTestId('master-VI_V4')).toHaveAttribute('data-split-brain', 'true', { timeout: 60_000 });
    await expect.poll(async () => (await rowsSince(page, 'split-brain', t0)).filter((r) => r.instance === 'VI_V4' && r.open === 'true').length, { timeout: 15_000 }).toBe(1);
  } finally {
    await ctl('partition', 'off');
  }
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  await expect.poll(async () => (await rowsSince(page, 'split-brain', t0)).filter((r) => r.instance === 'VI_V4').map((r) => r.open), { timeout: 15_000 }).toEqual(['false']);
});

test('keepalived starting with no master before is the initial election, not a failover with an advert timeout', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/clusters/lab');
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
  const running = (d: string) => page.getByTestId(`director-card-${d}`).getByTestId('director-keepalived');
  try {
    // keepalived stopped on both directors: no master, and nothing of the VRRP state is left.
    await ctl('keepalived', 'stop', 'dir2');
    await ctl('keepalived', 'stop', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toContainText('no master', { timeout: 30_000 });
    await expect(running('dir1')).toHaveAttribute('data-running', 'false', { timeout: 30_000 });
    await expect(running('dir2')).toHaveAttribute('data-running', 'false', { timeout: 30_000 });
    const t1 = Date.now() - 1000;
    await ctl('keepalived', 'start', 'dir1');
    await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1', { timeout: 60_000 });
    // An initial election of dir1, its cause from the log: keepalived started, no master before...
    await expect
      .poll(async () => (await rowsSince(page, 'initial-election', t1)).filter((r) => r.instance === 'VI_V4' && r.to === 'dir1').map((r) => r.cause), { timeout: 30_000 })
      .toContainEqual(expect.stringContaining('keepalived started on dir1'));
    // ...and no failover (least of all one "from unknown: advert timeout from the master").
    expect((await rowsSince(page, 'failover', t1)).filter((r) => r.instance === 'VI_V4')).toEqual([]);
    // The header's last-failover line (always rendered; its cause part only when one is known).
    await expect(page.getByTestId('last-failover-VI_V4')).toBeVisible();
    await expect(page.getByTestId('last-failover-VI_V4')).not.toContainText('advert timeout');
  } finally {
    await ctl('keepalived', 'start', 'dir1');
    await ctl('keepalived', 'start', 'dir2');
  }
  await expect(page.getByTestId('vrrp-state-VI_V4-dir2')).toHaveText(/BACKUP/, { timeout: 60_000 });
  await expect(page.getByTestId('master-VI_V4')).toHaveText('dir1');
});
