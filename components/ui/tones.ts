import type { ClusterHealth, Finding, RealServerHealth, VrrpState } from '@/lib/models/cluster';
import type { Tone } from './status-pill';

// One mapping from each model status to a tone and a word, so every view says it the same way.

export const CLUSTER_HEALTH: Record<ClusterHealth, { tone: Tone; label: string }> = {
  ok: { tone: 'ok', label: 'OK' },
  warning: { tone: 'warning', label: 'Warning' },
  critical: { tone: 'critical', label: 'Critical' },
};

export const SEVERITY: Record<Finding['severity'], { tone: Tone; label: string; rank: number }> = {
  critical: { tone: 'critical', label: 'Critical', rank: 0 },
  warning: { tone: 'warning', label: 'Warning', rank: 1 },
  info: { tone: 'info', label: 'Info', rank: 2 },
};

export const RS_HEALTH: Record<RealServerHealth, { tone: Tone; label: string; description: string }> = {
  up: { tone: 'ok', label: 'up', description: 'In service: checker alive and weight above 0' },
  drained: { tone: 'warning', label: 'drained', description: 'Weight 0: no new connections, existing ones continue' },
  down: { tone: 'critical', label: 'down', description: "keepalived's checker says it is down (removed or weight 0)" },
  unknown: { tone: 'neutral', label: 'unknown', description: 'No checker verdict known' },
};

export function vrrpTone(state: VrrpState): Tone {
  switch (state) {
    case 'MASTER':
      return 'accent';
    case 'BACKUP':
      return 'neutral';
    case 'FAULT':
      return 'critical';
    case 'STOP':
    case 'DELETED':
    case 'INIT':
      return 'warning';
    default:
      return 'neutral';
  }
}

export function sortFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings].sort((a, b) => SEVERITY[a.severity].rank - SEVERITY[b.severity].rank || a.since - b.since || a.id.localeCompare(b.id));
}
