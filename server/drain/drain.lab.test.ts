import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { ctl, labSsh, restoreLab, startLabRuntime, waitFor, type LabRuntime } from '@/server/testing/lab-runtime';
import { DomainError } from '@/server/errors';
import type { AuditLog } from '@/server/audit/log';
import type { EventStore } from '@/server/events/store';
import type { ActingAs, DrainService } from './drain-service';
import type { DrainProgressTracker } from './progress';

// Drains against the real lab: both directors over SSH as the console's sudo-limited user, with
// the real collector driving the reconciler. Checked independently as root over the lab's ssh.

const WEB = 'TCP 192.0.2.100:80';
const WHO: ActingAs = { name: 'lab-test', role: 'operator', source: 'vitest' };

let lab: LabRuntime;
let drain: DrainService;
let progress: DrainProgressTracker;
let audit: AuditLog;
let events: EventStore;

/** Weight of RS in SERVICE on DIR as root sees it (null: absent). */
async function weightOn(dir: 'dir1' | 'dir2', svc: string, rs: string): Promise<number | null> {
  const out = await labSsh(dir, `ipvsadm -Ln ${svc} 2>/dev/null || true`);
  const line = out.split('\n').find((l) => l.includes(`-> ${rs} `));
  if (!line) return null;
  const cols = line.trim().split(/\s+/);
  return Number(cols[3]);
}

async function weights(svc: string, rs: string): Promise<[number | null, number | null]> {
  return Promise.all([weightOn('dir1', svc, rs), weightOn('dir2', svc, rs)]);
}

const snap = (): ClusterSnapshot => lab.snapshot();

/** Waits until keepalived's own view (a fresh dump) has these real servers of the service up and weighted. */
async function servingAgain(keys: string[], service: string): Promise<void> {
  await waitFor(`${keys.join(', ')} serving ${service} in keepalived's fresh view`, async () => {
    const s = await lab.runtime.collector.refreshNow('lab', { keepalivedDump: true });
    const rs = s?.services.find((x) => x.key === service)?.realServers ?? [];
    return keys.every((k) => rs.some((r) => r.key === k && r.health === 'up' && (r.weight ?? 0) > 0));
  }, 120_000, 2000);
}

beforeAll(async () => {
  // The console's runtime on the lab, as the server builds it. Command limits far above what the
  // emulated lab needs on a loaded CI machine (a host's restore of 10 commands once took over 45 s
  // there); how fast a drain is belongs to the bench (drain.bench.ts).
  lab = startLabRuntime({ commandTimeoutMs: 120_000 });
  ({ audit, events } = lab.runtime);
  ({ service: drain, progress } = lab.runtime.drain);
  await lab.ready({ keepalivedDump: true });
}, 300_000);

afterAll(async () => {
  await lab?.close();
  // Leave the lab as found: keepalived up on dir1, rs1 answering, weights from the configuration.
  await restoreLab([
    ['start keepalived on dir1', () => ctl('keepalived', 'start', 'dir1')],
    ['start rs1', () => ctl('rs', 'start', 'rs1')],
    ...(['dir1', 'dir2'] as const).flatMap((d) => [
      [`${d}: track file rs3-80 back to 1`, () => labSsh(d, 'echo 1 > /var/lib/lvs-console/track/rs3-80')] as const,
      ...['192.0.2.11:80', '192.0.2.12:80'].map((rs) => [`${d}: ${rs} back to weight 100`, () => labSsh(d, `ipvsadm -e -t 192.0.2.100:80 -r ${rs} -g -w 100`)] as const),
      ...['192.0.2.12:80', '192.0.2.14:80'].map((rs) => [`${d}: TUN ${rs} back to weight 1`, () => labSsh(d, `ipvsadm -e -t 192.0.2.103:80 -r ${rs} -i -w 1`)] as const),
    ]),
  ]);
}, 300_000);

describe('drain held until restored (lab)', () => {
  it('drain rs1:80 -> weight 0 on both; survives a checker flap, a failover and a keepalived restart; restore puts 100 back', async () => {
    const t0 = Date.now();
    const r = await drain.drain('lab', { target: '192.0.2.11:80', service: WEB, reason: 'lab test: kernel update', ticket: 'LAB-1' }, WHO);
    const applyMs = Date.now() - t0;
    expect(r.outcome, r.message).toBe('ok');
    expect(r.directors.map((d) => [d.director, d.status, d.verified.map((v) => v.actual)])).toEqual([
      ['dir1', 'ok', [0]],
      ['dir2', 'ok', [0]],
    ]);
    expect(await weights('-t 192.0.2.100:80', '192.0.2.11:80')).toEqual([0, 0]);
    console.info(`[drain.lab] drain applied and verified on both directors in ${applyMs} ms`);

    // New requests reach only rs2; the progress view (on the VIP holder) reaches "drained".
    const traffic = await ctl('traffic', '--count', '10');
    expect(traffic).not.toMatch(/rs1/);
    expect(traffic).toMatch(/rs2 10/);
    const before = await progress.progress('lab', '192.0.2.11:80', WEB, true);
    console.info(`[drain.lab] progress: ${before.state}, ${JSON.stringify(before.entries.map((e) => [e.active, e.inactive, e.persistent]))}, est ${before.estimatedSecondsToZero} s, -Lnc ${JSON.stringify(before.connections.map((c) => c.byState))}`);
    const done = await progress.wait('lab', { target: '192.0.2.11:80', service: WEB, timeoutSeconds: 180 });
    expect(done.state).toBe('drained');
    expect(done.entries[0]?.director).toBe('dir1');
    const detail = await progress.progress('lab', '192.0.2.11:80', WEB, true);
    expect(detail.connections.map((c) => [c.director, c.error])).toEqual([['dir1', null]]);

    // Idempotent: the same drain again (as a second operator) ends with the same single intent.
    const again = await drain.drain('lab', { target: '192.0.2.11:80', service: WEB, reason: 'second operator' }, { ...WHO, name: 'other-operator' });
    expect(again.alreadyHeld).toBe(true);
    expect(again.intents[0]?.id).toBe(r.intents[0]?.id);
    expect(drain.intents('lab').intents).toHaveLength(1);

    // The last serving server is refused without force (rs2 is then the only one).
    await expect(drain.drain('lab', { target: '192.0.2.12:80', service: WEB, reason: 'would empty the service' }, WHO)).rejects.toSatisfy(
      (e) => e instanceof DomainError && e.kind === 'conflict' && /no serving real server left/.test(e.message),
    );
    expect(await weightOn('dir1', '-t 192.0.2.100:80', '192.0.2.12:80')).toBe(100);

    console.info(`[drain.lab] drained, waited, refused the last server: ${Date.now() - t0} ms`);
    // Checker flap: keepalived removes rs1 and re-adds it at its configured weight 100.
    const t1 = Date.now();
    await ctl('rs', 'stop', 'rs1', '80');
    await waitFor('rs1 removed by the checker on dir1', async () => (await weightOn('dir1', '-t 192.0.2.100:80', '192.0.2.11:80')) === null, 60_000, 1000);
    await ctl('rs', 'start', 'rs1', '80');
    await waitFor(
      'a drift repair of rs1 after the flap',
      () => Promise.resolve(audit.list({ action: 'drift-repair' }).some((e) => e.at > t1 && e.outcome === 'ok')),
      240_000,
      500,
    );
    await waitFor('rs1 held at 0 on both after the flap', async () => JSON.stringify(await weights('-t 192.0.2.100:80', '192.0.2.11:80')) === '[0,0]', 30_000, 1000);
    const ev = events.query({ cluster: 'lab', from: t1, to: Date.now() + 1000, kinds: ['drift-repair'] }).events;
    expect(ev.length).toBeGreaterThan(0);
    expect(ev[0]?.cause).toMatch(/re-applied the held 0/);
    console.info(`[drain.lab] flap -> repaired in ${Date.now() - t1} ms (including the checker's own down/up)`);

    // Failover: dir2 takes the VIP and still has rs1 at 0.
    const tf = Date.now();
    await ctl('keepalived', 'stop', 'dir1');
    await waitFor('dir2 holds the VIP', () => Promise.resolve(snap().instances.find((i) => i.name === 'VI_V4')?.master === 'dir2'), 60_000);
    expect(await weightOn('dir2', '-t 192.0.2.100:80', '192.0.2.11:80')).toBe(0);
    console.info(`[drain.lab] failover to dir2 seen in ${Date.now() - tf} ms; rs1 still 0 there`);

    // keepalived starts again on dir1 and reprograms rs1 at 100: the reconciler holds the drain.
    const t2 = Date.now();
    await ctl('keepalived', 'start', 'dir1');
    await waitFor(
      'rs1 back at 0 on dir1 after keepalived restarted',
      async () => {
        const w = await weightOn('dir1', '-t 192.0.2.100:80', '192.0.2.11:80');
        return w === 0 && audit.list({ action: 'drift-repair' }).some((e) => e.at > t2 && e.outcome === 'ok');
      },
      240_000,
      1000,
    );
    expect(await weightOn('dir2', '-t 192.0.2.100:80', '192.0.2.11:80')).toBe(0);
    console.info(`[drain.lab] keepalived restart -> repaired in ${Date.now() - t2} ms`);

    // Restore: the original weight on both, the intent ended, everything audited.
    await waitFor('dir1 live again', () => Promise.resolve(snap().directors.every((d) => d.live)), 60_000);
    const back = await drain.restore('lab', { target: '192.0.2.11:80', service: WEB, reason: 'done' }, WHO);
    expect(back.outcome, back.message).toBe('ok');
    expect(await weights('-t 192.0.2.100:80', '192.0.2.11:80')).toEqual([100, 100]);
    expect(drain.intents('lab').intents).toEqual([]);
    const actions = audit.list({ cluster: 'lab' }).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['drain:ok', 'drain:refused', 'drift-repair:ok', 'restore:ok']));
  }, 900_000);

  it('drains a host across every service it serves in one action, and restores it', async () => {
    await waitFor('both directors live', () => Promise.resolve(snap().directors.every((d) => d.live)), 60_000);
    // The previous test restarted keepalived on dir1: until a dump taken after its checkers passed
    // again is read, the console counts rs1 as down, and draining rs2 would take the web service's
    // last serving server (refused, as it should be). Wait for keepalived's fresh view first.
    await servingAgain(['192.0.2.11:80', '192.0.2.12:80'], 'TCP 192.0.2.100:80');
    const r = await drain.drain('lab', { target: '192.0.2.12', reason: 'lab test: host maintenance' }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    // Every IPv4 service rs2 serves (its IPv6 address is another real server).
    const services = [...new Set(r.plan.entries.map((e) => e.service))].sort();
    expect(services).toEqual(['FWM 1', 'SCTP 192.0.2.101:3868', 'TCP 192.0.2.100:80', 'TCP 192.0.2.100:8080', 'TCP 192.0.2.103:80', 'UDP 192.0.2.101:5353']);
    expect(await weights('-t 192.0.2.100:80', '192.0.2.12:80')).toEqual([0, 0]);
    // ...including the tunnelled service (ipvsadm -e … -i: the forwarding method kept)
    expect(await weights('-t 192.0.2.103:80', '192.0.2.12:80')).toEqual([0, 0]);
    expect(await labSsh('dir2', 'ipvsadm -Ln -t 192.0.2.103:80')).toMatch(/-> 192\.0\.2\.12:80\s+Tunnel\s+0/);
    expect(await weights('-t 192.0.2.100:8080', '192.0.2.12:8080')).toEqual([0, 0]);
    expect(await weights('-u 192.0.2.101:5353', '192.0.2.12:5353')).toEqual([0, 0]);
    expect(await weights('-f 1', '192.0.2.12:0')).toEqual([0, 0]);
    expect(drain.intents('lab').intents).toHaveLength(r.plan.entries.length);
    // The lab at rest expires quiescent templates (expire_quiescent_template=1): no persistence warning.
    expect(snap().directors.map((d) => [d.name, d.health?.expireQuiescentTemplate])).toEqual([['dir1', true], ['dir2', true]]);
    expect(r.plan.warnings.join('\n')).not.toMatch(/is persistent/);

    const back = await drain.restore('lab', { target: '192.0.2.12', reason: 'done' }, WHO);
    expect(back.outcome, back.message).toBe('ok');
    expect(await weights('-t 192.0.2.100:80', '192.0.2.12:80')).toEqual([100, 100]);
    expect(await weights('-f 1', '192.0.2.12:0')).toEqual([1, 1]);
    expect(await weights('-t 192.0.2.103:80', '192.0.2.12:80')).toEqual([1, 1]);
    expect(drain.intents('lab').intents).toEqual([]);

    // With expire_quiescent_template=0 on dir1, the plan warns about the persistent service there.
    try {
      await ctl('break', 'expire-quiescent-template', 'dir1');
      await waitFor('dir1 reported with expire_quiescent_template=0', () => Promise.resolve(snap().directors.find((d) => d.name === 'dir1')?.health?.expireQuiescentTemplate === false), 60_000);
      const warned = drain.plan('lab', { action: 'drain', target: '192.0.2.12' }).warnings;
      expect(warned.filter((w) => /is persistent/.test(w))).toEqual([expect.stringMatching(/^TCP 192\.0\.2\.100:8080 is persistent \(300 s\) and net\.ipv4\.vs\.expire_quiescent_template is 0 on dir1: /)]);
    } finally {
      await ctl('mend', 'expire-quiescent-template', 'dir1');
    }
    await waitFor('dir1 reported with expire_quiescent_template=1 again', () => Promise.resolve(snap().directors.find((d) => d.name === 'dir1')?.health?.expireQuiescentTemplate === true), 60_000);
  }, 600_000);

  it('drains the LVS-TUN real server rs4: weight 0 on both directors, new connections through the VIP reach only rs2; restore brings it back', async () => {
    await servingAgain(['192.0.2.12:80', '192.0.2.14:80'], 'TCP 192.0.2.103:80');
    const TUN = '-t 192.0.2.103:80';
    const tally = async (n: number) => {
      const out = await ctl('traffic', '--count', String(n), '--url', 'http://192.0.2.103/');
      return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => [l.split(' ')[0] ?? '', Number(l.split(' ')[1])]));
    };
    const r = await drain.drain('lab', { target: '192.0.2.14:80', reason: 'lab test: TUN real server' }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    expect(r.plan.entries.map((e) => e.service)).toEqual(['TCP 192.0.2.103:80']);
    expect(await weights(TUN, '192.0.2.14:80')).toEqual([0, 0]);
    expect(await tally(4)).toEqual({ rs2: 4 });
    const back = await drain.restore('lab', { target: '192.0.2.14:80', reason: 'done' }, WHO);
    expect(back.outcome, back.message).toBe('ok');
    expect(await weights(TUN, '192.0.2.14:80')).toEqual([1, 1]);
    expect(await tally(4)).toEqual({ rs2: 2, rs4: 2 });
  }, 300_000);

  it('holds rs3:80 through its keepalived FILE_CHECK track file', async () => {
    const r = await drain.drain('lab', { target: '198.51.100.13:80', reason: 'lab test: track file' }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    expect(r.intents[0]?.mechanism).toBe('track-file');
    expect(r.plan.entries[0]?.restoreWeight).toBe(1);
    expect((await labSsh('dir1', 'cat /var/lib/lvs-console/track/rs3-80')).trim()).toBe('0');
    expect((await labSsh('dir2', 'cat /var/lib/lvs-console/track/rs3-80')).trim()).toBe('0');
    expect(await weights('-t 192.0.2.102:80', '198.51.100.13:80')).toEqual([0, 0]);
    await waitFor('the hold in the snapshot', () => {
      const rs = snap().services.find((s) => s.key === 'TCP 192.0.2.102:80')?.realServers.find((x) => x.key === '198.51.100.13:80');
      return Promise.resolve(rs?.hold?.mechanism === 'track-file');
    });
    const back = await drain.restore('lab', { target: '198.51.100.13:80', reason: 'done' }, WHO);
    expect(back.outcome, back.message).toBe('ok');
    expect((await labSsh('dir1', 'cat /var/lib/lvs-console/track/rs3-80')).trim()).toBe('1');
    expect(await weights('-t 192.0.2.102:80', '198.51.100.13:80')).toEqual([1, 1]);
  }, 300_000);
});
