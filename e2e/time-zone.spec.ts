import { expect, test, type Locator } from '@playwright/test';

// Issue 22 item 7: one time format, with its zone, and a Local / UTC toggle in the top bar that
// every clock follows (kept in this browser). The browser runs in New York so that local time and
// UTC differ whatever zone the machine running the tests is in.
test.use({ timezoneId: 'America/New_York' });

/** "2024-05-02 12:03:04" in a zone, as the console prints a clock with its date. */
function clockIn(at: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

async function instantOf(time: Locator): Promise<number> {
  const at = Date.parse((await time.getAttribute('datetime')) ?? '');
  expect(Number.isNaN(at)).toBe(false);
  return at;
}

test('times carry their zone; the top bar switches every clock between local time and UTC, kept across loads', async ({ page }) => {
  await page.goto('/audit');
  const toggle = page.getByTestId('time-zone-toggle');
  await expect(toggle).toHaveValue('local');
  const time = page.getByTestId('audit-row').first().locator('time');
  const at = await instantOf(time);
  const ny = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' }).formatToParts(at).find((x) => x.type === 'timeZoneName')?.value;
  await expect(time).toHaveText(`${clockIn(at, 'America/New_York')} ${ny}`);

  try {
    await toggle.selectOption('utc');
    await expect(time).toHaveText(`${clockIn(at, 'UTC')} UTC`);

    // Kept across loads, and followed by the ticking clocks of the cluster page.
    await page.goto('/clusters/lab');
    await expect(toggle).toHaveValue('utc');
    const since = page.getByTestId('master-summary').locator('time').first();
    const sinceAt = await instantOf(since);
    await expect(since).toContainText(`${clockIn(sinceAt, 'UTC').slice(11)} UTC`);

    // A custom timeline window is typed in the zone shown, which its label names.
    await page.goto('/clusters/lab/events');
    await page.getByTestId('timeline-range').selectOption('custom');
    await expect(page.getByText('From (UTC)')).toBeVisible();
    await page.getByTestId('timeline-from').fill('2026-01-02T03:04');
    await expect(page).toHaveURL(new RegExp(`from=${Date.UTC(2026, 0, 2, 3, 4)}`));
  } finally {
    await toggle.selectOption('local');
  }
  await expect(toggle).toHaveValue('local');
});
