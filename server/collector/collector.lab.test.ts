import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctl, labRefresher, restoreLab, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';

// The real refresh against the lab's two directors, as the non-root console user with sudo.
let lab: LabRefresher;
const refreshAll = () => lab.refreshAll();

beforeAll(() => {
  lab = labRefresher();
});
afterAll(async () => {
  try {
    await restoreLab([['start keepalived on dir1', () => ctl('keepalived', 'start', 'dir1')]]);
  } finally {
    await lab.close();
  }
}, 300_000);

describe('cluster snapshot from the lab', () => {
  it('reads every service, real server and the master in one refresh per director', async () => {
    await refreshAll(); // first refresh asks keepalived for its dump...
    const s = await refreshAll(); // ...the second reads it
    expect(s.directors.map((d) => [d.name, d.live, d.error])).toEqual([['dir1', true, null], ['dir2', true, null]]);
    expect(s.instances.map((i) => [i.name, i.master])).toEqual([['VI_V4', 'dir1'], ['VI_V6', 'dir1']]);
    expect(s.instances[0]?.states).toEqual({ dir1: 'MASTER', dir2: 'BACKUP' });
    const keys = s.services.map((x) => x.key);
    expect(keys).toEqual(expect.arrayContaining(['TCP 192.0.2.100:80', 'TCP 192.0.2.100:8080', 'UDP 192.0.2.101:5353', 'TCP [2001:db8::1]:80', 'FWM 1', 'TCP 192.0.2.102:80']));
    const web = s.services.find((x) => x.key === 'TCP 192.0.2.100:80');
    expect(web).toMatchObject({ scheduler: 'wlc', activeDirector: 'dir1', presentOn: ['dir1', 'dir2'] });
    expect(web?.realServers.map((r) => [r.key, r.forward, r.configuredWeight, r.checkerAlive])).toEqual([
      ['192.0.2.11:80', 'Route', 100, true],
      ['192.0.2.12:80', 'Route', 100, true],
    ]);
    expect(s.services.find((x) => x.key === 'TCP 192.0.2.100:8080')?.persistent?.timeout).toBe(300);
    const d1 = s.directors.find((d) => d.name === 'dir1');
    expect(d1?.keepalivedRunning).toBe(true);
    expect(d1?.health?.ipForward).toBe(true);
    expect(d1?.heldVips).toEqual(expect.arrayContaining(['192.0.2.100', '2001:db8::1']));
  });

  it('names dir2 as master after keepalived stops on dir1, and dir1 again after it restarts', async () => {
    await ctl('keepalived', 'stop', 'dir1');
    const after = await waitFor('dir2 to hold the VIPs', async () => {
      const s = await refreshAll();
      return s.instances.every((i) => i.master === 'dir2') ? s : null;
    }, 30_000, 200);
    expect(after.directors.find((d) => d.name === 'dir1')?.keepalivedRunning).toBe(false);
    expect(after.findings.map((f) => f.kind)).toContain('keepalived-down');
    await ctl('keepalived', 'start', 'dir1');
    await waitFor('dir1 to preempt back', async () => {
      const s = await refreshAll();
      return s.instances.every((i) => i.master === 'dir1') ? s : null;
    }, 60_000, 500);
  });
});
