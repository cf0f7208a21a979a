import type { ClusterEvent } from '@/lib/models/events';

// Events as CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma,
// a double quote, CR or LF (quotes doubled). Times as ISO-8601 UTC plus the epoch ms.

const COLUMNS: readonly [string, (e: ClusterEvent) => string | number | null][] = [
  ['id', (e) => e.id],
  ['cluster', (e) => e.cluster],
  ['kind', (e) => e.kind],
  ['at', (e) => new Date(e.at).toISOString()],
  ['at_ms', (e) => e.at],
  ['ended_at', (e) => (e.endedAt === null ? null : new Date(e.endedAt).toISOString())],
  ['duration_ms', (e) => e.durationMs],
  ['director', (e) => e.director],
  ['instance', (e) => e.instance],
  ['from_state', (e) => e.fromState],
  ['to_state', (e) => e.toState],
  ['from_master', (e) => e.fromMaster],
  ['to_master', (e) => e.toMaster],
  ['cause', (e) => e.cause],
  ['service', (e) => e.service],
  ['real_server', (e) => e.realServer],
  ['source', (e) => e.source],
  ['log_lines', (e) => e.logLines.join('\n')],
];

export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function eventsToCsv(events: readonly ClusterEvent[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...events.map((e) => COLUMNS.map(([, f]) => csvField(f(e))))];
  return rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
}
