import type { HaproxyHold, HaproxyInstanceView } from '@/lib/models/haproxy';
import { backoffMs } from '@/server/drain/reconcile';

// Pure: which HAProxy holds drifted on which instance, and which may be re-applied now.
// Drift = an instance that answered has the server with another admin state (a drain hold but the
// server is ready or in maint, ...) or another weight than the hold says. HAProxy forgets runtime
// changes on reload or restart, so this is what a deploy leaves behind. Not drift: the instance did
// not answer, or it has no such server (nothing to hold until the configuration has it again).
// Repeated failures on one instance back off exponentially (as the LVS reconciler does).

/** What `show stat` says a server's admin state is: DRAIN / MAINT, or ready (UP, DOWN, NOLB, "UP 1/2"...). */
export function adminState(status: string): 'drain' | 'maint' | 'ready' {
  const s = status.toUpperCase();
  if (s.startsWith('MAINT')) return 'maint';
  if (s.startsWith('DRAIN')) return 'drain';
  return 'ready';
}

export interface HoldMemo {
  /** When the last re-apply of this hold on this instance finished (epoch ms). */
  lastFinishedAt: number;
  /** Consecutive failures. */
  failures: number;
}
export const holdMemoKey = (holdId: string, instance: string): string => `${holdId}|${instance}`;

export interface HoldDrift {
  hold: HaproxyHold;
  instance: string;
  /** What the instance shows: its status, or its weight, as text for the audit. */
  found: string;
}


export function findHoldDrift(
  instances: readonly HaproxyInstanceView[],
  holds: readonly HaproxyHold[],
  memo: ReadonlyMap<string, HoldMemo>,
  now: number,
  intervalMs: number,
): { due: HoldDrift[]; waiting: HoldDrift[] } {
  const due: HoldDrift[] = [];
  const waiting: HoldDrift[] = [];
  for (const hold of holds) {
    for (const inst of instances) {
      if (inst.error !== null || inst.readAt === null) continue;
      const s = inst.backends.find((b) => b.name === hold.backend)?.servers.find((x) => x.name === hold.server);
      if (!s) continue;
      let found: string | null = null;
      if (hold.aspect === 'state' && hold.state !== null && adminState(s.status) !== hold.state) found = s.status;
      if (hold.aspect === 'weight' && hold.weight !== null && s.weight !== null && s.weight !== hold.weight) found = `weight ${s.weight}`;
      if (found === null) continue;
      const d: HoldDrift = { hold, instance: inst.name, found };
      const m = memo.get(holdMemoKey(hold.id, inst.name));
      const fresh = m === undefined || inst.readAt > m.lastFinishedAt;
      const backedOff = m === undefined || now >= m.lastFinishedAt + backoffMs(m.failures, intervalMs);
      (fresh && backedOff ? due : waiting).push(d);
    }
  }
  return { due, waiting };
}
