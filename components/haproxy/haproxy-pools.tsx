'use client';

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { HaproxyActionBody } from '@/lib/api/client';
import { haproxyKeys, haproxyQueries, postHaproxyAction } from '@/lib/api/haproxy';
import type { HaproxyActionResult, HaproxyBackend, HaproxyHold, HaproxyInstanceView, HaproxyServer } from '@/lib/models/haproxy';
import { useCan } from '@/components/auth/me-context';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { RelativeTime } from '@/components/ui/relative-time';

// HAProxy pools beside LVS: every configured instance's backends and servers (status, weight,
// sessions, check), refreshed every 2 s, and for operators drain / maint / ready / weight of one
// server on every instance at once (the server checks, applies, re-reads and audits). Drain, maint
// and weight are held: the console re-applies them after an HAProxy reload forgets them.

function holdText(h: HaproxyHold): string {
  const what = h.aspect === 'state' ? `${h.state ?? '?'}` : `weight ${h.weight ?? '?'}`;
  const again = h.reapplied > 0 ? `, re-applied ${h.reapplied}×` : '';
  return `held ${what} by ${h.actor}${again}`;
}

function statusTone(status: string): string {
  const s = status.toUpperCase();
  if (s.startsWith('UP') || s === 'OPEN') return 'bg-emerald-100 text-emerald-900 dark:bg-emerald-400/15 dark:text-emerald-200';
  if (s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'bg-amber-100 text-amber-900 dark:bg-amber-400/15 dark:text-amber-200';
  if (s.startsWith('MAINT')) return 'bg-zinc-200 text-zinc-900 dark:bg-zinc-400/15 dark:text-zinc-200';
  return 'bg-red-100 text-red-900 dark:bg-red-400/15 dark:text-red-200';
}

function ServerActions({ cluster, backend, server, held, onDone }: { cluster: string; backend: string; server: HaproxyServer; held: boolean; onDone: (r: HaproxyActionResult | Error) => void }) {
  const qc = useQueryClient();
  const [weight, setWeight] = useState(String(server.weight ?? ''));
  const m = useMutation({
    mutationFn: (body: HaproxyActionBody) => postHaproxyAction(cluster, body),
    onSuccess: (r) => onDone(r),
    onError: (e) => onDone(e instanceof Error ? e : new Error(String(e))),
    onSettled: () => void qc.invalidateQueries({ queryKey: haproxyKeys.pools(cluster) }),
  });
  const act = (action: HaproxyActionBody['action']) => {
    const body: HaproxyActionBody = { action, backend, server: server.name, reason: 'from the console' };
    if (action === 'weight') body.weight = Number(weight);
    m.mutate(body);
  };
  const btn = 'rounded border border-line px-2 py-0.5 text-xs hover:bg-sunken disabled:opacity-50';
  return (
    <div className="flex flex-wrap items-center gap-1">
      <button type="button" className={btn} disabled={m.isPending} onClick={() => act('drain')} data-testid="haproxy-drain">
        Drain
      </button>
      <button type="button" className={btn} disabled={m.isPending} onClick={() => act('maint')} data-testid="haproxy-maint">
        Maint
      </button>
      <button type="button" className={btn} disabled={m.isPending} onClick={() => act('ready')} data-testid="haproxy-ready">
        Ready
      </button>
      <input
        aria-label={`Weight of ${backend}/${server.name}`}
        className="w-14 rounded border border-line bg-transparent px-1 py-0.5 text-xs"
        inputMode="numeric"
        value={weight}
        onChange={(e) => setWeight(e.target.value)}
        data-testid="haproxy-weight-input"
      />
      <button type="button" className={btn} disabled={m.isPending || !/^\d{1,3}$/.test(weight) || Number(weight) > 256} onClick={() => act('weight')} data-testid="haproxy-weight">
        Set weight
      </button>
      {held ? (
        <button
          type="button"
          className={btn}
          disabled={m.isPending}
          onClick={() => act('release')}
          title="Stop holding: leave HAProxy as it is now, and do not re-apply after a reload"
          data-testid="haproxy-release"
        >
          Release
        </button>
      ) : null}
    </div>
  );
}

function BackendTable({
  cluster,
  inst,
  b,
  holds,
  canAct,
  onDone,
}: {
  cluster: string;
  inst: HaproxyInstanceView;
  b: HaproxyBackend;
  holds: readonly HaproxyHold[];
  canAct: boolean;
  onDone: (r: HaproxyActionResult | Error) => void;
}) {
  return (
    <table className="w-full text-sm" data-testid="haproxy-backend" data-backend={b.name} data-instance={inst.name}>
      <caption className="py-1 text-left text-xs text-muted">
        backend <span className="font-mono font-medium text-fg">{b.name}</span> · {b.status} · {b.currentSessions ?? '–'} sessions now, {b.totalSessions ?? '–'} total
      </caption>
      <thead className="text-left text-xs text-muted">
        <tr>
          <th className="py-1 font-medium">Server</th>
          <th className="font-medium">Address</th>
          <th className="font-medium">Status</th>
          <th className="font-medium">Weight</th>
          <th className="font-medium">Sessions (now / total)</th>
          <th className="font-medium">Check</th>
          {canAct ? <th className="font-medium">Actions (every instance)</th> : null}
        </tr>
      </thead>
      <tbody>
        {b.servers.map((s) => {
          const mine = holds.filter((h) => h.backend === b.name && h.server === s.name);
          return (
          <tr key={s.name} className="border-t border-line" data-testid="haproxy-server" data-server={s.name} data-status={s.status} data-weight={s.weight ?? ''}>
            <td className="py-1 font-mono">{s.name}</td>
            <td className="font-mono text-xs">{s.address ?? '–'}</td>
            <td>
              <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${statusTone(s.status)}`}>{s.status}</span>
              {mine.map((h) => (
                <span
                  key={h.id}
                  className="ml-1 text-xs text-muted"
                  title={`${h.reason ? `“${h.reason}” — ` : ''}since ${new Date(h.createdAt).toISOString()}${h.lastError ? `; last re-apply failed: ${h.lastError}` : ''}`}
                  data-testid="haproxy-hold"
                  data-aspect={h.aspect}
                  data-reapplied={h.reapplied}
                >
                  {holdText(h)}
                  {h.lastError ? <span className="text-red-700 dark:text-red-300"> (re-apply failing)</span> : null}
                </span>
              ))}
            </td>
            <td>{s.weight ?? '–'}</td>
            <td data-testid="haproxy-sessions">
              {s.currentSessions ?? '–'} / {s.totalSessions ?? '–'}
            </td>
            <td className="text-xs">
              {s.checkStatus || '–'}
              {s.checkDurationMs !== null ? ` (${s.checkDurationMs} ms)` : ''}
            </td>
            {canAct ? (
              <td>
                <ServerActions cluster={cluster} backend={b.name} server={s} held={mine.length > 0} onDone={onDone} />
              </td>
            ) : null}
          </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Outcome({ r }: { r: HaproxyActionResult | Error }) {
  if (r instanceof Error) {
    return (
      <p role="alert" className="rounded bg-red-100 px-3 py-2 text-sm text-red-900 dark:bg-red-400/15 dark:text-red-200" data-testid="haproxy-outcome" data-ok="false">
        {r.message}
      </p>
    );
  }
  return (
    <div role="status" className="rounded bg-sunken px-3 py-2 text-sm" data-testid="haproxy-outcome" data-ok={String(r.ok)}>
      <span className="font-medium">
        {r.action} {r.backend}/{r.server}
        {r.weight !== null ? ` ${r.weight}` : ''}:{' '}
        {r.action === 'release' ? 'no longer held (HAProxy left as it is)' : r.ok ? 'done and verified on every instance' : 'NOT verified everywhere'}
      </span>{' '}
      <span className="text-xs text-muted">(audit #{r.auditId})</span>
      <ul className="mt-1 text-xs">
        {r.instances.map((o) => (
          <li key={o.instance}>
            {o.instance} on {o.director}: {o.before ? `${o.before.status} w${o.before.weight ?? '–'}` : '?'} → {o.after ? `${o.after.status} w${o.after.weight ?? '–'}` : '?'}
            {o.error ? ` — ${o.error}` : ''}
          </li>
        ))}
      </ul>
      {r.holds.length > 0 ? <p className="mt-1 text-xs">Held until ready or release: {r.holds.map(holdText).join('; ')} — re-applied if HAProxy forgets it (reload, restart).</p> : null}
    </div>
  );
}

export function HaproxyPools({ cluster }: { cluster: string }) {
  const q = useQuery(haproxyQueries.pools(cluster));
  const canAct = useCan('operator', cluster);
  const [last, setLast] = useState<HaproxyActionResult | Error | null>(null);
  return (
    <div className="space-y-6" data-testid="haproxy-pools">
      <div>
        <ClusterBreadcrumb cluster={cluster} page="HAProxy" />
        <h1 className="text-xl font-semibold tracking-tight">HAProxy pools of {cluster}</h1>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          Read from each instance&apos;s admin socket (show stat) over its director&apos;s SSH every 2 s. Drain stops new sessions to a server and lets the open ones finish; maint
          stops it at once; ready puts it back. Each action goes to every instance, is re-read to verify, and is audited. Drain, maint and weight are held: when a
          reload or restart makes HAProxy forget them, the console sets them again (audited as system) until ready or release.
        </p>
      </div>
      {last ? <Outcome r={last} /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && q.data.instances.length === 0 ? <p className="text-sm text-muted">No HAProxy instances are configured for this cluster (clusters[].haproxy in the configuration).</p> : null}
      {q.data?.instances.map((inst) => (
        <Section
          key={inst.name}
          id={`haproxy-${inst.name}`}
          title={`${inst.name} on ${inst.director}`}
          description={inst.readAt !== null ? <>read <RelativeTime at={inst.readAt} /></> : <span className="text-red-700 dark:text-red-300">not read: {inst.error}</span>}
        >
          <div className="space-y-4" data-testid="haproxy-instance" data-instance={inst.name}>
            {inst.frontends.length > 0 ? (
              <p className="text-xs text-muted">
                frontends: {inst.frontends.map((f) => `${f.name} (${f.status}, ${f.currentSessions ?? '–'} sessions)`).join(', ')}
              </p>
            ) : null}
            {inst.backends.map((b) => (
              <BackendTable key={b.name} cluster={cluster} inst={inst} b={b} holds={q.data?.holds ?? []} canAct={canAct} onDone={setLast} />
            ))}
          </div>
        </Section>
      ))}
    </div>
  );
}
