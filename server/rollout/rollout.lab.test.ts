import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutRequest, type Rollout } from '@/lib/models/rollout';
import type { ActingAs } from '@/server/drain/ports';
import { ctl, labSsh, restoreLab, startLabRuntime, waitFor, type LabRuntime } from '@/server/testing/lab-runtime';

// A rolling maintenance of rs1 against the real lab, with the console restarted while rs1 waits
// for its maintenance: the second console (same database) carries on, ramps rs1 back in verified
// steps on both directors, and checks it serves (keepalived's checkers, new connections) before
// it calls the rollout finished. Weights are checked independently as root over the lab's ssh.

const WHO: ActingAs = { name: 'lab-test', role: 'operator', source: 'vitest' };
const WEB = '-t 192.0.2.100:80';

let stateDir: string;
let lab: LabRuntime | null = null;

async function weightOn(dir: 'dir1' | 'dir2', rs: string): Promise<number | null> {
  const out = await labSsh(dir, `ipvsadm -Ln ${WEB} 2>/dev/null || true`);
  const line = out.split('\n').find((l) => l.includes(`-> ${rs} `));
  return line ? Number(line.trim().split(/\s+/)[3]) : null;
}

async function rolloutWhere(id: string, what: string, ok: (r: Rollout) => boolean, timeoutMs = 120_000): Promise<Rollout> {
  return waitFor(what, () => {
    const r = lab?.runtime.rollouts.get('lab', id);
    if (r?.state === 'paused' && r.stopped) throw new Error(`rollout #${id} stopped: ${r.stopped}`);
    return Promise.resolve(r && ok(r) ? r : null);
  }, timeoutMs, 1000);
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-lab-'));
  lab = startLabRuntime({ commandTimeoutMs: 120_000, stateDir });
  await lab.ready({ keepalivedDump: true });
}, 300_000);

afterAll(async () => {
  // Leave the lab as found: whatever the rollout still holds on rs1 given back (the console's own restore, on every service).
  await restoreLab([
    ['restore rs1 if still held', async () => {
      const held = lab?.runtime.drain.service.intents('lab').intents.some((i) => i.realServer.startsWith('192.0.2.11:'));
      if (lab && held) await lab.runtime.drain.service.restore('lab', { target: '192.0.2.11', reason: 'lab test cleanup' }, WHO);
    }],
  ]);
  await lab?.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 300_000);

describe('rolling maintenance (lab)', () => {
  it('drains rs1 on both directors, survives a console restart while waiting for maintenance, ramps it back in four verified steps and checks it serves', async () => {
    if (!lab) throw new Error('no lab runtime');
    const started = await lab.runtime.rollouts.start(
      'lab',
      RolloutRequest.parse({ hosts: ['192.0.2.11'], reason: 'lab test: kernel update', ticket: 'LAB-18', drainDeadlineSeconds: 15, onDeadline: 'proceed', stepSeconds: 1, checkSeconds: 90 }),
      WHO,
    );
    const id = started.rollout?.id ?? '';
    expect(started.batches).toEqual([['192.0.2.11']]);

    const waiting = await rolloutWhere(id, 'rs1 drained and waiting for its maintenance', (r) => r.hosts[0]?.step === 'maintenance');
    // Every service rs1 serves (web, persistent web, DNS, fwmark, SCTP) was held at 0 on both directors.
    expect(waiting.hosts[0]?.servers.map((s) => s.service).sort()).toEqual(['FWM 1', 'SCTP 192.0.2.101:3868', 'TCP 192.0.2.100:80', 'TCP 192.0.2.100:8080', 'UDP 192.0.2.101:5353']);
    expect([await weightOn('dir1', '192.0.2.11:80'), await weightOn('dir2', '192.0.2.11:80')]).toEqual([0, 0]);
    const traffic = await ctl('traffic', '--count', '10');
    expect(traffic).toMatch(/^rs[23] \d+$/m);
    expect(traffic).not.toMatch(/rs1|failed/);

    // The console restarts (same database): the new one picks the rollout up where it was.
    await lab.close();
    lab = startLabRuntime({ commandTimeoutMs: 120_000, stateDir });
    await lab.ready({ keepalivedDump: true });
    expect(lab.runtime.rollouts.get('lab', id).hosts[0]?.step).toBe('maintenance');
    const done = await lab.runtime.rollouts.act('lab', id, { action: 'done', host: '192.0.2.11' }, WHO);
    expect(done.message).toContain('maintenance of 192.0.2.11 done');

    // Each ramp step is verified on both directors before the next; the web service's weight goes 10, 25, 50, 100.
    await rolloutWhere(id, 'rs1 ramped back and being checked', (r) => r.hosts[0]?.step === 'checking' || r.hosts[0]?.step === 'done');
    expect([await weightOn('dir1', '192.0.2.11:80'), await weightOn('dir2', '192.0.2.11:80')]).toEqual([100, 100]);
    // New connections must reach it for the check to pass: send some until it does.
    let lastTraffic = '';
    const finished = await waitFor('rs1 passing its check (traffic sent)', async () => {
      const r = lab?.runtime.rollouts.get('lab', id);
      if (r?.state === 'done') return r;
      if (r?.state === 'paused') throw new Error(`rollout #${id} stopped: ${r.stopped} (last traffic: ${lastTraffic.replace(/\n/g, ', ')})`);
      // The requests must be answered (a failing client would leave the counters still for another reason).
      const tr = await ctl('traffic', '--count', '10');
      lastTraffic = tr.trim();
      expect(tr).toMatch(/^rs\d \d+$/m);
      return null;
    }, 120_000, 1000);
    const log = finished.log.map((l) => l.text);
    expect(log.filter((t) => t.startsWith('ramp')).map((t) => /^ramp (\d+) %.*192\.0\.2\.11:80 (\d+)/.exec(t)?.slice(1))).toEqual([
      ['10', '10'],
      ['25', '25'],
      ['50', '50'],
      ['100', '100'],
    ]);
    expect(finished.hosts[0]?.note).toMatch(/keepalived's checkers say up on dir1, dir2; new connections reach it/);

    // The timeline has the rollout's steps (both consoles' rows), the audit every change it made.
    const kinds = lab.runtime.events.query({ cluster: 'lab', from: started.rollout?.createdAt ?? 0, to: Date.now() + 1, kinds: ['rollout-batch', 'rollout-waiting', 'rollout-finished'] }).events.map((e) => e.kind);
    expect(kinds.sort()).toEqual(['rollout-batch', 'rollout-finished', 'rollout-waiting']);
    const audit = lab.runtime.audit.list({}).filter((e) => e.source === `rollout #${id}` && e.outcome === 'ok').map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['drain', 'weight', 'restore']));
    expect(audit.filter((a) => a === 'weight')).toHaveLength(3);
    // A drain, a console restart and four verified ramp steps on the emulated lab: about 2 min on a
    // quiet machine, more on a loaded CI one (the bound is a time-out, not a measurement).
  }, 360_000);
});
