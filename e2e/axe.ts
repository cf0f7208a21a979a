import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

// axe-core in the browser (issue #22): fails on any serious or critical violation and prints each
// one with the rule, why it matters and the elements it found, so the fix can start from the
// report. Used by a11y.spec.ts (every page and dialog) and by the specs that already have a dialog
// in the state worth checking (drain.spec.ts: a drain's result, the restore dialog).

export const BLOCKING = new Set(['serious', 'critical']);

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

export async function expectNoSeriousViolations(page: Page, where: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  expect(blocking, describeViolations(where, blocking)).toEqual([]);
}

/** axe in light colours, then (the same page, switched by the system preference) in dark. */
export async function expectNoSeriousViolationsInBothSchemes(page: Page, where: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    await expectNoSeriousViolations(page, `${where} (${colorScheme})`);
  }
}
