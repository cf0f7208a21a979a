import type { ClusterSnapshot, Finding, RealServerHold } from '@/lib/models/cluster';
import type { Intent } from '@/lib/models/drain';
import type { MemoKey, RepairMemo } from './reconcile';

// Pure: drain-related findings and the per-real-server "hold" shown in the snapshot.

export interface DrainFindingOptions {
  now: number;
  /** An open drain older than this is an old-drain finding. */
  oldAfterMs: number;
  /** Repair attempts (to report holds that cannot be re-applied). */
  memo?: ReadonlyMap<MemoKey, RepairMemo>;
}

type NewFinding = Omit<Finding, 'since'> & { since?: number };

function ago(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 48) return `${Math.round(h / 24)} days`;
  if (h >= 1) return `${Math.round(h)} h`;
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}

export function drainFindings(snapshot: ClusterSnapshot, intents: readonly Intent[], o: DrainFindingOptions): NewFinding[] {
  const open = intents.filter((i) => i.endedAt === null && i.cluster === snapshot.name);
  const held = new Set(open.map((i) => `${i.service}|${i.realServer}`));
  const out: NewFinding[] = [];
  const liveQuiescentOff = snapshot.directors.filter((d) => d.live && d.health?.expireQuiescentTemplate === false).map((d) => d.name);

  for (const svc of snapshot.services) {
    let drainedHere = false;
    for (const rs of svc.realServers) {
      if (rs.weight !== 0) continue;
      drainedHere = true;
      if (held.has(`${svc.key}|${rs.key}`)) continue;
      if (rs.checkerAlive === false) continue; // inhibited after a failed check: down, not drained
      if (!rs.trackFile && rs.configuredWeight === 0) continue; // keepalived's configuration says 0
      out.push({
        id: `orphan-drain:${svc.key}:${rs.key}`,
        kind: 'orphan-drain',
        severity: 'warning',
        message: `${rs.key} in ${svc.key} has weight 0 but no drain is recorded: nobody owns this drain (restore it, or drain it here to record who and why)`,
        director: null,
        service: svc.key,
        realServer: rs.key,
      });
    }
    if (svc.persistent !== null && liveQuiescentOff.length > 0) {
      out.push({
        id: `persistence-quiescent:${svc.key}`,
        kind: 'persistence-quiescent',
        severity: drainedHere ? 'warning' : 'info',
        message:
          `${svc.key} is persistent (${svc.persistent.timeout} s) and net.ipv4.vs.expire_quiescent_template is 0 on ${liveQuiescentOff.join(', ')}: ` +
          `a drained (weight 0) real server keeps getting new connections from clients whose persistence template is alive` +
          (drainedHere ? ' (a real server here is drained now)' : '') +
          `; set it to 1 on every director to make drains effective`,
        director: null,
        service: svc.key,
        realServer: null,
      });
    }
  }

  for (const i of open) {
    const age = o.now - i.createdAt;
    if (i.kind === 'drain' && age >= o.oldAfterMs) {
      out.push({
        id: `old-drain:${i.id}`,
        kind: 'old-drain',
        severity: 'warning',
        message: `${i.realServer} in ${i.service} has been drained for ${ago(age)} by ${i.actor} ("${i.reason}"${i.ticket ? `, ${i.ticket}` : ''}): restore it or end the drain`,
        director: null,
        service: i.service,
        realServer: i.realServer,
        since: i.createdAt + o.oldAfterMs,
      });
    }
    if (i.expiresAt !== null && i.expiresAt <= o.now && i.onExpiry !== 'restore') {
      out.push({
        id: `drain-expired:${i.id}`,
        kind: 'drain-expired',
        severity: 'warning',
        message: `The ${i.kind === 'drain' ? 'drain' : `weight ${i.weight} hold`} of ${i.realServer} in ${i.service} (by ${i.actor}: "${i.reason}") expired ${ago(o.now - i.expiresAt)} ago and is still held: restore it or extend it`,
        director: null,
        service: i.service,
        realServer: i.realServer,
        since: i.expiresAt,
      });
    }
    for (const d of snapshot.directors) {
      const m = o.memo?.get(`${i.id}|${d.name}`);
      if (!m || m.failures < 3) continue;
      out.push({
        id: `drift-repair-failing:${i.id}:${d.name}`,
        kind: 'drift-repair-failing',
        severity: 'critical',
        message: `${d.name} keeps ${i.realServer} in ${i.service} at a weight other than the held ${i.weight}, and ${m.failures} repairs failed: ${m.lastError ?? 'unknown error'}`,
        director: d.name,
        service: i.service,
        realServer: i.realServer,
      });
    }
  }
  return out;
}

export function holdOf(i: Intent): RealServerHold {
  return {
    intentId: i.id,
    kind: i.kind,
    weight: i.weight,
    mechanism: i.mechanism,
    actor: i.actor,
    reason: i.reason,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
  };
}

/** The snapshot with each held real server's `hold` set and the drain findings added (pure). */
export function withHolds(snapshot: ClusterSnapshot, intents: readonly Intent[], findings: readonly Finding[]): ClusterSnapshot {
  const open = new Map(intents.filter((i) => i.endedAt === null && i.cluster === snapshot.name).map((i) => [`${i.service}|${i.realServer}`, i]));
  const withFindings = findings.length ? [...snapshot.findings, ...findings] : snapshot.findings;
  // Runs on every merge: with 20,000 real servers, copying each one costs more than the rest of
  // the merge. Only services that hold something are copied (their other servers get hold: null).
  if (open.size === 0) return findings.length ? { ...snapshot, findings: withFindings } : snapshot;
  const heldServices = new Set([...open.values()].map((i) => i.service));
  return {
    ...snapshot,
    services: snapshot.services.map((s) =>
      heldServices.has(s.key)
        ? {
            ...s,
            realServers: s.realServers.map((rs) => {
              const i = open.get(`${s.key}|${rs.key}`);
              return { ...rs, hold: i ? holdOf(i) : null };
            }),
          }
        : s,
    ),
    findings: withFindings,
  };
}
