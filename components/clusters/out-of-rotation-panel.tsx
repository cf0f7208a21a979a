'use client';

import { useQuery } from '@tanstack/react-query';
import { eventQueries } from '@/lib/api/events-queries';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { describeSource, outOfRotation, OUT_OF_ROTATION_LABEL, type OutOfRotationEntry, type OutOfRotationSource } from '@/lib/models/out-of-rotation';
import { useCan } from '@/components/auth/me-context';
import { useDrainActions } from '@/components/drain/drain-actions';
import { HostLink } from '@/components/ui/links';
import { RelativeTime } from '@/components/ui/relative-time';
import { StatusPill, type Tone } from '@/components/ui/status-pill';

// "Why is this server out?": every real server of the cluster that takes no new connections, with
// where that comes from (console hold, weight 0 in keepalived.conf, track file, checker down, hand
// edit), computed from the snapshot (lib/models/out-of-rotation.ts). The checker's "down since" comes
// from the timeline's open real-server-down events (the database, not the directors).

const TONE: Record<OutOfRotationSource['kind'], Tone> = {
  hold: 'warning',
  'configured-zero': 'neutral',
  'track-file': 'info',
  'checker-down': 'critical',
  'hand-edit': 'warning',
  absent: 'critical',
  'weight-zero': 'neutral',
};

function SourceLine({ s }: { s: OutOfRotationSource }) {
  return (
    <li className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs" data-testid="out-of-rotation-source" data-kind={s.kind}>
      <StatusPill tone={TONE[s.kind]}>{OUT_OF_ROTATION_LABEL[s.kind]}</StatusPill>
      <span>{describeSource(s)}</span>
      {s.kind === 'hold' ? (
        <span className="text-muted">
          since <RelativeTime at={s.hold.createdAt} />
          {s.hold.expiresAt !== null ? (
            <>
              {' '}
              · lease ends <RelativeTime at={s.hold.expiresAt} />
            </>
          ) : (
            ' · no lease'
          )}
        </span>
      ) : null}
      {s.kind === 'checker-down' ? <span className="text-muted">{s.since !== null ? <>since <RelativeTime at={s.since} /></> : 'since: not known (before the last 7 days or before the console watched)'}</span> : null}
    </li>
  );
}

function Row({ e, cluster, canOperate }: { e: OutOfRotationEntry; cluster: string; canOperate: boolean }) {
  const open = useDrainActions();
  const held = e.sources.some((s) => s.kind === 'hold');
  return (
    <li
      className="flex flex-wrap items-start gap-x-3 gap-y-1 border-t border-line px-4 py-2 text-sm first:border-t-0"
      data-testid="out-of-rotation-row"
      data-real-server-key={e.realServer}
      data-service-key={e.service}
      data-sources={e.sources.map((s) => s.kind).join(',')}
    >
      <div className="min-w-56">
        <HostLink address={e.address} className="font-mono">
          {e.realServer}
        </HostLink>
        <div className="font-mono text-xs text-muted">{e.service}</div>
        <div className="text-xs text-muted">
          weight {e.weight ?? '–'}
          {e.configuredWeight !== null ? ` (keepalived.conf ${e.configuredWeight})` : ''}
        </div>
      </div>
      <ul className="flex-1 space-y-1">
        {e.sources.map((s) => (
          <SourceLine key={s.kind} s={s} />
        ))}
      </ul>
      {canOperate && open && held ? (
        <button
          type="button"
          className="rounded border border-line-strong px-2 py-0.5 text-xs font-medium hover:bg-hover"
          onClick={() => open({ cluster, action: 'restore', target: e.realServer, service: e.service })}
        >
          Restore
        </button>
      ) : null}
    </li>
  );
}

export function OutOfRotationPanel({ snapshot }: { snapshot: Pick<ClusterSnapshot, 'name' | 'services' | 'directors' | 'pollIntervalMs'> }) {
  const cluster = snapshot.name;
  const canOperate = useCan('operator', cluster);
  const downs = useQuery(eventQueries.list({ cluster, range: { preset: '7d' }, kinds: ['real-server-down'], limit: 500 }, Math.max(snapshot.pollIntervalMs, 10_000)));
  const entries = outOfRotation(snapshot, downs.data?.events ?? []);
  if (entries.length === 0) {
    return (
      <p className="px-4 py-3 text-sm text-muted" data-testid="out-of-rotation-empty">
        Every real server is in rotation (no weight 0, none down, none held out).
      </p>
    );
  }
  return (
    <ul data-testid="out-of-rotation-list" data-count={entries.length}>
      {entries.map((e) => (
        <Row key={`${e.service} ${e.realServer}`} e={e} cluster={cluster} canOperate={canOperate} />
      ))}
    </ul>
  );
}
