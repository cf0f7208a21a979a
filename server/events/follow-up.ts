import 'server-only';
import type { ClusterConfig } from '@/server/config/schema';
import type { ClusterEvent, EventKind } from '@/lib/models/events';
import type { LogSync } from './log-sync';
import type { Recorded } from './recorder';
import type { EventStore } from './store';

// What follows a recorder tick that stored something: keepalived's logs are read to explain VRRP
// events (cause, log time, raw lines, failover gap), a director reachable again back-fills what
// happened while it was not, and new or ended failover/split-brain/no-master events go to the
// webhooks once explained (or once the log could not be read). At start-up every cluster is
// back-filled from its logs since its last stored event.

/** Events whose cause and exact time are in keepalived's log. */
const LOG_KINDS: readonly EventKind[] = ['failover', 'initial-election', 'vrrp-transition', 'no-master', 'split-brain', 'keepalived-down', 'keepalived-up'];

export interface Notify {
  notify: (event: ClusterEvent) => void;
}

export interface FollowUpOptions {
  clusters: readonly ClusterConfig[];
  store: EventStore;
  logSync: Pick<LogSync, 'sync'>;
  notifier: Notify;
  /** Wait this long before reading the logs (lets both directors finish writing). Default 500 ms. */
  delayMs?: number;
  log?: (line: string) => void;
}

export class EventFollowUp {
  private readonly log: (line: string) => void;

  constructor(private readonly opts: FollowUpOptions) {
    this.log = opts.log ?? ((l) => console.warn(l));
  }

  /** Back-fills every cluster from its directors' logs (console start-up). */
  async startup(): Promise<void> {
    await Promise.all(this.opts.clusters.map((c) => this.backfill(c.name)));
  }

  /** Back-fills one cluster from its directors' logs (start-up, or taking the cluster over from another console). */
  async backfill(cluster: string): Promise<void> {
    try {
      const r = await this.opts.logSync.sync(cluster, { add: true });
      for (const e of r.errors) this.log(`[events] back-fill of ${cluster}: log of ${e.director} unreadable: ${e.message}`);
    } catch (e) {
      this.log(`[events] back-fill of ${cluster} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** After EventRecorder.record(): returns when the follow-up (log read, notifications) is done. */
  async onRecorded(cluster: string, recorded: Recorded): Promise<void> {
    const stored = recorded.filter((r) => r.result.id !== '' && (r.result.action === 'inserted' || r.result.action === 'closed'));
    const missed = recorded.missedSince ?? null;
    if (stored.length === 0 && missed === null) return;
    const reconnect = stored.some((r) => r.event.kind === 'director-reachable');
    // A transition only keepalived's dump shows (a flap between two polls): its log says what it
    // was, e.g. a VIP removed outside keepalived (stored from the log: LOG_ONLY_KINDS).
    const needsLog = reconnect || missed !== null || stored.some((r) => LOG_KINDS.includes(r.event.kind));
    if (needsLog) {
      // A closing event's `at` is its interval's start: a reconnect reads back to the outage's start.
      const since = Math.min(...stored.map((r) => r.event.at), ...(missed === null ? [] : [missed]));
      await new Promise((r) => setTimeout(r, this.opts.delayMs ?? 500));
      try {
        const r = await this.opts.logSync.sync(cluster, { since, add: reconnect });
        for (const e of r.errors) this.log(`[events] ${cluster}: log of ${e.director} unreadable: ${e.message}`);
      } catch (e) {
        this.log(`[events] ${cluster}: reading the logs failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const id of new Set(stored.map((r) => r.result.id))) {
      const ev = this.opts.store.get(id);
      if (ev) this.opts.notifier.notify(ev);
    }
  }
}
