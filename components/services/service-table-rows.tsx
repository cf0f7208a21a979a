'use client';

import { memo, type CSSProperties } from 'react';
import type { MergedRealServer, MergedService } from '@/lib/models/cluster';
import { formatCount, formatForward, formatPersistence } from '@/lib/format';
import { describeSource, outOfRotationSources, OUT_OF_ROTATION_LABEL } from '@/lib/models/out-of-rotation';
import { HostLink, pageHrefs } from '@/components/ui/links';
import { Badge, StatusPill } from '@/components/ui/status-pill';
import { RS_HEALTH } from '@/components/ui/tones';
import { GRID_COLUMNS } from './columns';
import { DirectorValues } from './director-values';
import { MetricCells } from './metric-cells';
import { realServerLabel, type ServiceTotals } from './service-rows';
import { useServicesTable } from './table-context';
import { realServerRowData, weightTitle, WeightValue } from './weight-value';
import { useCan } from '@/components/auth/me-context';
import { RealServerActions } from '@/components/drain/drain-actions';

// The two kinds of virtualized row. Both are memoized on the data objects they show: structural
// sharing keeps an unchanged real server the same object across polls, so only changed rows
// re-render.

const ROW_BASE = 'absolute left-0 top-0 grid w-full items-center border-b border-line text-sm';

function positionStyle(start: number, height: number): CSSProperties {
  return { transform: `translateY(${start}px)`, height, gridTemplateColumns: GRID_COLUMNS };
}

function Count({ value, testId }: { value: number | null; testId?: string }) {
  return (
    <div role="cell" data-testid={testId} className={`px-2 text-right ${value === 0 || value === null ? 'text-faint' : ''}`}>
      {formatCount(value)}
    </div>
  );
}

export interface ServiceHeaderRowProps {
  service: MergedService;
  totals: ServiceTotals;
  shownRealServers: number;
  collapsed: boolean;
  rowIndex: number;
  start: number;
  height: number;
  directorCount: number;
}

export const ServiceHeaderRow = memo(function ServiceHeaderRow({
  service,
  totals,
  shownRealServers,
  collapsed,
  rowIndex,
  start,
  height,
  directorCount,
}: ServiceHeaderRowProps) {
  const { onToggle } = useServicesTable();
  const total = service.realServers.length;
  const persistence = formatPersistence(service.persistent);
  // "sh-fallback", "sh-port" read as "sh fallback,port" next to the scheduler.
  const schedulerPrefix = service.scheduler ? `${service.scheduler}-` : null;
  const schedulerFlags = schedulerPrefix ? service.flags.filter((f) => f.startsWith(schedulerPrefix)).map((f) => f.slice(schedulerPrefix.length)) : [];
  const otherFlags = service.flags.filter((f) => f !== 'persistent' && !(schedulerPrefix && f.startsWith(schedulerPrefix)));
  const attributes = [
    service.scheduler ? `scheduler ${service.scheduler}` : null,
    ...service.flags.map((f) => `flag ${f}`),
    service.persistent ? `persistent ${service.persistent.timeout} s${service.persistent.netmask ? ` mask ${service.persistent.netmask}` : ''}` : null,
    service.ops ? 'one-packet scheduling' : null,
    service.pe ? `persistence engine ${service.pe}` : null,
  ].filter((a): a is string => a !== null);
  const missingOn = directorCount - service.presentOn.length;
  const { counts } = totals;
  const healthTitle = `${counts.up} up, ${counts.drained} drained, ${counts.down} down${counts.unknown ? `, ${counts.unknown} unknown` : ''}`;
  return (
    <div
      role="row"
      aria-rowindex={rowIndex}
      aria-label={service.key}
      data-testid="service-row"
      data-service-key={service.key}
      data-real-servers={total}
      data-up={counts.up}
      data-drained={counts.drained}
      data-down={counts.down}
      data-active-conns={totals.activeConns}
      className={`${ROW_BASE} bg-sunken font-medium`}
      style={positionStyle(start, height)}
    >
      <div role="rowheader" className="flex min-w-0 items-center gap-2 pl-1 pr-2">
        <button
          type="button"
          onClick={() => onToggle(service.key)}
          aria-expanded={!collapsed}
          aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${service.key}`}
          className="grid h-6 w-6 shrink-0 place-items-center rounded text-muted hover:bg-hover hover:text-ink"
        >
          <span aria-hidden="true" className={`inline-block text-[0.65rem] transition-transform ${collapsed ? '' : 'rotate-90'}`}>
            ▶
          </span>
        </button>
        <span className="shrink-0 font-mono font-semibold" title={service.key}>
          {service.key}
        </span>
        <span className="flex min-w-0 items-center gap-1 overflow-hidden" title={attributes.join(' · ')}>
          {service.scheduler ? (
            <Badge title="Scheduler and its flags">
              {service.scheduler}
              {schedulerFlags.length ? ` ${schedulerFlags.join(',')}` : ''}
            </Badge>
          ) : null}
          {persistence ? <Badge title="Persistence">{persistence}</Badge> : null}
          {otherFlags.map((flag) => (
            <Badge key={flag} title="Flag">
              {flag}
            </Badge>
          ))}
          {service.ops ? <Badge title="One-packet scheduling">ops</Badge> : null}
          {service.pe ? <Badge title="Persistence engine">pe {service.pe}</Badge> : null}
        </span>
        {shownRealServers !== total ? (
          <span className="ml-auto shrink-0 text-xs font-normal text-muted" data-testid="service-shown-count">
            {formatCount(shownRealServers)} of {formatCount(total)} shown
          </span>
        ) : null}
      </div>
      <div role="cell" className="px-2" />
      <div role="cell" className="px-2" />
      <div role="cell" className="px-2 text-xs" title={healthTitle} data-testid="service-health">
        {total === 0 ? (
          <span className="text-faint">none</span>
        ) : counts.up === total ? (
          <span className="text-emerald-800 dark:text-emerald-300">{total} up</span>
        ) : (
          <span className={counts.up === 0 ? 'font-semibold text-red-700 dark:text-red-300' : 'text-amber-900 dark:text-amber-300'}>
            {counts.up}/{total} up
          </span>
        )}
      </div>
      <Count value={totals.activeConns} />
      <Count value={totals.inactiveConns} />
      <Count value={totals.persistentConns} />
      <MetricCells service={service.key} realServer={null} rates={service.rates} />
      <div role="cell" className="flex min-w-0 items-center gap-1 px-2 text-xs font-normal">
        {service.differs.length > 0 || missingOn > 0 ? (
          <span
            className="rounded border border-amber-400 bg-amber-50 px-1.5 font-medium text-amber-900 dark:border-amber-400/40 dark:bg-amber-400/10 dark:text-amber-200"
            title={`Directors disagree${service.differs.length ? ` on ${service.differs.join(', ')}` : ''}; present on ${service.presentOn.join(', ') || 'none'}`}
            data-testid="service-differs"
          >
            <span aria-hidden="true">≠ </span>
            {missingOn > 0 ? `on ${service.presentOn.length}/${directorCount}` : 'differs'}
          </span>
        ) : (
          <span className="truncate font-mono text-muted" title={service.activeDirector ? `Figures from ${service.activeDirector}, which holds the VIP` : 'No director holds this VIP'}>
            {service.activeDirector ?? <span className="font-sans text-red-700 dark:text-red-300">no VIP holder</span>}
          </span>
        )}
      </div>
    </div>
  );
});

export interface RealServerRowProps {
  service: MergedService;
  realServer: MergedRealServer;
  last: boolean;
  rowIndex: number;
  start: number;
  height: number;
}

/** Why this real server takes no new connections (besides a console hold, marked above): links to the cluster's panel. */
function OutMarker({ rs }: { rs: MergedRealServer }) {
  const { cluster, directorLive } = useServicesTable();
  const sources = outOfRotationSources(
    rs,
    Object.keys(directorLive).filter((d) => directorLive[d]),
  ).filter((s) => s.kind !== 'hold');
  if (sources.length === 0) return null;
  return (
    <a
      href={`${pageHrefs.cluster(cluster)}#out-of-rotation`}
      className="shrink-0 rounded bg-sunken px-1 text-[11px] text-muted ring-1 ring-line-strong hover:underline"
      data-testid="out-of-rotation-marker"
      data-sources={sources.map((s) => s.kind).join(',')}
      title={`Out of rotation: ${sources.map(describeSource).join('; ')}`}
    >
      {sources.map((s) => OUT_OF_ROTATION_LABEL[s.kind]).join(', ')}
    </a>
  );
}

export const RealServerRow = memo(function RealServerRow({ service, realServer: rs, last, rowIndex, start, height }: RealServerRowProps) {
  const label = realServerLabel(rs, service);
  const { cluster } = useServicesTable();
  const canOperate = useCan('operator', cluster);
  const health = RS_HEALTH[rs.health];
  return (
    <div
      role="row"
      aria-rowindex={rowIndex}
      aria-label={label}
      data-testid="real-server-row"
      {...realServerRowData(service.key, rs)}
      className={`${ROW_BASE} hover:bg-hover`}
      style={positionStyle(start, height)}
    >
      <div role="rowheader" className="flex min-w-0 items-center gap-2 pl-3 pr-2">
        <span aria-hidden="true" className="w-4 shrink-0 font-mono text-line-strong">
          {last ? '└' : '├'}
        </span>
        <HostLink address={rs.address} className="truncate font-mono" title={`${label}: open this host across all services`}>
          {rs.key}
        </HostLink>
        {rs.hold ? (
          <span
            className="shrink-0 rounded bg-amber-50 px-1 text-[11px] text-amber-900 ring-1 ring-amber-600/30 dark:bg-amber-400/10 dark:text-amber-300"
            data-testid="hold-marker"
            data-mechanism={rs.hold.mechanism}
            title={`${rs.hold.kind === 'drain' ? 'Drained' : `Weight ${rs.hold.weight} held`} by ${rs.hold.actor}: ${rs.hold.reason} (${rs.hold.mechanism === 'track-file' ? 'keepalived track file' : 'console re-applies with ipvsadm'})`}
          >
            held
          </span>
        ) : null}
        <OutMarker rs={rs} />
        {canOperate ? <RealServerActions cluster={cluster} service={service.key} realServer={rs.key} weight={rs.weight} held={Boolean(rs.hold)} /> : null}
      </div>
      <div role="cell" className="px-2 text-xs text-muted" title={rs.forward ?? undefined}>
        {formatForward(rs.forward)}
      </div>
      <div
        role="cell"
        data-testid="weight"
        className="px-2 text-right"
        title={weightTitle(rs)}
      >
        <WeightValue rs={rs} />
      </div>
      <div role="cell" className="px-2">
        <StatusPill tone={health.tone} title={health.description} data-testid="health">
          {health.label}
        </StatusPill>
      </div>
      <Count value={rs.activeConns} testId="active-conns" />
      <Count value={rs.inactiveConns} testId="inactive-conns" />
      <Count value={rs.persistentConns} testId="persistent-conns" />
      <MetricCells service={service.key} realServer={rs.key} rates={rs.rates} />
      <div role="cell" className="px-2">
        {rs.differs.length > 0 ? <DirectorValues label={label} perDirector={rs.perDirector} differs={rs.differs} /> : null}
      </div>
    </div>
  );
});
