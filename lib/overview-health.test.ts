import { describe, expect, it } from 'vitest';
import { healthTitle, overviewTitle, parseOverviewView, worstFirst, worstHealth } from './overview-health';

describe('healthTitle', () => {
  it.each([
    ['critical', false, '✖ lab'],
    ['warning', false, '▲ lab'],
    ['ok', false, '✓ lab'],
    ['ok', true, '? lab'],
  ] as const)('%s (stale %s) is %s', (health, stale, title) => {
    expect(healthTitle('lab', health, stale)).toBe(title);
  });
});

describe('worstHealth', () => {
  it('is the worst of them, ok when there are none', () => {
    expect(worstHealth([])).toBe('ok');
    expect(worstHealth(['ok', 'warning', 'ok'])).toBe('warning');
    expect(worstHealth(['warning', 'critical', 'ok'])).toBe('critical');
  });
});

describe('worstFirst', () => {
  it('orders critical, warning, ok; stale first within a health; then by name; without touching its input', () => {
    const input = [
      { name: 'b-ok', health: 'ok' as const },
      { name: 'a-ok', health: 'ok' as const },
      { name: 'z-warn', health: 'warning' as const },
      { name: 'c-ok-stale', health: 'ok' as const, stale: true },
      { name: 'y-crit', health: 'critical' as const },
    ];
    expect(worstFirst(input).map((c) => c.name)).toEqual(['y-crit', 'z-warn', 'c-ok-stale', 'a-ok', 'b-ok']);
    expect(input[0]?.name).toBe('b-ok');
  });
});

describe('overviewTitle', () => {
  it('names a lone cluster, counts several under the worst health, and says "?" when any is stale', () => {
    expect(overviewTitle([{ name: 'lab', health: 'warning' }])).toBe('▲ lab');
    expect(overviewTitle([{ name: 'a', health: 'ok' }, { name: 'b', health: 'critical' }])).toBe('✖ 2 clusters');
    expect(overviewTitle([{ name: 'a', health: 'ok' }, { name: 'b', health: 'ok' }])).toBe('✓ 2 clusters');
    expect(overviewTitle([{ name: 'a', health: 'ok', stale: true }, { name: 'b', health: 'ok' }])).toBe('? 2 clusters');
    expect(overviewTitle([])).toBe('✓ 0 clusters');
  });
});

describe('parseOverviewView', () => {
  it('takes cards or table from the URL and nothing else', () => {
    expect([parseOverviewView('cards'), parseOverviewView('table'), parseOverviewView('TABLE'), parseOverviewView(['table']), parseOverviewView(undefined)]).toEqual(['cards', 'table', null, null, null]);
  });
});
