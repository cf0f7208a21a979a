import 'server-only';
import { coversCluster } from '@/lib/models/auth';
import type { ClusterEvent } from '@/lib/models/events';
import type { WebhookStatus } from '@/lib/models/webhooks';
import type { WebhookConfig } from '@/server/config/schema';
import { auditHeadBody, backoffMs, webhookBody } from './payload';
import type { DeliveryCounts, WebhookDeliveryStore } from './delivery-store';

// Sends events to the configured webhooks: one POST per event and webhook, retried with
// exponential backoff (attempts and per-attempt timeout per webhook) on a network error, a
// timeout, 429 or 5xx; other 4xx are final. The URL is a secret: it is never logged, never put in
// an error message or a status, and never leaves the server (status shows the name only).

export interface NotifierOptions {
  /** First retry delay; doubles each time up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Events older than this when they are stored are not sent (a back-fill of old history). */
  maxEventAgeMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  /** Where deliveries are counted, for every console sharing the store (default: this process's memory). */
  store?: WebhookDeliveryStore;
}

export type DeliveryOutcome = { ok: true; status: number; attempts: number } | { ok: false; status: number | null; attempts: number; error: string };

export const WEBHOOK_MAX_EVENT_AGE_MS = 5 * 60_000;

/** A failure in words that cannot contain the URL. */
function describeFailure(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timed out';
  const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return code ? `network error (${code})` : 'network error';
}

export class WebhookNotifier {
  private readonly status = new Map<string, WebhookStatus>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly hooks: readonly WebhookConfig[],
    private readonly opts: NotifierOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((l) => console.warn(l));
    for (const h of hooks) {
      this.status.set(h.name, { name: h.name, format: h.format, events: [...h.events], clusters: h.clusters ?? null, auditHead: h.auditHead, sent: 0, failed: 0, last: null });
    }
  }

  /** Sends the event to every webhook that wants it (in the background). */
  notify(event: ClusterEvent): void {
    if (this.now() - (event.endedAt ?? event.at) > (this.opts.maxEventAgeMs ?? WEBHOOK_MAX_EVENT_AGE_MS)) return;
    for (const h of this.hooks) {
      if (!h.events.includes(event.kind)) continue;
      if (!coversCluster(h.clusters, event.cluster)) continue;
      const p = this.deliver(h, event).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Last delivery per webhook (no URLs). */
  list(): WebhookStatus[] {
    let stored: Map<string, DeliveryCounts> | null = null;
    try {
      stored = this.opts.store?.read() ?? null;
    } catch (e) {
      this.log(`[webhooks] delivery counts unreadable, showing this console's own: ${e instanceof Error ? e.message : String(e)}`);
    }
    return [...this.status.values()].map((s) => ({ ...s, events: [...s.events], ...(stored ? (stored.get(s.name) ?? { sent: 0, failed: 0, last: null }) : {}) }));
  }

  /** Resolves when every delivery under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Sends the audit log's head (an anchor) to every webhook with auditHead (in the background). */
  notifyAuditHead(head: { id: number; hash: string; at: number }): void {
    for (const h of this.hooks) {
      if (!h.auditHead) continue;
      const p = this.post(h, JSON.stringify(auditHeadBody(head, h.format)), `audit head #${head.id}`).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  async deliver(hook: WebhookConfig, event: ClusterEvent): Promise<DeliveryOutcome> {
    const outcome = await this.post(hook, JSON.stringify(webhookBody(event, hook.format)), `event ${event.id}`);
    const s = this.status.get(hook.name);
    if (s) {
      if (outcome.ok) s.sent++;
      else s.failed++;
      s.last = {
        at: this.now(),
        eventId: event.id,
        kind: event.kind,
        ok: outcome.ok,
        status: outcome.status,
        attempts: outcome.attempts,
        error: outcome.ok ? null : outcome.error,
      };
      try {
        this.opts.store?.record(hook.name, s.last);
      } catch (e) {
        this.log(`[webhooks] ${hook.name}: delivery of event ${event.id} not counted in the store: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return outcome;
  }

  /** One POST with the hook's retries; failures are logged by what was sent, never by URL. */
  private async post(hook: WebhookConfig, body: string, what: string): Promise<DeliveryOutcome> {
    const doFetch = this.opts.fetch ?? fetch;
    let outcome: DeliveryOutcome = { ok: false, status: null, attempts: 0, error: 'not sent' };
    for (let attempt = 1; attempt <= hook.attempts; attempt++) {
      let retry = true;
      try {
        const r = await doFetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'lvs-console-webhook' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(hook.timeoutMs),
        });
        await r.arrayBuffer().catch(() => undefined);
        if (r.ok) {
          outcome = { ok: true, status: r.status, attempts: attempt };
          break;
        }
        retry = r.status === 429 || r.status >= 500;
        outcome = { ok: false, status: r.status, attempts: attempt, error: `HTTP ${r.status}` };
      } catch (e) {
        outcome = { ok: false, status: null, attempts: attempt, error: describeFailure(e) };
      }
      if (!retry || attempt === hook.attempts) break;
      this.log(`[webhooks] ${hook.name}: attempt ${attempt} of ${hook.attempts} for ${what} failed (${outcome.ok ? '' : outcome.error}); retrying`);
      await new Promise((r) => setTimeout(r, backoffMs(attempt, this.opts.baseBackoffMs ?? 1000, this.opts.maxBackoffMs ?? 30_000)));
    }
    if (!outcome.ok) this.log(`[webhooks] ${hook.name}: gave up on ${what} after ${outcome.attempts} attempt(s): ${outcome.error}`);
    return outcome;
  }
}
