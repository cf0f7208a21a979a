import type { ClusterEvent } from '@/lib/models/events';

// One event in plain words (the timeline's summary line and the webhooks' text), e.g.
// "failover of VI_V4 from dir1 to dir2 (gap 1 s): master sent priority 0 (...)".

/** A gap in seconds, one decimal below 10 s: "0 s", "1.5 s", "42 s". */
export function formatGap(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, ms) / 1000;
  if (s === 0) return '0 s';
  return s < 10 ? `${Math.round(s * 10) / 10} s` : `${Math.round(s)} s`;
}

function what(e: ClusterEvent): string {
  const inst = e.instance ? ` ${e.instance}` : '';
  const on = e.director ? ` on ${e.director}` : '';
  const rs = e.realServer ? ` ${e.realServer}${e.service ? ` (${e.service})` : ''}` : '';
  switch (e.kind) {
    case 'failover':
      return `failover of${inst || ' an instance'} from ${e.fromMaster ?? 'unknown'} to ${e.toMaster ?? e.director ?? 'unknown'}${e.durationMs !== null ? ` (gap ${formatGap(e.durationMs)})` : ''}`;
    case 'initial-election':
      return `initial election of${inst || ' an instance'}: ${e.toMaster ?? e.director ?? 'unknown'} master${e.fromMaster ? ` (last master ${e.fromMaster})` : ''}`;
    case 'vrrp-transition':
      return `${inst.trim() || 'VRRP instance'}${on}: ${e.fromState ?? '?'} → ${e.toState ?? '?'}`;
    case 'no-master':
      return e.endedAt === null ? `no master for${inst} (was ${e.fromMaster ?? 'unknown'})` : `no master for${inst} for ${formatGap(e.durationMs)}${e.toMaster ? `, then ${e.toMaster}` : ''}`;
    case 'split-brain':
      return e.endedAt === null ? `split brain on${inst}` : `split brain on${inst} for ${formatGap(e.durationMs)}, ended${e.toMaster ? ` (${e.toMaster} master)` : ''}`;
    case 'director-unreachable':
      return e.endedAt === null ? `${e.director ?? 'a director'} unreachable` : `${e.director ?? 'a director'} was unreachable for ${formatGap(e.durationMs)}`;
    case 'director-reachable':
      return `${e.director ?? 'a director'} reachable again`;
    case 'keepalived-down':
      return e.endedAt === null ? `keepalived down${on}` : `keepalived was down${on} for ${formatGap(e.durationMs)}`;
    case 'keepalived-up':
      return `keepalived started${on}`;
    case 'real-server-down':
      return e.endedAt === null ? `real server${rs} down` : `real server${rs} was down for ${formatGap(e.durationMs)}`;
    case 'real-server-up':
      return `real server${rs} up`;
    case 'drift-repair':
      return `drifted weight re-applied${on}${rs}`;
    case 'hold-expired':
      return `hold expired${rs}`;
    case 'rollout-batch':
    case 'rollout-waiting':
    case 'rollout-finished':
    case 'rollout-stopped':
      // toState carries the rollout's words ("rollout #3: batch 2 of 4 (192.0.2.12)").
      return e.toState ?? e.kind.replace('-', ' ');
    case 'vip-removed':
      return `VIP removed outside keepalived${on}${inst ? ` (${inst.trim()})` : ''}${e.durationMs !== null ? `, set again after ${formatGap(e.durationMs)}` : ''}`;
  }
}

/** "cluster: what happened: why" (the cause only when known). */
export function describeEvent(e: ClusterEvent, options: { cluster?: boolean } = {}): string {
  const head = options.cluster === false ? what(e) : `${e.cluster}: ${what(e)}`;
  return e.cause ? `${head}: ${e.cause}` : head;
}
