import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '@/server/api/openapi';
import { summarize } from '@/server/collector/summarize';
import { startLabRuntime, waitFor, type LabRuntime } from '@/server/testing/lab-runtime';
import type { Collector } from '@/server/collector/collector';
import { renderMetrics } from './render-metrics';
import { parseMetrics } from './prom-test-helpers';

// /metrics from a real refresh of the lab's directors, read back with a Prometheus text-format
// parser; and the same real snapshot against the OpenAPI document's answer schemas (ajv).
// Read-only (no lock): whoever is master now, the figures must be the snapshot's.

let lab: LabRuntime;
let collector: Collector;

beforeAll(() => {
  // The console's runtime on the lab: its collector's refreshes and counters are what /metrics renders.
  lab = startLabRuntime();
  collector = lab.runtime.collector;
});
afterAll(async () => {
  await lab.close();
});

describe('/metrics over the lab', () => {
  it('carries every director, instance, service and real server of a real refresh, with the same figures', async () => {
    const [name] = collector.clusterNames();
    if (!name) throw new Error('no cluster in the lab config');
    // The first refresh asks keepalived for its dump, a later one reads it.
    const s = await waitFor('a snapshot with VRRP instances', async () => {
      const snap = await collector.refreshNow(name);
      return snap && snap.instances.length > 0 ? snap : undefined;
    }, 60_000, 200);
    const m = parseMetrics(renderMetrics({ snapshots: [s], collector: collector.stats(), failovers: [], perRealServer: true }));

    for (const d of s.directors) {
      expect(m.value('lvs_director_up', { cluster: name, director: d.name }), d.name).toBe(d.live ? 1 : 0);
      expect(m.value('lvs_collector_refreshes_total', { cluster: name, director: d.name })).toBeGreaterThanOrEqual(d.live ? 1 : 0);
      for (const i of d.instances) {
        const states = m.samples('lvs_director_vrrp_state', { cluster: name, director: d.name, instance: i.name });
        expect(states.filter((x) => x.value === 1).map((x) => x.labels.state)).toEqual([i.state]);
      }
      if (d.live) expect(m.value('lvs_collector_refresh_duration_seconds', { director: d.name })).toBeGreaterThan(0);
    }
    for (const i of s.instances) {
      expect(m.value('lvs_vrrp_instance_has_master', { cluster: name, instance: i.name })).toBe(i.master !== null && i.holders.length === 1 ? 1 : 0);
      expect(m.value('lvs_failovers_total', { cluster: name, instance: i.name })).toBe(0);
    }
    expect(s.services.length).toBeGreaterThanOrEqual(5);
    for (const svc of s.services) {
      const l = { cluster: name, service: svc.key };
      expect(m.value('lvs_service_connections_total', l), svc.key).toBe(svc.stats?.conns);
      expect(m.value('lvs_service_bytes_per_second', { ...l, direction: 'in' }), svc.key).toBe(svc.rates?.inBps);
      for (const rs of svc.realServers) {
        const rl = { ...l, real_server: rs.key };
        expect(m.value('lvs_real_server_connections_total', rl), rs.key).toBe(rs.stats?.conns);
        expect(m.value('lvs_real_server_weight', rl), rs.key).toBe(rs.weight ?? undefined);
        expect(m.value('lvs_real_server_configured_weight', rl), rs.key).toBe(rs.configuredWeight ?? undefined);
        expect(m.value('lvs_real_server_active_connections', rl), rs.key).toBe(rs.activeConns ?? undefined);
        expect(m.samples('lvs_real_server_health', rl).filter((x) => x.value === 1).map((x) => x.labels.health)).toEqual([rs.health]);
      }
    }
    // What GET /api/clusters/:cluster and GET /api/clusters answer, as the OpenAPI document says.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'doc', components: (openApiDocument() as { components: unknown }).components });
    for (const [name, body] of [['ClusterSnapshot', s], ['ClusterList', { clusters: [summarize(s)], generatedAt: Date.now() }]] as const) {
      const validate = ajv.getSchema(`doc#/components/schemas/${name}`);
      expect(validate?.(JSON.parse(JSON.stringify(body))), `${name}: ${ajv.errorsText(validate?.errors)}`).toBe(true);
    }
    // The lab's web service answers with stats from a live director.
    expect(m.value('lvs_service_connections_total', { cluster: name, service: 'TCP 192.0.2.100:80' })).toBeTypeOf('number');
  });
});
