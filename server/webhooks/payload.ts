import { describeEvent } from '@/lib/event-text';
import { INTERVAL_KINDS, type ClusterEvent } from '@/lib/models/events';

// Pure: the body POSTed for an event. 'slack': Slack/Mattermost incoming-webhook `text`;
// 'json': the same `text` plus the event itself (without raw log lines beyond a few).

export type WebhookFormat = 'json' | 'slack';

export interface WebhookBody {
  text: string;
  event?: ClusterEvent & { ended: boolean };
}

const MAX_LOG_LINES = 20;

export function webhookBody(event: ClusterEvent, format: WebhookFormat): WebhookBody {
  // A failover is a warning; an interval (gap, split brain, outage) critical while it lasts; other
  // points (an initial election, something back up) are information.
  const level = event.kind === 'failover' ? 'WARNING' : !INTERVAL_KINDS.includes(event.kind) ? 'INFO' : event.endedAt === null ? 'CRITICAL' : 'RESOLVED';
  const text = `[LVS ${level}] ${describeEvent(event)} (${new Date(event.at).toISOString()})`;
  if (format === 'slack') return { text };
  return { text, event: { ...event, logLines: event.logLines.slice(0, MAX_LOG_LINES), ended: event.endedAt !== null } };
}

/** The audit log's head as an anchor: `lvsctl audit verify --anchor ID:HASH` checks the chain still reaches it. */
export function auditHeadBody(head: { id: number; hash: string; at: number }, format: WebhookFormat): { text: string; auditHead?: { id: number; hash: string; at: number } } {
  const text = `[LVS audit] head id=${head.id} hash=${head.hash} (${new Date(head.at).toISOString()}); check later with: lvsctl audit verify --anchor ${head.id}:${head.hash}`;
  return format === 'slack' ? { text } : { text, auditHead: { id: head.id, hash: head.hash, at: head.at } };
}

/** Wait before attempt n+1 (n from 1): base, 2×, 4×… capped, with ±20 % jitter from `random`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
