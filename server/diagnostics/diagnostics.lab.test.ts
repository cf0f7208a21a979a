import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { ctl, labRefresher, restoreLab, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';
import { diagnoseCluster } from './checks';
import { diagnoseRealServers } from './real-servers';
import { configTest, readRealServer } from '@/server/api/diagnostics';

// "Check this cluster" on the lab as it is (read-only: keepalived -t through the console user's
// sudo rule, one refresh), then on a lab broken on purpose (lab/ctl break all dir2: every director
// diagnostic at once), then mended.

let lab: LabRefresher;

beforeAll(() => {
  lab = labRefresher();
});
afterAll(async () => {
  try {
    await restoreLab([['lab/ctl mend all', () => ctl('mend', 'all')]]);
  } finally {
    await lab.close();
  }
}, 300_000);

describe('diagnostics over the lab', () => {
  it('keepalived -t passes on both directors through sudo, and every check has a verdict', async () => {
    const { cluster } = lab;
    const tests = Object.fromEntries(await Promise.all(cluster.directors.map(async (d) => [d.name, await configTest(d, 30_000, lab.refresher.pool)] as const)));
    for (const d of cluster.directors) expect(tests[d.name], d.name).toMatchObject({ ok: true });
    const s = await waitFor('a snapshot with VRRP instances', async () => {
      const snap = await lab.refreshAll();
      return snap && snap.instances.length > 0 && snap.directors.every((d) => d.health) ? snap : undefined;
    }, 60_000, 200);
    const checks = diagnoseCluster(s, tests);
    for (const d of cluster.directors) {
      const mine = checks.filter((c) => c.director === d.name);
      expect(mine.find((c) => c.check === 'keepalived-config')?.status, d.name).toBe('ok');
      // The lab serves NAT (198.51.100.13) and persistent services: both sysctls are judged, not skipped.
      expect(mine.find((c) => c.check === 'ip-forward')?.status, d.name).toMatch(/^(ok|problem)$/);
      expect(mine.find((c) => c.check === 'conntrack')?.status, d.name).not.toBe('not-applicable');
      expect(mine.find((c) => c.check === 'expire-quiescent-template')?.status, d.name).toMatch(/^(ok|warning)$/);
    }
    // Every problem or warning says how to fix it.
    for (const c of checks.filter((x) => x.status === 'problem' || x.status === 'warning')) expect(c.fix, c.id).toBeTruthy();
    expect(checks.some((c) => c.check === 'tables-compared')).toBe(true);
  });

  it('finds each deliberately broken director setting, with its fix, and nothing once mended', async () => {
    const { cluster } = lab;
    const diagnose = async (settled: (s: ClusterSnapshot) => boolean) => {
      const tests = Object.fromEntries(await Promise.all(cluster.directors.map(async (d) => [d.name, await configTest(d, 30_000, lab.refresher.pool)] as const)));
      const s = await waitFor('a fresh snapshot', async () => {
        const snap = await lab.refreshAll();
        return snap && snap.directors.every((d) => d.health) && settled(snap) ? snap : undefined;
      }, 60_000, 200);
      return diagnoseCluster(s, tests);
    };
    const weightOn = (s: ClusterSnapshot, dir: string) =>
      s.services.find((x) => x.key === 'TCP 192.0.2.100:80')?.realServers.find((r) => r.key === '192.0.2.11:80')?.perDirector[dir]?.weight;
    try {
      await ctl('break', 'all', 'dir2');
      const broken = await diagnose((s) => weightOn(s, 'dir2') === 37);
      // One verdict per check and director, except runtime weights (one per differing real server:
      // rs3's track-file weight is judged ok): the one that is not ok, if any.
      const on = (dir: string, check: string) =>
        broken.find((c) => c.director === dir && c.check === check && c.status !== 'ok') ?? broken.find((c) => c.director === dir && c.check === check);
      const expected: [string, string][] = [
        ['ip-forward', 'problem'],
        ['conntrack', 'problem'],
        ['expire-quiescent-template', 'warning'],
        ['expire-nodest-conn', 'warning'],
        ['keepalived-config', 'problem'],
        ['runtime-weights', 'warning'],
      ];
      for (const [check, status] of expected) {
        expect(on('dir2', check)?.status, `dir2 ${check}: ${on('dir2', check)?.detail}`).toBe(status);
        expect(on('dir2', check)?.fix, `dir2 ${check}`).toBeTruthy();
        if (check !== 'conntrack') expect(on('dir1', check)?.status, `dir1 ${check}`).toBe('ok');
      }
      expect(on('dir2', 'keepalived-config')?.detail).toContain('999');
      expect(on('dir2', 'runtime-weights')?.fix).toContain('192.0.2.11:80');
      const tables = broken.find((c) => c.check === 'tables-compared');
      expect(tables?.status).not.toBe('ok');
      expect(tables?.detail).toContain('192.0.2.11:80');
    } finally {
      await ctl('mend', 'all');
    }
    const mended = await diagnose((s) => weightOn(s, 'dir2') === undefined || weightOn(s, 'dir2') === 100);
    const bad = mended.filter((c) => c.status === 'problem' || c.status === 'warning').map((c) => `${c.id}: ${c.detail}`);
    expect(bad).toEqual([]);
  });

  it('reads the real servers over SSH: healthy as booted; each broken setting found with its fix, and gone once mended', async () => {
    const { cluster } = lab;
    expect(cluster.realServerHosts.map((h) => h.name)).toEqual(['rs1', 'rs2', 'rs3', 'rs4']);
    const check = async () => {
      const snap = await lab.refreshAll();
      const readouts = await Promise.all(cluster.realServerHosts.map((h) => readRealServer(cluster, h, 30_000, lab.refresher.pool)));
      for (const r of readouts) expect(r.error, r.host).toBeNull();
      return diagnoseRealServers(snap, readouts);
    };
    const verdicts = (checks: Awaited<ReturnType<typeof check>>) => checks.map((c) => `${c.host} ${c.check} ${c.status}`).sort();
    // rs2 serves by DR and (192.0.2.103) by TUN; rs4 by TUN only
    expect(verdicts(await check())).toEqual([
      'rs1 rs-dr-arp ok', 'rs1 rs-dr-vip ok', 'rs1 rs-rp-filter ok',
      'rs2 rs-dr-arp ok', 'rs2 rs-dr-vip ok', 'rs2 rs-rp-filter ok', 'rs2 rs-tun-device ok', 'rs2 rs-tun-vip ok',
      'rs3 rs-nat-route ok', 'rs3 rs-rp-filter ok',
      'rs4 rs-rp-filter ok', 'rs4 rs-tun-arp ok', 'rs4 rs-tun-device ok', 'rs4 rs-tun-vip ok',
    ]);
    try {
      await ctl('break', 'all-rs');
      // the TUN real server, each way it stops decapsulating (each also proven by traffic in lab.lab.test.ts)
      await ctl('break', 'rs-tunl', 'rs4');
      await ctl('break', 'rs-tun-vip', 'rs4');
      await ctl('break', 'rs-rp-filter', 'rs4');
      const broken = await check();
      expect(verdicts(broken)).toEqual([
        'rs1 rs-dr-arp problem', 'rs1 rs-dr-vip ok', 'rs1 rs-rp-filter warning',
        'rs2 rs-dr-arp ok', 'rs2 rs-dr-vip problem', 'rs2 rs-rp-filter ok', 'rs2 rs-tun-device ok', 'rs2 rs-tun-vip ok',
        'rs3 rs-nat-route problem', 'rs3 rs-rp-filter ok',
        'rs4 rs-rp-filter problem', 'rs4 rs-tun-arp ok', 'rs4 rs-tun-device problem', 'rs4 rs-tun-vip problem',
      ]);
      const fix = (host: string, c: string) => broken.find((x) => x.host === host && x.check === c)?.fix ?? '';
      expect(fix('rs1', 'rs-dr-arp')).toContain('net.ipv4.conf.all.arp_ignore=1');
      expect(fix('rs2', 'rs-dr-vip')).toContain('ip addr add 192.0.2.100/32 dev lo');
      expect(fix('rs3', 'rs-nat-route')).toContain('ip route replace default via 198.51.100.1');
      expect(fix('rs4', 'rs-tun-device')).toContain('ip link set tunl0 up');
      expect(fix('rs4', 'rs-tun-vip')).toBe('ip addr add 192.0.2.103/32 dev tunl0');
      expect(fix('rs4', 'rs-rp-filter')).toContain('net.ipv4.conf.all.rp_filter=2');
    } finally {
      await ctl('mend', 'all');
    }
    expect((await check()).filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
  });
});
