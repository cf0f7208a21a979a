import type { DirectorView } from '@/lib/models/cluster';
import { formatCount, formatDuration, formatInterval, formatPercent } from '@/lib/format';
import { Card } from '@/components/ui/card';
import { ClockAndAge, RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';
import { vrrpTone } from '@/components/ui/tones';
import { DirectorMaintenance, MaintenanceDialogHost } from './director-maintenance';
import { DirectorNetworkSection } from './director-network';
import { isHealthyDirector, laggingDirectors } from './healthy-director';

// One card per director: its VRRP role per instance, priorities, keepalived, how fresh its data
// is and the error that made it stale, if any.

export function DirectorsPanel({ cluster, directors, pollIntervalMs }: { cluster: string; directors: readonly DirectorView[]; pollIntervalMs?: number }) {
  if (directors.length === 0) return <p className="text-sm text-muted">No directors configured.</p>;
  const vips = new Set(directors.flatMap((d) => d.instances.flatMap((i) => i.vips)));
  const healthy = directors.filter(isHealthyDirector);
  const attention = directors.filter((d) => !isHealthyDirector(d));
  const lagging = pollIntervalMs ? laggingDirectors(directors, pollIntervalMs) : [];
  return (
    <MaintenanceDialogHost cluster={cluster}>
      <div className="space-y-3">
        {lagging.length > 0 && pollIntervalMs ? (
          <p role="status" data-testid="directors-behind" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-400/30 dark:bg-amber-400/10 dark:text-amber-100">
            Refreshed less often than every {formatInterval(pollIntervalMs)}:{' '}
            {lagging.map((l) => `${l.name} every ${formatInterval(l.intervalMs)}`).join(', ')}.{' '}
            {lagging.length === directors.length
              ? 'Every director is behind: the console is short of CPU or its refreshes take longer than the poll interval.'
              : 'A slow director (network, or a large table) stretches only its own interval.'}
          </p>
        ) : null}
        {attention.length > 0 ? (
          <ul aria-label="Directors needing attention" className="grid gap-3 md:grid-cols-2 2xl:grid-cols-3">
            {attention.map((director) => (
              <DirectorCard key={director.name} cluster={cluster} director={director} vips={vips} />
            ))}
          </ul>
        ) : null}
        {healthy.length > 0 ? (
          <details className="group rounded-lg border border-line bg-surface" data-testid="healthy-directors" data-count={healthy.length}>
            <summary className="cursor-pointer px-4 py-2.5 text-sm">
              <span className="font-medium text-emerald-800 dark:text-emerald-300">✓ {healthy.length} healthy</span>{' '}
              <span className="text-muted">
                (live, keepalived running): <span className="font-mono">{healthy.map((d) => d.name).join(', ')}</span>
              </span>
            </summary>
            <ul aria-label="Healthy directors" className="grid gap-3 border-t border-line p-3 md:grid-cols-2 2xl:grid-cols-3">
              {healthy.map((director) => (
                <DirectorCard key={director.name} cluster={cluster} director={director} vips={vips} />
              ))}
            </ul>
          </details>
        ) : null}
      </div>
    </MaintenanceDialogHost>
  );
}

function KeepalivedPill({ director }: { director: DirectorView }) {
  if (director.keepalivedRunning === null) return <StatusPill tone="neutral">keepalived unknown</StatusPill>;
  return director.keepalivedRunning ? (
    <StatusPill tone="ok" title={director.keepalivedPid ? `pid ${director.keepalivedPid}` : undefined}>
      keepalived running
    </StatusPill>
  ) : (
    <StatusPill tone="critical">keepalived not running</StatusPill>
  );
}

function DirectorCard({ cluster, director, vips }: { cluster: string; director: DirectorView; vips: ReadonlySet<string> }) {
  const headingId = `director-${director.name}-heading`;
  const conntrackPct =
    director.health?.conntrackCount != null && director.health.conntrackMax ? director.health.conntrackCount / director.health.conntrackMax : null;
  return (
    <Card
      as="li"
      aria-labelledby={headingId}
      id={`director-${director.name}`}
      data-testid={`director-card-${director.name}`}
      className={director.live ? '' : 'border-amber-400 dark:border-amber-400/50'}
    >
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-4 py-2.5">
        <h3 id={headingId} className="font-mono text-sm font-semibold">
          {director.name}
        </h3>
        <span className="font-mono text-xs text-faint">{director.endpoint}</span>
        <span className="ml-auto flex flex-wrap gap-1.5">
          <span data-testid="director-live" data-live={director.live}>
            <StatusPill tone={director.live ? 'ok' : 'warning'}>{director.live ? 'live' : 'stale'}</StatusPill>
          </span>
          <span data-testid="director-keepalived" data-running={String(director.keepalivedRunning)}>
            <KeepalivedPill director={director} />
          </span>
        </span>
      </div>

      <div className="space-y-3 px-4 py-3">
        {director.error ? (
          <p
            data-testid="director-error"
            className="rounded-md border border-amber-300 bg-amber-50 px-2.5 py-1.5 text-xs text-amber-950 dark:border-amber-400/30 dark:bg-amber-400/10 dark:text-amber-100"
          >
            <span className="font-mono font-semibold">{director.error.code}</span>: {director.error.message}
            <span className="block text-amber-800 dark:text-amber-300">
              failing since <ClockAndAge at={director.error.since} />
            </span>
          </p>
        ) : null}

        {director.instances.length === 0 ? (
          <p className="text-sm text-muted">No VRRP instances reported.</p>
        ) : (
          <table className="w-full text-sm" aria-label={`VRRP on ${director.name}`}>
            <thead>
              <tr className="text-left text-xs text-muted">
                <th scope="col" className="pb-1 font-medium">Instance</th>
                <th scope="col" className="pb-1 font-medium">State</th>
                <th scope="col" className="pb-1 text-right font-medium" title="Configured priority / effective priority (after tracked scripts and interfaces)">
                  Priority
                </th>
                <th scope="col" className="pb-1 text-right font-medium" title="VIPs of this instance this director holds right now (ip addr)">
                  VIPs held
                </th>
                <th scope="col" className="pb-1 pl-3 font-medium">Since</th>
              </tr>
            </thead>
            <tbody>
              {director.instances.map((instance) => {
                const effectiveDiffers =
                  instance.effectivePriority !== null && instance.priority !== null && instance.effectivePriority !== instance.priority;
                const holdsAll = instance.vips.length > 0 && instance.vipsHeld === instance.vips.length;
                const holdsSome = instance.vipsHeld > 0 && !holdsAll;
                return (
                  <tr key={instance.name} data-testid={`director-instance-${instance.name}`} data-state={instance.state} className="border-t border-line">
                    <td className="py-1 font-mono text-xs">{instance.name}</td>
                    <td className="py-1">
                      <StatusPill tone={vrrpTone(instance.state)} plain>
                        {instance.state}
                      </StatusPill>
                    </td>
                    <td className="py-1 text-right tabular-nums">
                      {instance.priority ?? '—'}
                      {effectiveDiffers ? (
                        <span className="text-amber-800 dark:text-amber-300" title="Effective priority differs from configured">
                          {' '}
                          → {instance.effectivePriority}
                        </span>
                      ) : null}
                    </td>
                    <td
                      className={`py-1 text-right tabular-nums ${holdsSome || (instance.state === 'MASTER' && !holdsAll) ? 'font-semibold text-red-700 dark:text-red-300' : ''}`}
                    >
                      {instance.vipsHeld}/{instance.vips.length}
                    </td>
                    <td className="py-1 pl-3 text-xs whitespace-nowrap text-muted">
                      {instance.lastTransitionAt ? (
                        <>
                          {instance.state === 'MASTER' ? 'master ' : ''}
                          <RelativeTime at={instance.lastTransitionAt} />
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}

        <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs [&>div]:flex [&>div]:gap-1.5">
          <div>
          <dt className="text-muted">Refreshed</dt>
          <dd data-testid="director-taken-at" className={director.live ? '' : 'font-semibold text-amber-900 dark:text-amber-200'}>
            {director.takenAt ? (
              <>
                <RelativeTime at={director.takenAt} />
                {director.refreshMs !== null ? <span className="text-faint"> (took {formatDuration(director.refreshMs, { ms: true })})</span> : null}
              </>
            ) : (
              'never'
            )}
          </dd>
          </div>
          {director.health ? (
            <>
              <div>
              <dt className="text-muted">ip_forward</dt>
              <dd>{director.health.ipForward === null ? '—' : director.health.ipForward ? 'on' : <span className="font-medium text-amber-800 dark:text-amber-300">off (NAT needs it)</span>}</dd>
              </div>
              <div>
              <dt className="text-muted">conntrack</dt>
              <dd className={conntrackPct !== null && conntrackPct > 0.8 ? 'font-medium text-red-700 dark:text-red-300' : ''}>
                {director.health.conntrackCount === null
                  ? '—'
                  : `${formatCount(director.health.conntrackCount)} / ${formatCount(director.health.conntrackMax)} (${formatPercent(director.health.conntrackCount, director.health.conntrackMax)})`}
              </dd>
              </div>
              <div>
              <dt className="text-muted" title="net.ipv4.vs.expire_quiescent_template">expire_quiescent_template</dt>
              <dd>{director.health.expireQuiescentTemplate === null ? '—' : director.health.expireQuiescentTemplate ? 'on' : 'off'}</dd>
              </div>
            </>
          ) : null}
          {director.heldVips.length ? (
            <div>
              <dt className="text-muted">Holds</dt>
              <dd className="font-mono" data-testid="director-held-vips">
                {director.heldVips.join(', ')}
              </dd>
            </div>
          ) : null}
        </dl>
        <DirectorNetworkSection director={director} vips={vips} />
        <DirectorMaintenance cluster={cluster} director={director.name} />
      </div>
    </Card>
  );
}
