import 'server-only';
import { BlockList, isIP } from 'node:net';
import { NextResponse } from 'next/server';
import { coversCluster, type Actor } from '@/lib/models/auth';
import { sourceAddressWith } from '@/server/auth/authenticate';
import { sameSecret } from '@/server/auth/secrets';
import type { AuthService } from '@/server/auth/service';
import type { MetricsConfig } from '@/server/config/metrics-schema';
import { getRuntime } from '@/server/runtime';
import { failoverCounts } from '@/server/metrics/failover-counts';
import { METRICS_CONTENT_TYPE, renderMetrics, type MetricsInput } from '@/server/metrics/render-metrics';
import { STORE_LEASE, type LeadershipView } from '@/server/leases/leadership';

// GET /metrics: who may scrape, and the answer. Besides any logged-in viewer (session or API
// token), a Prometheus server may scrape with the metrics token (`metrics.token`, sent as
// `Authorization: Bearer ...`) or from an allowed address (`metrics.allow`, judged on the
// client address as the rest of the console sees it: X-Forwarded-For only from trusted proxies).

const allowLists = new WeakMap<MetricsConfig, BlockList>();

function allowList(cfg: MetricsConfig): BlockList {
  let list = allowLists.get(cfg);
  if (!list) {
    list = new BlockList();
    for (const entry of cfg.allow) {
      const [addr = '', bits] = entry.split('/');
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(addr, type);
      else list.addSubnet(addr, Number(bits), type);
    }
    allowLists.set(cfg, list);
  }
  return list;
}

/** Whether the request may scrape without a login: the metrics token, or an allowed source address. */
export function scrapeGranted(req: Request, svc: AuthService, cfg: MetricsConfig): boolean {
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    // Any other bearer token goes on to be judged as an API token.
    return cfg.token !== undefined && m?.[1] !== undefined && sameSecret(m[1], cfg.token);
  }
  if (cfg.allow.length === 0) return false;
  const source = sourceAddressWith(req, svc.config);
  const family = isIP(source);
  return family !== 0 && allowList(cfg).check(source, family === 6 ? 'ipv6' : 'ipv4');
}

export function metricsGrant(req: Request, svc: AuthService): boolean {
  return scrapeGranted(req, svc, getRuntime().config.metrics);
}

/** The metrics text; a cluster-scoped actor sees only its clusters (a granted scraper sees all). */
/** The leases a scraper may see: its clusters' (and the store's own). */
function storeMetrics(v: LeadershipView, visible: (c: string) => boolean): MetricsInput['store'] {
  return { reachable: v.storeReachable, console: v.self, consoles: v.consoles, leases: v.leases.filter((l) => l.name === STORE_LEASE || visible(l.name)) };
}

export function metricsResponse(actor: Actor | null): NextResponse {
  const rt = getRuntime();
  const visible = (c: string) => !actor || coversCluster(actor.clusters, c);
  const text = renderMetrics({
    snapshots: rt.collector.snapshots().filter((s) => visible(s.name)),
    collector: rt.collector.stats().filter((s) => visible(s.cluster)),
    failovers: failoverCounts(rt.db).filter((f) => visible(f.cluster)),
    perRealServer: rt.config.metrics.perRealServer,
    maintenance: rt.collector
      .clusterNames()
      .filter(visible)
      .flatMap((c) => rt.maintenance.status(c).directors.map((d) => ({ cluster: c, director: d.director, inMaintenance: d.maintenance !== null || (d.value ?? 0) !== 0, trackConfigured: d.trackFile !== null }))),
    rollouts: rt.collector
      .clusterNames()
      .filter(visible)
      .flatMap((c) => rt.rollouts.list(c).rollouts)
      .map((r) => ({
        cluster: r.cluster,
        id: r.id,
        state: r.state === 'paused' ? 'paused' : 'running',
        stopped: r.stopped !== null,
        waiting: r.hosts.filter((h) => (h.step === 'maintenance' && r.options.maintenance === 'manual') || h.step === 'deadline').length,
      })),
    store: storeMetrics(rt.leadership.view(), visible),
  });
  return new NextResponse(text, { headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' } });
}
