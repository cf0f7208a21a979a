import 'server-only';
import type { Actor } from '@/lib/models/auth';
import {
  HaproxyActionRequest,
  type HaproxyActionResult,
  type HaproxyInstanceOutcome,
  type HaproxyInstanceView,
  type HaproxyServer,
  type HaproxyView,
} from '@/lib/models/haproxy';
import { ApiError } from '@/server/api/errors';
import type { AuditLog } from '@/server/audit/log';
import { haproxySetState, haproxySetWeight, haproxyShowStat } from '@/server/commands/haproxy';
import type { ClusterConfig, HaproxyInstanceConfig } from '@/server/config/schema';
import { parseHaproxyStat } from '@/server/parsers/haproxy-stat';
import { exec } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';

// HAProxy pools beside LVS: read every configured instance's `show stat` over its director's SSH
// connection, and act on one server on every instance of the cluster at once (as LVS drains act on
// every director): check the target exists everywhere first (else nothing is sent), send the one
// socket line, re-read, verify the new state on each instance, and audit who did what and how it went.

export interface HaproxyDeps {
  clusters: readonly ClusterConfig[];
  pool: SshPool;
  audit: AuditLog;
  commandTimeoutMs: number;
}

/** What `show stat` says a server's admin state is: DRAIN / MAINT, or ready (UP, DOWN, NOLB, "UP 1/2"...). */
export function adminState(status: string): 'drain' | 'maint' | 'ready' {
  const s = status.toUpperCase();
  if (s.startsWith('MAINT')) return 'maint';
  if (s.startsWith('DRAIN')) return 'drain';
  return 'ready';
}

export class HaproxyService {
  constructor(private readonly deps: HaproxyDeps) {}

  private cluster(name: string): ClusterConfig {
    const c = this.deps.clusters.find((x) => x.name === name);
    if (!c) throw new ApiError('not-found', `no cluster named "${name}" is configured`);
    return c;
  }

  private async readOne(c: ClusterConfig, h: HaproxyInstanceConfig): Promise<HaproxyInstanceView> {
    const director = c.directors.find((d) => d.name === h.director);
    const base = { name: h.name, director: h.director, frontends: [], backends: [] };
    if (!director) return { ...base, readAt: null, error: `no director named "${h.director}"` };
    try {
      const r = await exec(director, haproxyShowStat(h.socket), { timeoutMs: this.deps.commandTimeoutMs, pool: this.deps.pool });
      const stats = parseHaproxyStat(r.stdout);
      return { ...base, ...stats, readAt: Date.now(), error: null };
    } catch (e) {
      return { ...base, readAt: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async read(cluster: string): Promise<HaproxyView> {
    const c = this.cluster(cluster);
    return { cluster, instances: await Promise.all(c.haproxy.map((h) => this.readOne(c, h))) };
  }

  async act(cluster: string, body: unknown, actor: Actor): Promise<HaproxyActionResult> {
    const c = this.cluster(cluster);
    const req = HaproxyActionRequest.parse(body);
    const target = `${req.backend}/${req.server}`;
    if (c.haproxy.length === 0) throw new ApiError('not-found', `cluster "${cluster}" has no HAProxy instances configured`);
    const audit = (outcome: 'ok' | 'partial' | 'failed' | 'refused', detail: unknown) =>
      this.deps.audit.append({ actor: actor.name, role: actor.role, source: actor.source, action: `haproxy-${req.action}`, cluster, target, outcome, detail }).id;

    // Every instance must answer and know the server before anything is sent.
    const before = await Promise.all(c.haproxy.map((h) => this.readOne(c, h)));
    const find = (v: HaproxyInstanceView): HaproxyServer | undefined => v.backends.find((b) => b.name === req.backend)?.servers.find((s) => s.name === req.server);
    const unreadable = before.filter((v) => v.error !== null);
    const missing = before.filter((v) => v.error === null && !find(v));
    if (unreadable.length > 0 || missing.length > 0) {
      const why = [
        ...unreadable.map((v) => `${v.name} (on ${v.director}) did not answer: ${v.error}`),
        ...missing.map((v) => `${v.name} (on ${v.director}) has no server ${target}`),
      ].join('; ');
      audit('refused', { reason: req.reason, why, weight: req.weight ?? null });
      throw new ApiError(missing.length > 0 && unreadable.length === 0 ? 'not-found' : 'director-failed', `nothing was changed: ${why}`);
    }

    const outcomes: HaproxyInstanceOutcome[] = await Promise.all(
      c.haproxy.map(async (h, i): Promise<HaproxyInstanceOutcome> => {
        const director = c.directors.find((d) => d.name === h.director);
        const was = find(before[i] as HaproxyInstanceView);
        const beforeState = was ? { status: was.status, weight: was.weight } : null;
        if (!director) return { instance: h.name, director: h.director, ok: false, before: beforeState, after: null, error: 'no such director' };
        try {
          const cmd = req.action === 'weight' ? haproxySetWeight(h.socket, req.backend, req.server, req.weight ?? 0) : haproxySetState(h.socket, req.backend, req.server, req.action);
          const r = await exec(director, cmd, { timeoutMs: this.deps.commandTimeoutMs, pool: this.deps.pool });
          // The runtime API answers nothing on success, and a sentence when it refuses.
          const answer = r.stdout.trim();
          const now = find(await this.readOne(c, h));
          const after = now ? { status: now.status, weight: now.weight } : null;
          const verified =
            now !== undefined && (req.action === 'weight' ? now.weight === req.weight : adminState(now.status) === req.action);
          const error = answer !== '' ? `HAProxy answered: ${answer}` : verified ? null : `re-read shows ${after ? `${after.status}, weight ${after.weight}` : 'no such server'}`;
          return { instance: h.name, director: h.director, ok: answer === '' && verified, before: beforeState, after, error };
        } catch (e) {
          return { instance: h.name, director: h.director, ok: false, before: beforeState, after: null, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const okCount = outcomes.filter((o) => o.ok).length;
    const outcome = okCount === outcomes.length ? 'ok' : okCount === 0 ? 'failed' : 'partial';
    const auditId = audit(outcome, { reason: req.reason, weight: req.weight ?? null, instances: outcomes });
    return { cluster, action: req.action, backend: req.backend, server: req.server, weight: req.weight ?? null, ok: outcome === 'ok', auditId, instances: outcomes };
  }
}
