import type { DirectorView } from '@/lib/models/cluster';

// Less noise (issue 22 item 9): a director with nothing to say is folded into one line with the
// others like it; a card stays open only when there is something to read on it.

/** Live, keepalived running, no error, conntrack at most 80 % full. Unknowns are not healthy. */
export function isHealthyDirector(d: Pick<DirectorView, 'live' | 'keepalivedRunning' | 'error' | 'health'>): boolean {
  if (!d.live || d.keepalivedRunning !== true || d.error) return false;
  const count = d.health?.conntrackCount;
  const max = d.health?.conntrackMax;
  return !(count != null && max != null && max > 0 && count / max > 0.8);
}

/** Behind when the interval it actually gets is over twice the poll interval (the alert the README
 *  suggests): a slow director, or a console short of CPU (then every director stretches alike). */
export const BEHIND_FACTOR = 2;

/** The live directors refreshed at a stretched interval, slowest first, with that interval. */
export function laggingDirectors(directors: readonly Pick<DirectorView, 'name' | 'live' | 'refreshIntervalMs'>[], pollIntervalMs: number): { name: string; intervalMs: number }[] {
  return directors
    .flatMap((d) => (d.live && d.refreshIntervalMs != null && d.refreshIntervalMs > BEHIND_FACTOR * pollIntervalMs ? [{ name: d.name, intervalMs: d.refreshIntervalMs }] : []))
    .sort((a, b) => b.intervalMs - a.intervalMs || a.name.localeCompare(b.name));
}
