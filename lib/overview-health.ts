import type { ClusterHealth } from '@/lib/models/cluster';

// Less noise (issue 22 item 9): the tab title carries the health, so a glance at the browser's tab
// strip says whether to look; the overview lists the clusters that need attention first.

const RANK: Record<ClusterHealth, number> = { critical: 0, warning: 1, ok: 2 };
const SYMBOL: Record<ClusterHealth, string> = { critical: '✖', warning: '▲', ok: '✓' };

/** "✖ lab", "▲ lab", "✓ lab"; "? lab" while its data is stale (nothing known is shown as fine). */
export function healthTitle(name: string, health: ClusterHealth, stale = false): string {
  return `${stale ? '?' : SYMBOL[health]} ${name}`;
}

/** The worst health among clusters (ok when there are none). */
export function worstHealth(healths: readonly ClusterHealth[]): ClusterHealth {
  return healths.reduce<ClusterHealth>((worst, h) => (RANK[h] < RANK[worst] ? h : worst), 'ok');
}

/** Critical first, then warning, then healthy; stale before live within each; then by name. A new array. */
export function worstFirst<T extends { name: string; health: ClusterHealth; stale?: boolean }>(clusters: readonly T[]): T[] {
  return [...clusters].sort((a, b) => RANK[a.health] - RANK[b.health] || Number(Boolean(b.stale)) - Number(Boolean(a.stale)) || a.name.localeCompare(b.name));
}

/** The overview's tab title: one cluster by its name, several by the worst health and their count. */
export function overviewTitle(clusters: readonly { name: string; health: ClusterHealth; stale?: boolean }[]): string {
  const only = clusters.length === 1 ? clusters[0] : undefined;
  if (only) return healthTitle(only.name, only.health, only.stale);
  if (clusters.some((c) => c.stale)) return `? ${clusters.length} clusters`;
  return `${SYMBOL[worstHealth(clusters.map((c) => c.health))]} ${clusters.length} clusters`;
}

/** The overview as cards or as a table, kept in its URL (?view=). */
export type OverviewView = 'cards' | 'table';
export const OVERVIEW_VIEW_PARAM = 'view';

/** The view a URL asks for; null (the default for the cluster count) for anything else. */
export function parseOverviewView(v: unknown): OverviewView | null {
  return v === 'cards' || v === 'table' ? v : null;
}
