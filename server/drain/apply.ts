import 'server-only';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DirectorResult, Intent, VerifiedWeight } from '@/lib/models/drain';
import { canonicalIP, formatEndpoint } from '@/lib/address';
import type { ClusterConfig, DirectorConfig } from '@/server/config/schema';
import { KeyedMutex, type StoreLock } from '@/server/concurrency/keyed-mutex';
import { busyElsewhere } from '@/server/leases/gate';
import { describeRefreshError } from '@/server/ssh/describe-error';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { exec, execSequence, type StepResult } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { directorCommands, overlayVerified, type DirectorSteps, type VerifiedEntry } from './plan';
import type { ClusterView } from './ports';
import { memoKey, type MemoKey, type RepairMemo } from './reconcile';

// Runs planned steps on directors: per director ONE execSequence (every `ipvsadm -e`, then a
// `ipvsadm -Ln --exact` re-read of each touched service), plus, for track-file holds, the `tee`
// of the track file in parallel (it reads stdin, so it cannot join the sequence). Every director
// runs in parallel; one failing never stops the others.

export interface ApplyDeps {
  pool: SshPool;
  timeoutMs?: number;
  now?: () => number;
}

/** A sequence's limit: the command limit for up to 4 commands, once more for each 4 after. */
export function sequenceTimeoutMs(commandTimeoutMs: number, commands: number): number {
  return commandTimeoutMs * Math.max(1, Math.ceil(commands / 4));
}

/** Weights of the expected real servers in one re-read listing (pure). */
export function readBack(stdout: string, expect: readonly { realServer: string; weight: number }[], service: string): VerifiedWeight[] {
  const table = parseIpvsadm(stdout, { mode: 'list' });
  const rss = table.services[0]?.realServers ?? [];
  return expect.map((e) => {
    const rs = rss.find((r) => formatEndpoint(canonicalIP(r.address), r.port) === e.realServer);
    const actual = rs?.weight ?? null;
    return { service, realServer: e.realServer, expected: e.weight, actual, ok: actual === e.weight };
  });
}

export async function applyOnDirector(director: DirectorConfig, s: DirectorSteps, deps: ApplyDeps): Promise<DirectorResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  if (s.edits.length === 0 && s.tracks.length === 0) {
    return { director: s.director, status: 'skipped', error: null, verified: [], durationMs: 0 };
  }
  const { tracks, sequence } = directorCommands(s);
  const opts = { pool: deps.pool, ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }) };
  try {
    const [trackResults, seq] = await Promise.all([
      Promise.allSettled(tracks.map((c) => exec(director, c, opts))),
      // One round trip runs the whole sequence (a host's drain: an edit and a check per service),
      // so its limit grows with its length: on a slow director each sudo'd command takes its time.
      execSequence(director, sequence, { ...opts, timeoutMs: deps.timeoutMs ?? sequenceTimeoutMs(deps.pool.tuning.commandTimeoutMs, sequence.length) }),
    ]);
    const errors: string[] = [];
    let code: string | null = null;
    for (const t of trackResults) {
      if (t.status === 'rejected') {
        const d = describeRefreshError(t.reason);
        code ??= d.code;
        errors.push(d.message);
      }
    }
    const editSteps = seq.steps.slice(0, s.edits.length);
    const listSteps = seq.steps.slice(s.edits.length);
    editSteps.forEach((st: StepResult) => {
      if (st.error) {
        code ??= st.error.code;
        errors.push(st.error.message);
      }
    });
    const verified: VerifiedWeight[] = [];
    s.verify.forEach((v, i) => {
      const st = listSteps[i];
      if (!st || st.error) {
        if (st?.error) {
          code ??= st.error.code;
          errors.push(st.error.message);
        }
        for (const e of v.expect) verified.push({ service: v.service, realServer: e.realServer, expected: e.weight, actual: null, ok: false });
        return;
      }
      try {
        verified.push(...readBack(st.stdout, v.expect, v.service));
      } catch (e) {
        code ??= 'parse-error';
        errors.push(`re-reading ${v.service}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    const wrong = verified.filter((v) => !v.ok);
    if (wrong.length > 0 && errors.length === 0) {
      code = 'not-verified';
      errors.push(
        `re-read shows ${wrong.map((w) => `${w.realServer} in ${w.service} at ${w.actual === null ? 'absent' : `weight ${w.actual}`} (expected ${w.expected})`).join('; ')}`,
      );
    }
    const ok = errors.length === 0;
    return {
      director: s.director,
      status: ok ? 'ok' : 'failed',
      error: ok ? null : { code: code ?? 'failed', message: errors.join('; ') },
      verified,
      durationMs: now() - started,
    };
  } catch (e) {
    const d = describeRefreshError(e);
    return { director: s.director, status: 'failed', error: d, verified: [], durationMs: now() - started };
  }
}

/** Apply on every director in parallel. */
export async function applyPlanSteps(directors: readonly DirectorConfig[], steps: readonly DirectorSteps[], deps: ApplyDeps): Promise<DirectorResult[]> {
  return Promise.all(
    steps.map(async (s) => {
      const d = directors.find((x) => x.name === s.director);
      if (!d) return { director: s.director, status: 'failed' as const, error: { code: 'not-configured', message: `director ${s.director} is not configured` }, verified: [], durationMs: 0 };
      return applyOnDirector(d, s, deps);
    }),
  );
}

/** ok when every director that had something to do verified; failed when none did; partial otherwise. */
export function outcomeOf(results: readonly DirectorResult[]): 'ok' | 'partial' | 'failed' {
  const acted = results.filter((r) => r.status !== 'skipped');
  if (acted.every((r) => r.status === 'ok')) return 'ok';
  if (acted.every((r) => r.status === 'failed')) return 'failed';
  return 'partial';
}

export interface ApplierDeps {
  pool: SshPool;
  /** The merged snapshots (when each director's data was taken, for what was verified since). */
  clusters: () => Pick<ClusterView, 'snapshot'>;
  now: () => number;
  /** Per-command timeout for actions (default the pool's). */
  timeoutMs?: number;
  /** Runs the steps on the directors (default: over SSH, applyPlanSteps); tests pass a fake. */
  apply?: (cluster: ClusterConfig, steps: DirectorSteps[]) => Promise<DirectorResult[]>;
  /** Held with the per-cluster lock across the consoles of one store (none: one console). */
  storeLock?: StoreLock | null;
}

/**
 * What actions and repairs share: one lock per cluster (actions and repairs of one cluster are
 * serialized), the weights this console set and verified (laid over older snapshot data when
 * planning), when a change could not be verified, and the repair memo per intent and director.
 */
export class Applier {
  readonly mutex: KeyedMutex;
  readonly memo = new Map<MemoKey, RepairMemo>();
  /** Weights this console set and verified, per cluster. */
  private readonly verified = new Map<string, VerifiedEntry[]>();
  /** When the last change that could not be verified on some director finished, per cluster. */
  private readonly unverified = new Map<string, number>();

  constructor(private readonly deps: ApplierDeps) {
    this.mutex = new KeyedMutex({ storeLock: deps.storeLock ?? null, scope: 'cluster', busy: (c) => busyElsewhere(`cluster ${c}`) });
  }

  /** The snapshot with what was verified since its data was taken laid over it (what plans start from). */
  overlay(cluster: string, snapshot: ClusterSnapshot): ClusterSnapshot {
    return overlayVerified(snapshot, this.verified.get(cluster) ?? []);
  }

  /** When the last change on the cluster that could not be verified finished, if any since the last fresh data. */
  unverifiedSince(cluster: string): number | undefined {
    return this.unverified.get(cluster);
  }

  /** Data taken after the unverified change has arrived. */
  settled(cluster: string): void {
    this.unverified.delete(cluster);
  }

  apply(c: ClusterConfig, steps: DirectorSteps[]): Promise<DirectorResult[]> {
    if (this.deps.apply) return this.deps.apply(c, steps);
    return applyPlanSteps(c.directors, steps, { pool: this.deps.pool, ...(this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs }) });
  }

  /** Apply, remember what was verified, and note each intent's attempt in the repair memo. */
  async applyAndMemo(c: ClusterConfig, steps: DirectorSteps[], intents: readonly Intent[] | null): Promise<DirectorResult[]> {
    const results = await this.apply(c, steps);
    const finished = this.deps.now();
    this.recordApplied(c.name, results, finished);
    // The reconciler waits for data taken after this, so it does not "repair" from stale figures.
    for (const i of intents ?? []) {
      for (const r of results) {
        const prev = this.memo.get(memoKey(i.id, r.director));
        this.memo.set(memoKey(i.id, r.director), {
          lastFinishedAt: finished,
          failures: r.status === 'failed' ? (prev?.failures ?? 0) + 1 : 0,
          lastError: r.error?.message ?? null,
        });
      }
    }
    return results;
  }

  /** Remember what an apply verified (and whether anything could not be), for the next plan. */
  recordApplied(cluster: string, results: readonly DirectorResult[], at: number): void {
    const snapshot = this.deps.clusters().snapshot(cluster);
    const started = new Map((snapshot?.directors ?? []).map((d) => [d.name, d.takenAt === null ? -Infinity : d.takenAt - (d.refreshMs ?? 0)]));
    // Keep only entries some director's data still predates.
    const kept = (this.verified.get(cluster) ?? []).filter((e) => (started.get(e.director) ?? Infinity) <= e.at);
    for (const r of results) {
      for (const v of r.verified) kept.push({ at, director: r.director, service: v.service, realServer: v.realServer, weight: v.actual });
    }
    this.verified.set(cluster, kept);
    if (results.some((r) => r.status === 'failed')) this.unverified.set(cluster, at);
  }

  /** Drop the repair memo of an intent that ended or was replaced. */
  forget(intentId: string): void {
    for (const k of this.memo.keys()) if (k.startsWith(`${intentId}|`)) this.memo.delete(k);
  }
}
