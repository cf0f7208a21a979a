import type { MergedRealServer } from '@/lib/models/cluster';
import { formatCount } from '@/lib/format';

type Weights = Pick<MergedRealServer, 'weight' | 'configuredWeight'>;

/** The live weight differs from the one in keepalived's configuration. */
export function weightDrifts(rs: Weights): boolean {
  return rs.configuredWeight !== null && rs.weight !== null && rs.configuredWeight !== rs.weight;
}

/** The weight cell's tooltip: the live and the configured weight when they differ. */
export function weightTitle(rs: Weights): string | undefined {
  return weightDrifts(rs) ? `Live weight ${rs.weight}; keepalived's configuration says ${rs.configuredWeight}` : undefined;
}

/** A real server's live weight (0 stands out), with the configured one beside it when they differ. */
export function WeightValue({ rs }: { rs: Weights }) {
  return (
    <>
      <span className={rs.weight === 0 ? 'font-semibold text-amber-800 dark:text-amber-300' : ''}>{formatCount(rs.weight)}</span>
      {weightDrifts(rs) ? <span className="text-xs text-muted"> (cfg {formatCount(rs.configuredWeight)})</span> : null}
    </>
  );
}

/** The data-* attributes every real-server row carries (tests and scripts read them). */
export function realServerRowData(serviceKey: string, rs: MergedRealServer) {
  return {
    'data-service-key': serviceKey,
    'data-real-server-key': rs.key,
    'data-weight': rs.weight ?? '',
    'data-configured-weight': rs.configuredWeight ?? '',
    'data-active-conns': rs.activeConns ?? '',
    'data-inactive-conns': rs.inactiveConns ?? '',
    'data-persistent-conns': rs.persistentConns ?? '',
    'data-health': rs.health,
    'data-differs': rs.differs.join(','),
  };
}
