// E2E helpers: the lab's control verbs, as an operator would use them (the same as the lab tests').
import type { Locator, Page } from '@playwright/test';

export { ctl, mysqlTraffic } from '../server/testing/lab-ctl';

/**
 * The README's pictures (docs/screenshots): taken where a spec has the page in the state worth
 * showing, only when LVS_SCREENSHOT_DIR is set (`LVS_SCREENSHOT_DIR=docs/screenshots npx playwright
 * test e2e/console.spec.ts e2e/haproxy.spec.ts`); otherwise nothing happens.
 */
export async function readmeScreenshot(page: Page, name: string, options: { height?: number } = {}): Promise<void> {
  const dir = process.env.LVS_SCREENSHOT_DIR;
  if (!dir) return;
  await page.setViewportSize({ width: 1400, height: 900 });
  // Taller than the window: the page from its top, cut at `height` pixels.
  const clip = options.height ? { x: 0, y: 0, width: 1400, height: options.height } : undefined;
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: clip !== undefined, ...(clip ? { clip } : {}) });
}

/** A README picture of one element (a chart, a panel), under the same switch as readmeScreenshot. */
export async function readmeElementScreenshot(locator: Locator, name: string): Promise<void> {
  const dir = process.env.LVS_SCREENSHOT_DIR;
  if (!dir) return;
  await locator.screenshot({ path: `${dir}/${name}.png` });
}
