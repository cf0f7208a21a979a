import { z } from 'zod/mini';
import {
  ClusterInstance,
  DirectorView,
  Finding,
  MergedService,
  RealServerHealth,
  RealServerHold,
  RealServerOnDirector,
  TrackFileRef,
  type ClusterSnapshot,
  type MergedRealServer,
} from './cluster';
import type { IpvsRates, IpvsStats } from './ipvsadm';

// The cluster snapshot in the browser's wire form (`GET /api/clusters/:c?form=rows`): the same
// snapshot, with each service's real servers as rows (arrays in a fixed column order) instead of
// objects that repeat every field name. At 20,000 real servers that is about a third of the bytes,
// and the rows are checked by one pass of plain code (decodeRealServer) instead of a schema walk
// over 20,000 objects. Everything but the rows is the ordinary snapshot, checked by its schemas.
// Decoding gives exactly what the full form parses to (the unit test holds the two equal).

export const COMPACT_FORM = 'rows' as const;

/** The columns of a real-server row, in order. */
export const REAL_SERVER_COLUMNS = [
  'key',
  'address',
  'port',
  'forward',
  'weight',
  'activeConns',
  'inactiveConns',
  'persistentConns',
  /** [conns, inPkts, outPkts, inBytes, outBytes] or null */
  'stats',
  /** [cps, inPps, outPps, inBps, outBps] or null */
  'rates',
  'configuredWeight',
  'checkerAlive',
  'health',
  /** 0: absent; else null or the track file */
  'trackFile',
  /** 0: absent; else null or the hold */
  'hold',
  /** 0: left out (the directors agree); else each director's values */
  'perDirector',
  'differs',
] as const;

const STATS_KEYS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const satisfies readonly (keyof IpvsStats)[];
const RATES_KEYS = ['cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const satisfies readonly (keyof IpvsRates)[];

function figures<K extends string>(keys: readonly K[], v: Record<K, number> | null): number[] | null {
  return v === null ? null : keys.map((k) => v[k]);
}

/** A real server as its row. The directors' own values only where they differ (as the full form). */
export function encodeRealServer(rs: MergedRealServer): unknown[] {
  return [
    rs.key,
    rs.address,
    rs.port,
    rs.forward,
    rs.weight,
    rs.activeConns,
    rs.inactiveConns,
    rs.persistentConns,
    figures(STATS_KEYS, rs.stats),
    figures(RATES_KEYS, rs.rates),
    rs.configuredWeight,
    rs.checkerAlive,
    rs.health,
    rs.trackFile === undefined ? 0 : rs.trackFile,
    rs.hold === undefined ? 0 : rs.hold,
    rs.differs.length > 0 ? rs.perDirector : 0,
    rs.differs,
  ];
}

/** The snapshot in the rows form (servicesTotal and everything else as they are). */
export function encodeCompactSnapshot(s: ClusterSnapshot): unknown {
  return {
    form: COMPACT_FORM,
    ...s,
    services: s.services.map((svc) => ({ ...svc, realServers: svc.realServers.map(encodeRealServer) })),
  };
}

/** A row that is not what REAL_SERVER_COLUMNS says, named by its place and column. */
export class CompactRowError extends Error {
  override readonly name = 'CompactRowError';
}

const HEALTH = new Set<string>(RealServerHealth.options);
// The rare object columns' schemas, built once (not per row).
const PER_DIRECTOR = z.record(z.string(), RealServerOnDirector);
const TRACK_FILE = z.nullable(TrackFileRef);
const HOLD = z.nullable(RealServerHold);

/** A row back into the real server (every column checked; throws CompactRowError naming the first bad one). */
export function decodeRealServer(row: unknown, where: string): MergedRealServer {
  if (!Array.isArray(row) || row.length !== REAL_SERVER_COLUMNS.length) {
    throw new CompactRowError(`${where}: expected a row of ${REAL_SERVER_COLUMNS.length} columns`);
  }
  const r = row as unknown[];
  const bad = (i: number, what: string): never => {
    throw new CompactRowError(`${where} column ${i} (${REAL_SERVER_COLUMNS[i]}): expected ${what}`);
  };
  const str = (i: number): string => (typeof r[i] === 'string' ? (r[i]) : bad(i, 'a string'));
  const int = (i: number): number => (Number.isInteger(r[i]) ? (r[i] as number) : bad(i, 'an integer'));
  const intOrNull = (i: number): number | null => (r[i] === null ? null : int(i));
  const fig = <K extends string>(i: number, keys: readonly K[]): Record<K, number> | null => {
    const v = r[i];
    if (v === null) return null;
    if (!Array.isArray(v) || v.length !== keys.length) return bad(i, `null or ${keys.length} figures`);
    const out = {} as Record<K, number>;
    keys.forEach((k, j) => {
      const x: unknown = v[j];
      out[k] = typeof x === 'number' && x >= 0 ? x : bad(i, `${keys.length} non-negative figures`);
    });
    return out;
  };
  const parsed = <T>(i: number, schema: z.ZodMiniType<T>): T => {
    const p = z.safeParse(schema, r[i]);
    return p.success ? p.data : bad(i, `its shape (${p.error.issues[0]?.message ?? 'invalid'})`);
  };
  const health = str(12);
  if (!HEALTH.has(health)) bad(12, [...HEALTH].join(', '));
  const differs = r[16];
  if (!Array.isArray(differs) || !differs.every((d) => typeof d === 'string')) bad(16, 'a list of field names');
  const rs: MergedRealServer = {
    key: str(0),
    address: str(1),
    port: int(2),
    forward: r[3] === null ? null : str(3),
    weight: intOrNull(4),
    activeConns: intOrNull(5),
    inactiveConns: intOrNull(6),
    persistentConns: intOrNull(7),
    stats: fig(8, STATS_KEYS),
    rates: fig(9, RATES_KEYS),
    configuredWeight: intOrNull(10),
    checkerAlive: r[11] === null || typeof r[11] === 'boolean' ? (r[11]) : bad(11, 'true, false or null'),
    health: health as RealServerHealth,
    perDirector: r[15] === 0 ? {} : parsed(15, PER_DIRECTOR),
    differs: differs as string[],
  };
  if (r[13] !== 0) rs.trackFile = r[13] === null ? null : parsed(13, TRACK_FILE);
  if (r[14] !== 0) rs.hold = r[14] === null ? null : parsed(14, HOLD);
  return rs;
}

/** The rows form as the schemas check it: everything but the rows themselves (decodeRealServer's). */
const CompactShell = z.object({
  form: z.literal(COMPACT_FORM),
  name: z.string(),
  takenAt: z.number(),
  pollIntervalMs: z.number(),
  directors: z.array(DirectorView),
  instances: z.array(ClusterInstance),
  services: z.array(z.extend(MergedService, { realServers: z.array(z.unknown()) })),
  findings: z.array(Finding),
  servicesTotal: z.optional(z.int()),
});

/** `GET …?form=rows` checked and decoded into the ClusterSnapshot the full form parses to. */
export const CompactClusterSnapshot = z.pipe(
  CompactShell,
  z.transform((shell, ctx): ClusterSnapshot => {
    const { form: _form, ...rest } = shell;
    try {
      return {
        ...rest,
        services: shell.services.map((svc, i) => ({
          ...svc,
          realServers: svc.realServers.map((row, j) => decodeRealServer(row, `services[${i}].realServers[${j}]`)),
        })),
      };
    } catch (e) {
      if (!(e instanceof CompactRowError)) throw e;
      ctx.issues.push({ code: 'custom', message: e.message, input: shell, path: ['services'] });
      return z.NEVER;
    }
  }),
);
