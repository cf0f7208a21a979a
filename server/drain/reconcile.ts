import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { Intent } from '@/lib/models/drain';

// Pure: which held weights drifted on which director, and which may be repaired now.
// Drift = a live director has the real server in its table at a weight other than the intent's
// (keepalived re-added it after a checker flap or a restart, a failover brought up a table that
// never got the change, someone ran ipvsadm by hand). Not drift: the server or service absent
// (nothing to hold until keepalived adds it back, which will be drift then).
//
// Not fighting in a tight loop: a director is repaired again only once data taken AFTER the
// last repair of it finished shows the drift again, and repeated failures back off exponentially.

export interface RepairMemo {
  /** When the last repair attempt of this intent on this director finished (epoch ms). */
  lastFinishedAt: number;
  /** Consecutive failed attempts. */
  failures: number;
  lastError: string | null;
}

export type MemoKey = `${string}|${string}`;
export function memoKey(intentId: string, director: string): MemoKey {
  return `${intentId}|${director}`;
}

export interface Drift {
  intent: Intent;
  director: string;
  /** The weight found on that director. */
  found: number;
}

export interface DriftScan {
  /** Drifted and due for a repair now. */
  due: Drift[];
  /** Drifted but waiting (data not newer than the last repair, or backing off after failures). */
  waiting: Drift[];
}

export const MAX_BACKOFF_MS = 5 * 60_000;

/** How long after `failures` consecutive failures the next attempt may start. */
export function backoffMs(failures: number, pollIntervalMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(MAX_BACKOFF_MS, pollIntervalMs * 2 ** Math.min(failures, 16));
}

export function findDrift(snapshot: ClusterSnapshot, intents: readonly Intent[], memo: ReadonlyMap<MemoKey, RepairMemo>, now: number): DriftScan {
  const due: Drift[] = [];
  const waiting: Drift[] = [];
  for (const intent of intents) {
    if (intent.endedAt !== null || intent.cluster !== snapshot.name) continue;
    const svc = snapshot.services.find((s) => s.key === intent.service);
    const rs = svc?.realServers.find((r) => r.key === intent.realServer);
    if (!svc || !rs) continue;
    for (const d of snapshot.directors) {
      if (!d.live || d.takenAt === null) continue;
      if (!svc.presentOn.includes(d.name)) continue;
      const on = rs.perDirector[d.name];
      if (!on?.present || on.weight === null || on.weight === intent.weight) continue;
      const drift: Drift = { intent, director: d.name, found: on.weight };
      const m = memo.get(memoKey(intent.id, d.name));
      // The data must come from a refresh that started after the last repair finished.
      const refreshStarted = d.takenAt - (d.refreshMs ?? 0);
      const fresh = m === undefined || refreshStarted > m.lastFinishedAt;
      const backedOff = m === undefined || now >= m.lastFinishedAt + backoffMs(m.failures, snapshot.pollIntervalMs);
      (fresh && backedOff ? due : waiting).push(drift);
    }
  }
  return { due, waiting };
}

/** Open intents whose lease ran out. */
export function expired(intents: readonly Intent[], now: number): Intent[] {
  return intents.filter((i) => i.endedAt === null && i.expiresAt !== null && i.expiresAt <= now);
}
