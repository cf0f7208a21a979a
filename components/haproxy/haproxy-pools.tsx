'use client';

import { useCallback, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { haproxyQueries } from '@/lib/api/haproxy';
import { haproxyRows, haproxyRowsOfHost, type HaproxyActionResult, type HaproxyHold, type HaproxyInstanceView, type HaproxyServerRow } from '@/lib/models/haproxy';
import { useCan } from '@/components/auth/me-context';
import { ClusterBreadcrumb } from '@/components/ui/breadcrumb';
import { Section } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/error-state';
import { RelativeTime, useClock } from '@/components/ui/relative-time';
import { HaproxyActionDialog, type HaproxyDialogRequest } from './haproxy-action-dialog';

// HAProxy pools beside LVS: every backend's servers, one row each with a column per instance
// (status, weight, sessions, check), refreshed every 2 s, and for operators drain / maint / ready /
// weight / release of one server on every instance at once, each through the dialog (impact,
// reason, last-UP-server refusal and force; the server checks, applies, re-reads and audits). Drain,
// maint and weight are held: the console re-applies them after an HAProxy reload forgets them.

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

const BTN = 'rounded border border-line-strong px-2 py-0.5 text-xs hover:bg-hover disabled:opacity-50';

/** Buttons that open the dialog (nothing runs from a click alone). */
function ServerActions({ row, held, open }: { row: HaproxyServerRow; held: boolean; open: (r: HaproxyDialogRequest) => void }) {
  const t = { backend: row.backend, server: row.server };
  const weight = Object.values(row.cells).find((c) => c !== undefined)?.weight ?? null;
  return (
    <div className="flex flex-wrap items-center gap-1">
      <button type="button" className={`${BTN} text-amber-800 dark:text-amber-300`} onClick={() => open({ ...t, action: 'drain' })} data-testid="haproxy-drain" title="No new sessions; the open ones finish">
        Drain
      </button>
      <button
        type="button"
        className={`${BTN} border-red-400 text-red-800 dark:border-red-400/50 dark:text-red-300`}
        onClick={() => open({ ...t, action: 'maint' })}
        data-testid="haproxy-maint"
        title="Maintenance: out at once, the open sessions are cut"
      >
        Maint
      </button>
      <button type="button" className={BTN} onClick={() => open({ ...t, action: 'ready' })} data-testid="haproxy-ready" title="Back in rotation (HAProxy's state ready); ends the drain or maint hold">
        Restore
      </button>
      <button type="button" className={BTN} onClick={() => open({ ...t, action: 'weight', weight })} data-testid="haproxy-weight" title="Set a weight on every instance, held until release">
        Weight
      </button>
      {held ? (
        <button
          type="button"
          className={BTN}
          onClick={() => open({ ...t, action: 'release' })}
          title="Stop holding: leave HAProxy as it is now, and do not re-apply after a reload"
          data-testid="haproxy-release"
        >
          Release
        </button>
      ) : null}
    </div>
  );
}

/** One backend: one row per server, a column per instance (status, weight, sessions, check). */
function BackendTable({
  backend,
  rows,
  instances,
  holds,
  canAct,
  open,
}: {
  backend: string;
  rows: HaproxyServerRow[];
  instances: readonly HaproxyInstanceView[];
  holds: readonly HaproxyHold[];
  canAct: boolean;
  open: (r: HaproxyDialogRequest) => void;
}) {
  const summaries = instances.map((i) => ({ inst: i, b: i.backends.find((x) => x.name === backend) }));
  const clockOf = useClock();
  return (
    <table className="w-full text-sm" data-testid="haproxy-backend" data-backend={backend}>
      <caption className="py-1 text-left text-xs text-muted">
        backend <span className="font-mono font-medium text-ink">{backend}</span> ·{' '}
        {summaries.map(({ inst, b }) => `${inst.name}: ${b ? `${b.status}, ${b.currentSessions ?? '–'} sessions now, ${b.totalSessions ?? '–'} total` : 'not read'}`).join(' · ')}
      </caption>
      <thead className="text-left text-xs text-muted">
        <tr>
          <th className="py-1 font-medium">Server</th>
          <th className="font-medium">Address</th>
          {instances.map((i) => (
            <th key={i.name} className="font-medium" title={`Status, weight, sessions now / total and check on ${i.name} (on ${i.director})`}>
              {i.name} <span className="font-normal">on {i.director}</span>
            </th>
          ))}
          <th className="font-medium">Held</th>
          {canAct ? <th className="font-medium">Actions (every instance)</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const mine = holds.filter((h) => h.backend === backend && h.server === row.server);
          return (
            <tr key={row.server} className="border-t border-line align-top" data-testid="haproxy-server" data-server={row.server}>
              <td className="py-1 font-mono">{row.server}</td>
              <td className="py-1 font-mono text-xs">{row.address ?? '–'}</td>
              {instances.map((i) => {
                const s = row.cells[i.name];
                return (
                  <td key={i.name} className="py-1 pr-2" data-testid="haproxy-cell" data-instance={i.name} data-status={s?.status ?? ''} data-weight={s?.weight ?? ''}>
                    {s ? (
                      <>
                        <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${statusTone(s.status)}`}>{s.status}</span>
                        <span className="ml-1 text-xs" title="weight">
                          w{s.weight ?? '–'}
                        </span>
                        <span className="ml-1 text-xs tabular-nums" data-testid="haproxy-sessions" title="sessions now / total">
                          {s.currentSessions ?? '–'} / {s.totalSessions ?? '–'}
                        </span>
                        <span className="ml-1 text-xs text-muted" data-testid="haproxy-check" title={s.checkDescription || undefined}>
                          {s.checkStatus || ''}
                          {s.checkStatus && s.checkCode !== null && s.checkCode !== 0 ? `/${s.checkCode}` : ''}
                          {s.checkDurationMs !== null ? ` ${s.checkDurationMs} ms` : ''}
                        </span>
                        {s.checkDetail ? (
                          <span className={`mt-0.5 block max-w-xs break-words text-xs ${/OK$/.test(s.checkStatus) ? 'text-muted' : 'text-red-800 dark:text-red-300'}`} data-testid="haproxy-check-detail" title={s.checkDescription || undefined}>
                            {s.checkDetail}
                          </span>
                        ) : null}
                      </>
                    ) : (
                      <span className="text-xs text-muted">{i.error !== null ? 'not read' : 'not on this instance'}</span>
                    )}
                  </td>
                );
              })}
              <td className="py-1">
                {mine.map((h) => (
                  <span
                    key={h.id}
                    className="mr-1 block text-xs text-muted"
                    title={`${h.reason ? `“${h.reason}” — ` : ''}since ${clockOf(h.createdAt, { date: true })}${h.lastError ? `; last re-apply failed: ${h.lastError}` : ''}`}
                    data-testid="haproxy-hold"
                    data-aspect={h.aspect}
                    data-reapplied={h.reapplied}
                  >
                    {holdText(h)}
                    {h.lastError ? <span className="text-red-700 dark:text-red-300"> (re-apply failing)</span> : null}
                  </span>
                ))}
              </td>
              {canAct ? (
                <td className="py-1">
                  <ServerActions row={row} held={mine.length > 0} open={open} />
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Outcome({ r }: { r: HaproxyActionResult }) {
  return (
    <div role="status" className="rounded bg-sunken px-3 py-2 text-sm" data-testid="haproxy-outcome" data-ok={String(r.ok)}>
      <span className="font-medium">
        {r.action === 'ready' ? 'restore (ready)' : r.action} {r.backend}/{r.server}
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
      {r.holds.length > 0 ? <p className="mt-1 text-xs">Held until restore or release: {r.holds.map(holdText).join('; ')} — re-applied if HAProxy forgets it (reload, restart).</p> : null}
    </div>
  );
}

/** The action dialog of one cluster's HAProxy servers: what opens it, the open one, the last outcome. */
function useHaproxyDialog(cluster: string, instances: readonly HaproxyInstanceView[], holds: readonly HaproxyHold[]) {
  const [last, setLast] = useState<HaproxyActionResult | null>(null);
  const [dialog, setDialog] = useState<HaproxyDialogRequest | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const element = dialog ? (
    <HaproxyActionDialog
      key={`${dialog.action} ${dialog.backend} ${dialog.server}`}
      cluster={cluster}
      request={dialog}
      instances={instances}
      holds={holds}
      onClose={close}
      onDone={(r) => {
        setLast(r);
        setDialog(null);
      }}
    />
  ) : null;
  return { open: setDialog, last, element };
}

/**
 * The host page's HAProxy part: the servers of this cluster's backends at this address, with the
 * same cells, holds and actions as the pools page (nothing when the host is in no backend).
 */
export function HaproxyHostMemberships({ cluster, address }: { cluster: string; address: string }) {
  const q = useQuery(haproxyQueries.pools(cluster));
  const canAct = useCan('operator', cluster);
  const instances = q.data?.instances ?? [];
  const holds = q.data?.holds ?? [];
  const { open, last, element } = useHaproxyDialog(cluster, instances, holds);
  const backends = haproxyRowsOfHost(instances, address);
  if (q.error) return <ErrorState title={`Could not read HAProxy of ${cluster}`} error={q.error} onRetry={() => void q.refetch()} />;
  if (backends.length === 0) return null;
  return (
    <Section id={`haproxy-${cluster}`} title={`HAProxy backends of ${cluster} using this host`}>
      <div className="space-y-3" data-testid="host-haproxy" data-cluster={cluster}>
        {last ? <Outcome r={last} /> : null}
        {backends.map(({ backend, rows }) => (
          <BackendTable key={backend} backend={backend} rows={rows} instances={instances} holds={holds} canAct={canAct} open={open} />
        ))}
        {element}
      </div>
    </Section>
  );
}

export function HaproxyPools({ cluster }: { cluster: string }) {
  const q = useQuery(haproxyQueries.pools(cluster));
  const canAct = useCan('operator', cluster);
  const instances = q.data?.instances ?? [];
  const holds = q.data?.holds ?? [];
  const { open, last, element } = useHaproxyDialog(cluster, instances, holds);
  return (
    <div className="space-y-6" data-testid="haproxy-pools">
      <div>
        <ClusterBreadcrumb cluster={cluster} page="HAProxy" />
        <h1 className="text-xl font-semibold tracking-tight">HAProxy pools of {cluster}</h1>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          Read from each instance&apos;s admin socket (show stat) over its director&apos;s SSH every 2 s. Drain stops new sessions to a server and lets the open ones finish; maint
          stops it at once, cutting its sessions; restore (HAProxy's ready) puts it back. Each action shows its impact first, needs a reason, goes to every instance, is re-read to verify, and
          is audited; taking the last UP server of a backend out is refused unless forced. Drain, maint and weight are held: when a reload or restart makes HAProxy forget
          them, the console sets them again (audited as system) until restore or release.
        </p>
      </div>
      {last ? <Outcome r={last} /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data && instances.length === 0 ? <p className="text-sm text-muted">No HAProxy instances are configured for this cluster (clusters[].haproxy in the configuration).</p> : null}
      {instances.length > 0 ? (
        <ul className="space-y-1 text-xs text-muted" data-testid="haproxy-instances">
          {instances.map((inst) => (
            <li key={inst.name} data-testid="haproxy-instance" data-instance={inst.name} data-read={String(inst.error === null)}>
              <span className="font-mono font-medium text-ink">{inst.name}</span> on {inst.director}:{' '}
              {inst.readAt !== null ? (
                <>
                  read <RelativeTime at={inst.readAt} />
                </>
              ) : (
                <span className="text-red-700 dark:text-red-300">not read: {inst.error}</span>
              )}
              {inst.frontends.length > 0 ? <> · frontends: {inst.frontends.map((f) => `${f.name} (${f.status}, ${f.currentSessions ?? '–'} sessions)`).join(', ')}</> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {haproxyRows(instances).map(({ backend, rows }) => (
        <Section key={backend} id={`haproxy-${backend}`} title={`Backend ${backend}`}>
          <BackendTable backend={backend} rows={rows} instances={instances} holds={holds} canAct={canAct} open={open} />
        </Section>
      ))}
      {element}
    </div>
  );
}
