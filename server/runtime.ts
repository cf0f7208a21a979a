import 'server-only';
import { getConfig, readEnvironment } from '@/server/config/load';
import type { ConsoleConfig } from '@/server/config/schema';
import { openStore, type Db } from '@/server/db';
import { Collector } from '@/server/collector/collector';
import { HistoryStore } from '@/server/collector/history';
import { createDirectorRefresher } from '@/server/collector/refresh-director';
import { serverListingParser, type ListingParser } from '@/server/collector/listing-parser';
import { describeRefreshError } from '@/server/ssh/describe-error';
import { EventRecorder } from '@/server/events/recorder';
import { EventStore } from '@/server/events/store';
import { EventFollowUp } from '@/server/events/follow-up';
import { LogSync, sshLogReader, sshNetworkManagerLogReader } from '@/server/events/log-sync';
import { WebhookNotifier } from '@/server/webhooks/notifier';
import { AuditAnchors } from '@/server/audit/anchor';
import { auditKeyForWriting } from '@/server/audit/key';
import { AuditLog, newestKeyedRow } from '@/server/audit/log';
import { createDrain, type Drain } from '@/server/drain/compose';
import { IntentStore } from '@/server/drain/intent-store';
import { MaintenanceService } from '@/server/maintenance/service';
import { MaintenanceStore } from '@/server/maintenance/store';
import { HaproxyService } from '@/server/haproxy/service';
import { RolloutService } from '@/server/rollout/service';
import { RolloutStore } from '@/server/rollout/store';
import { HaproxyHoldStore } from '@/server/haproxy/hold-store';
import { createAuthService, type AuthService } from '@/server/auth/service';
import type { SshPool } from '@/server/ssh/pool';
import type { ConsoleShare } from '@/server/leases/gate';
import { Leadership, STORE_LEASE } from '@/server/leases/leadership';
import { logStoreFailure } from '@/server/db/outage-log';
import { storeLockFor } from '@/server/leases/store-lock';
import { WebhookDeliveryStore } from '@/server/webhooks/delivery-store';

// The process-wide services. createRuntime builds them from a configuration and injectable
// dependencies (tests and benches build their own); getRuntime keeps the process's one on
// globalThis so every route bundle, the instrumentation hook and dev-mode reloads share one
// collector and one SSH pool.

export interface Runtime {
  config: ConsoleConfig;
  db: Db;
  history: HistoryStore;
  events: EventStore;
  /** keepalived log back-fill and explanation of events (#6). */
  logSync: LogSync;
  webhooks: WebhookNotifier;
  audit: AuditLog;
  collector: Collector;
  /** Drains, restores and re-weights (#5): the actions, their progress, the reconciler. */
  drain: Drain;
  /** Director maintenance (#17): VIPs moved off a director through keepalived's track file. */
  maintenance: MaintenanceService;
  /** HAProxy pools beside LVS (#8). */
  haproxy: HaproxyService;
  /** Rolling maintenance (#18): batches of hosts drained, maintained, ramped back and checked. */
  rollouts: RolloutService;
  /** Access control: accounts, tokens, sessions, the failed-login limiter. */
  auth: AuthService;
  /** Which clusters this console leads among those sharing its store (#16). */
  leadership: Leadership;
  /** Observe every exec channel the runtime's one SSH pool opens (tests and numbers count them); returns the unsubscribe. */
  onChannel: SshPool['onChannel'];
  /** Write what the audit log holds in memory (refusal counts) and log its head; synchronous, for process exit. Never throws. */
  flushAudit: () => void;
  close: () => Promise<void>;
}

/** What a runtime takes besides its configuration. */
export interface RuntimeDeps {
  /** Parses the ipvsadm listings and keepalived dumps of a refresh (default: on this thread). */
  listingParser?: ListingParser;
  /** The clock of the drain service and access control (default Date.now). */
  now?: () => number;
}

const KEY = Symbol.for('lvs-console.runtime');
type Holder = { [KEY]?: Runtime };

export function createRuntime(config: ConsoleConfig, deps: RuntimeDeps = {}): Runtime {
  const now = deps.now ?? (() => Date.now());
  const db = openStore(config);
  // The audit chain's HMAC key, outside the database (made on first start); missing once rows are
  // keyed, another one, or unusable: no start (the message says what to do).
  let auditKey;
  try {
    auditKey = auditKeyForWriting(config, newestKeyedRow(db));
  } catch (e) {
    db.close();
    throw e;
  }
  // Several consoles on one store (#16): per cluster one leads the side effects; changes to a
  // cluster are locked across them. On SQLite (one console per file) this console leads everything.
  // Back-fill of a cluster's events when this console takes it (start-up included): what happened
  // while nobody led it comes from the directors' logs.
  const leadership = new Leadership({
    db,
    clusters: config.clusters.map((c) => c.name),
    ttlMs: config.store.kind === 'postgres' ? config.store.leaseMs : 10_000,
    intervalMs: config.pollIntervalMs,
    onAcquire: (name) => {
      if (name !== STORE_LEASE && !closing) void followUp.backfill(name);
    },
    log: (line) => console.warn(line),
  });
  const share: ConsoleShare = { leads: (c) => leadership.leads(c), storeLock: storeLockFor(db) };
  const history = new HistoryStore(db);
  const events = new EventStore(db);
  const audit = new AuditLog(db, { key: auditKey, console: leadership.me.id });
  const recorder = new EventRecorder(events);
  const refresher = createDirectorRefresher(config, deps.listingParser);
  // Events (#6): logs explain and back-fill them; failovers, split brains and gaps go to webhooks.
  const webhooks = new WebhookNotifier(config.webhooks, { store: new WebhookDeliveryStore(db, leadership.me.id) });
  const logSync = new LogSync({
    clusters: config.clusters,
    store: events,
    readLog: sshLogReader(refresher.pool, config.ssh.commandTimeoutMs),
    readNetworkManagerLog: sshNetworkManagerLogReader(refresher.pool, config.ssh.commandTimeoutMs),
    onAdded: (added) => added.forEach((e) => webhooks.notify(e)),
  });
  const followUp = new EventFollowUp({ clusters: config.clusters, store: events, logSync, notifier: webhooks });
  // Drains (#5): holds and findings join every merged snapshot; each director report and tick
  // reaches the reconciler (the collector's hooks; nothing calls back into the action path).
  const drain = createDrain({ config, store: new IntentStore(db), audit, events, pool: refresher.pool, clusters: () => collector, now, share });
  // Director maintenance (#17): under the drain's per-cluster lock, so no change interleaves with a switch.
  const maintenance = new MaintenanceService({ config, store: new MaintenanceStore(db), audit, events, pool: refresher.pool, clusters: () => collector, mutex: drain.mutex, now, leads: share.leads });
  // HAProxy (#8): holds outlive HAProxy reloads; the reconciler re-applies them while any are open.
  const haproxy = new HaproxyService({
    clusters: config.clusters,
    pool: refresher.pool,
    audit,
    holds: new HaproxyHoldStore(db),
    commandTimeoutMs: config.ssh.commandTimeoutMs,
    intervalMs: config.pollIntervalMs,
    reconcile: config.drain.reconcile,
    share,
  });
  // Rolling maintenance (#18): on the drain's actions; its steps go to the timeline and webhooks.
  const rollouts = new RolloutService({
    config,
    store: new RolloutStore(db),
    drain: drain.service,
    progress: (cluster, target) => drain.progress.progress(cluster, target, undefined, false),
    clusters: () => collector,
    audit,
    recordEvent: (e) => ({ ...e, id: events.add(e).id }),
    notify: (e) => webhooks.notify(e),
    now,
    share,
  });
  const collector: Collector = new Collector({
    clusters: config.clusters,
    pollIntervalMs: config.pollIntervalMs,
    refresh: refresher.refresh,
    describeError: describeRefreshError,
    augment: drain.hooks.augment,
    onDirector: (cluster, _obs, snapshot) => drain.hooks.onDirector(cluster, snapshot),
    onTick: (s) => {
      // Every console polls what it shows; the cluster's leader alone stores history and events.
      const leads = leadership.leads(s.name);
      try {
        if (leads) history.record(s);
      } catch (e) {
        logStoreFailure('[history] recording failed', e);
      }
      try {
        // The recorder watches on every console (its baseline stays current); the leader stores, and
        // its follow-up (log reads that explain events, webhooks) outlives a tick: one still running
        // when the runtime closes finds the database shut.
        const recorded = recorder.record(s, leads);
        if (leads) {
          followUp.onRecorded(s.name, recorded).catch((e: unknown) => {
            if (!closing) console.error('[events] follow-up failed', e);
          });
        }
      } catch (e) {
        logStoreFailure('[events] recording failed', e);
      }
      void drain.hooks.onTick(s);
    },
  });
  collector.start();
  haproxy.start();
  rollouts.drive();
  // History compaction every minute, a few hundred series a step so requests are answered between
  // steps; one run at a time, and none once the runtime is closing.
  let compacting = false;
  let closing = false;
  // After `closing` exists: taking a cluster starts its back-fill (the first tick takes them all on SQLite).
  leadership.start();
  const compact = setInterval(() => {
    if (compacting || !leadership.leads(STORE_LEASE)) return;
    compacting = true;
    const h = config.history;
    history
      .compactInSteps(Date.now(), h.rawRetentionMinutes * 60_000, h.minuteRetentionHours * 3_600_000, h.hourRetentionDays * 86_400_000, () => closing)
      .catch((e: unknown) => logStoreFailure('[history] compaction failed', e))
      .finally(() => (compacting = false));
  }, 60_000);
  compact.unref();
  // Director maintenance leases: the directors whose lease ran out are given back (checked, verified).
  let expiring = false;
  const leaseSweep = setInterval(() => {
    if (expiring || closing) return;
    expiring = true;
    maintenance
      .expireLeases()
      .catch((e: unknown) => logStoreFailure('[maintenance] lease sweep failed', e))
      .finally(() => (expiring = false));
  }, 10_000);
  leaseSweep.unref();
  // Refusals counted in the last minute get their summary row soon after the minute closes.
  const refusalSweep = setInterval(() => audit.refusals.sweep(), 10_000);
  refusalSweep.unref();
  // Anchors: the chain's head goes to the log (and webhooks with auditHead) at start, when it has
  // changed every audit.anchorIntervalMinutes, and at shutdown (lvsctl audit verify --anchor).
  const anchors = new AuditAnchors({ audit, intervalMs: config.audit.anchorIntervalMinutes * 60_000, notify: (h) => {
      if (leadership.leads(STORE_LEASE)) webhooks.notifyAuditHead(h);
    },
  });
  anchors.start();
  const flushAudit = () => {
    try {
      audit.refusals.flush();
    } catch (e) {
      console.error('[audit] flush at shutdown failed', e);
    }
    anchors.export(true);
  };
  const auth = createAuthService(config.auth, db, audit, now);
  return {
    config,
    db,
    history,
    events,
    logSync,
    webhooks,
    audit,
    collector,
    drain,
    maintenance,
    haproxy,
    rollouts,
    auth,
    leadership,
    onChannel: (listener) => refresher.pool.onChannel(listener),
    flushAudit,
    close: async () => {
      closing = true;
      clearInterval(compact);
      clearInterval(refusalSweep);
      clearInterval(leaseSweep);
      anchors.stop();
      leadership.close();
      collector.stop();
      rollouts.close();
      drain.close();
      haproxy.close();
      await refresher.close();
      flushAudit();
      db.close();
    },
  };
}

/** The process's runtime, built on first use from the configuration file. */
export function getRuntime(): Runtime {
  const g = globalThis as Holder;
  // Inside the Next.js server the ipvsadm listings are parsed in worker threads when a CPU is spare
  // (a build bundles their entry); anywhere else (tests, scripts) on this thread.
  g[KEY] ??= createRuntime(getConfig(), { listingParser: readEnvironment().inNextServer ? serverListingParser() : undefined });
  return g[KEY];
}

/** Access control of the process's runtime (what the route handler checks every request against). */
export function getAuth(): AuthService {
  return getRuntime().auth;
}
