import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { diagnoseNetworkManager } from '@/server/diagnostics/checks';
import { openDatabase, type Db } from '@/server/db';
import { EventFollowUp } from '@/server/events/follow-up';
import { LogSync, sshLogReader } from '@/server/events/log-sync';
import { EventRecorder } from '@/server/events/recorder';
import { EventStore } from '@/server/events/store';
import { expectLabAtRest } from '@/server/testing/lab';
import { ctl, labRefresher, labSsh, restoreLab, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';

// The lab's dir2 is run by Debian's NetworkManager (lab/README.md): the real refresher reads it,
// a VIP written into its profile raises the finding (and "check this cluster" gives the nmcli fix),
// and NetworkManager re-applying the profile on the master is recorded as "VIP removed outside
// keepalived" from keepalived's own log, found because keepalived's dump shows a transition no poll saw.

let lab: LabRefresher;
let db: Db;
let tmp: string;
let store: EventStore;
let recorder: EventRecorder;
let followUp: EventFollowUp;

async function tick(opts?: { dumpNow?: boolean; networkNow?: boolean }): Promise<ClusterSnapshot> {
  const s = await lab.refreshAll(opts);
  await followUp.onRecorded(s.name, recorder.record(s));
  return s;
}

beforeAll(async () => {
  await expectLabAtRest();
  lab = labRefresher();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nm-lab-'));
  db = openDatabase(tmp);
  store = new EventStore(db);
  recorder = new EventRecorder(store);
  const logSync = new LogSync({ clusters: lab.config.clusters, store, readLog: sshLogReader(lab.refresher.pool, lab.config.ssh.commandTimeoutMs) });
  followUp = new EventFollowUp({ clusters: lab.config.clusters, store, logSync, notifier: { notify: () => undefined }, delayMs: 200, log: () => undefined });
}, 240_000);

afterAll(async () => {
  try {
    await restoreLab([
      ['take the VIP out of dir2\'s profile', () => ctl('nm-vip', 'off', 'dir2')],
      ['give dir1 back', () => labSsh('dir1', 'echo 0 > /var/lib/lvs-console/track/vrrp-maint')],
    ]);
  } finally {
    await lab?.close();
    db?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 300_000);

describe('NetworkManager on the lab', () => {
  it('dir2 is shown with its devices and profiles; dir1 is "not managed by NetworkManager"', async () => {
    await tick();
    const s = await tick(); // the profiles' settings, by the UUIDs the first read listed
    const dir1 = s.directors.find((d) => d.name === 'dir1');
    const dir2 = s.directors.find((d) => d.name === 'dir2');
    expect(dir1?.network).toMatchObject({ manager: 'none', profiles: [], error: null });
    expect(dir1?.network?.interfaces.map((i) => [i.device, i.nm]).sort()).toEqual([['eth0', null], ['eth1', null], ['tunl0', null]]);
    expect(dir2?.network?.manager).toBe('networkmanager');
    const eth0 = dir2?.network?.interfaces.find((i) => i.device === 'eth0');
    expect(eth0?.nm).toEqual({ device: 'eth0', type: 'ethernet', state: 'connected', connection: 'lab-eth0' });
    expect(eth0?.addresses).toContain('192.0.2.3/24');
    expect(dir2?.network?.profiles.find((p) => p.name === 'lab-eth0')).toMatchObject({
      device: 'eth0', state: 'activated', ipv4Method: 'manual', ipv4Addresses: ['192.0.2.3/24'], ipv6Addresses: ['2001:db8::3/64'], autoconnect: true,
    });
    // The lab's one NetworkManager director beside one without: the (info) difference only.
    expect(s.findings.filter((f) => f.kind.startsWith('nm-')).map((f) => `${f.kind}:${f.severity}`)).toEqual(['nm-managed-inconsistent:info']);
  });

  it('nm-vip on: the VIP in dir2\'s profile is a finding and a "check this cluster" problem with its nmcli fix; off clears it', async () => {
    await ctl('nm-vip', 'on', 'dir2');
    const s = await tick({ networkNow: true });
    const f = s.findings.find((x) => x.kind === 'nm-vip-in-profile');
    expect(f).toMatchObject({ severity: 'warning', director: 'dir2' });
    expect(f?.message).toContain('VIP 192.0.2.100 is written into NetworkManager profile "lab-eth0" on dir2');
    const check = diagnoseNetworkManager(s).find((c) => c.check === 'nm-vip-in-profile');
    expect(check?.status).toBe('warning');
    expect(check?.fix).toContain('nmcli connection modify 5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02 -ipv4.addresses 192.0.2.100/24');
    expect(diagnoseNetworkManager(s).filter((c) => c.check === 'networkmanager').map((c) => `${c.director}:${c.status}`)).toEqual(['dir1:not-applicable', 'dir2:ok']);

    await ctl('nm-vip', 'off', 'dir2');
    const after = await tick({ networkNow: true });
    expect(after.findings.some((x) => x.kind === 'nm-vip-in-profile')).toBe(false);
  });

  it('nm-reapply on dir2 as master: "VIP removed outside keepalived" from keepalived\'s log, with the gap it measured', async () => {
    await labSsh('dir1', 'echo 1 > /var/lib/lvs-console/track/vrrp-maint'); // dir2 takes the VIPs (as director maintenance would)
    await waitFor('dir2 to be master of both instances', async () => {
      const s = await tick();
      return s.instances.every((i) => i.master === 'dir2') ? s : null;
    }, 60_000, 500);
    await tick({ dumpNow: true });
    await tick(); // keepalived's view read: dir2 MASTER since the move
    const start = Date.now();
    await ctl('nm-reapply', 'dir2');
    // keepalived notices at once, gives up MASTER and takes it back within about a second: the
    // polls may or may not see it; keepalived's next dump has a newer transition time either way.
    const ev = await waitFor('the vip-removed event', async () => {
      await tick({ dumpNow: true });
      await tick();
      return store.query({ cluster: lab.cluster.name, from: start - 10_000, to: Date.now() + 10_000 }).events.find((e) => e.kind === 'vip-removed') ?? null;
    }, 90_000, 1000);
    expect(ev).toMatchObject({ director: 'dir2', source: 'log', fromState: 'MASTER' });
    expect(ev.instance === 'VI_V4' || ev.instance === 'VI_V6').toBe(true);
    expect(ev.cause).toMatch(/removed from eth0 on dir2 outside keepalived/);
    expect(ev.durationMs).not.toBeNull();
    expect(ev.durationMs ?? Infinity).toBeLessThan(10_000);
    expect(ev.logLines.some((l) => /Netlink reflector reports IP \S+ removed from eth0/.test(l))).toBe(true);
    const s = await tick();
    expect(s.directors.find((d) => d.name === 'dir2')?.heldVips).toContain('192.0.2.100');
  });
});
