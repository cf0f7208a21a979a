// Integration tests of the lab itself (no app code): real IPVS over SSH, traffic through the VIP,
// and VRRP failover. The VM is started by lab/global-setup.ts. Every ssh into the TCG-emulated
// VM costs ~0.5-1 s, so each check is one ssh round trip.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const labDir = path.dirname(new URL(import.meta.url).pathname);
const stateDir = process.env.LVSLAB_STATE ? path.resolve(process.env.LVSLAB_STATE) : path.join(labDir, '.state');
const VIP = '192.0.2.100';

async function ssh(host: 'vm' | 'dir1' | 'dir2', command: string, timeout = 60_000): Promise<string> {
  const { stdout } = await run(path.join(labDir, 'ssh.sh'), [host, command], { timeout });
  return stdout;
}

async function ctl(...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(labDir, 'ctl'), args, { timeout: 90_000 });
  return stdout;
}

/** Real servers listed under one virtual service in `ipvsadm -Ln` output. */
function realServers(ipvsadm: string, service: string): string[] {
  const out: string[] = [];
  let inService = false;
  for (const line of ipvsadm.split('\n')) {
    if (/^(TCP|UDP|SCTP|FWM) /.test(line)) inService = line.split(/\s+/)[1] === service;
    else if (inService && line.trim().startsWith('->')) out.push(line.trim().split(/\s+/)[1] ?? '');
  }
  return out;
}

/** Does this director hold the address? One ssh: `ip -j addr`. */
async function holds(dir: 'dir1' | 'dir2', addr: string): Promise<boolean> {
  const links = JSON.parse(await ssh(dir, 'ip -j addr show', 20_000)) as { addr_info?: { local?: string }[] }[];
  return links.some((l) => (l.addr_info ?? []).some((a) => a.local === addr));
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
  }
}

describe('lab', () => {
  it('wrote console.yaml and pinned host keys', () => {
    const yaml = readFileSync(path.join(stateDir, 'console.yaml'), 'utf8');
    const keys = JSON.parse(readFileSync(path.join(stateDir, 'hostkeys.json'), 'utf8')) as Record<string, { ed25519: string }>;
    for (const d of ['dir1', 'dir2'] as const) {
      expect(keys[d]?.ed25519).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(yaml).toContain(`hostKey: "${keys[d]?.ed25519}"`);
    }
    expect(yaml).toContain('user: lvsconsole');
    expect(existsSync(path.join(stateDir, 'ssh', 'id_ed25519'))).toBe(true);
  });

  it('real ipvsadm answers over SSH on dir1 and dir2', async () => {
    const [d1, d2] = await Promise.all([ssh('dir1', 'ipvsadm -Ln'), ssh('dir2', 'ipvsadm -Ln')]);
    for (const out of [d1, d2]) {
      expect(out).toContain('IP Virtual Server version');
      expect(realServers(out, `${VIP}:80`).sort()).toEqual(['192.0.2.11:80', '192.0.2.12:80']);
    }
  });

  it('the console user gets exactly its sudo rules', async () => {
    const out = await run(
      path.join(labDir, 'ssh.sh'),
      ['-l', 'lvsconsole', 'dir1',
        'sudo -n ipvsadm -Ln >/dev/null && echo list=ok; sudo -n id >/dev/null 2>&1 && echo id=ALLOWED || echo id=refused; ' +
        'sudo -n pkill -USR2 -F /run/keepalived.pid && echo signal=ok'],
      { timeout: 60_000 },
    );
    expect(out.stdout.split('\n')).toEqual(expect.arrayContaining(['list=ok', 'id=refused', 'signal=ok']));
  });

  it('client traffic through the VIP reaches the real servers', async () => {
    const out = await ctl('traffic', '--count', '20');
    const tally = Object.fromEntries(
      out.trim().split('\n').map((l) => { const [name, n] = l.split(' '); return [name ?? '', Number(n)]; }),
    );
    const servers = Object.keys(tally).filter((k) => /^rs\d$/.test(k));
    expect(servers.length).toBeGreaterThanOrEqual(2);
    expect(servers.reduce((s, k) => s + (tally[k] ?? 0), 0)).toBe(20);
  });

  it('LVS-TUN: 192.0.2.103 answers from rs2 and rs4 through IPIP, and rs4 stops answering when its tunnel end breaks', async () => {
    const tally = async (n: number) => {
      const out = await ctl('traffic', '--count', String(n), '--url', 'http://192.0.2.103/').catch((e: { stdout?: string }) => e.stdout ?? '');
      return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => [l.split(' ')[0] ?? '', Number(l.split(' ')[1])]));
    };
    const table = await ssh('dir1', 'ipvsadm -Ln -t 192.0.2.103:80');
    expect(table).toMatch(/-> 192\.0\.2\.12:80\s+Tunnel\s+1/);
    expect(table).toMatch(/-> 192\.0\.2\.14:80\s+Tunnel\s+1/);
    expect(await tally(4)).toEqual({ rs2: 2, rs4: 2 });
    try {
      // rr: the connections to rs4 get no answer, those to rs2 still do. One break here (the other
      // two, rs-tun-vip and rs-rp-filter, were shown to drop the traffic the same way when the lab
      // got them; diagnostics.lab.test.ts finds all three)
      await ctl('break', 'rs-rp-filter', 'rs4');
      expect(await tally(4)).toEqual({ '(failed)': 2, rs2: 2 });
    } finally {
      await ctl('mend', 'all');
    }
    expect(await tally(2)).toEqual({ rs2: 1, rs4: 1 });
  }, 120_000);

  describe('VRRP failover', () => {
    afterAll(async () => {
      // leave the lab as we found it: keepalived running on dir1 (idempotent) and the VIP back there
      await ctl('keepalived', 'start', 'dir1');
      await waitFor('VIP back on dir1', 120_000, () => holds('dir1', VIP));
    }, 300_000);

    it('stopping keepalived on dir1 moves the VIPs to dir2, starting it brings them back', async () => {
      expect(await holds('dir1', VIP)).toBe(true);
      expect(await ctl('keepalived', 'stop', 'dir1')).toMatch(/stopped gracefully/);
      // Order, not speed (the failover time is a bench row: bench/ssh-exec.bench.ts). The limits
      // only stop a lab that never fails over from hanging the run.
      await waitFor(`${VIP} on dir2`, 120_000, () => holds('dir2', VIP));
      expect(await holds('dir1', VIP)).toBe(false);

      expect(await ctl('keepalived', 'start', 'dir1')).toMatch(/keepalived started/);
      await waitFor(`${VIP} back on dir1`, 120_000, () => holds('dir1', VIP));
      await waitFor(`${VIP} gone from dir2`, 120_000, async () => !(await holds('dir2', VIP)));
    }, 400_000);

    // Director maintenance (issue 17): the console user writes the VRRP track file without sudo;
    // keepalived lowers dir1 by 100 and dir2 takes every VIP; 0 gives them back. With the IPVS sync
    // daemons on, a connection made through dir1 before the switch is answered through dir2 after it;
    // with them off it breaks (dir2 has no entry for it).
    it('the maintenance track file moves the VIPs to dir2 and back; a held connection survives only with the sync daemon', async () => {
      const maint = (v: 0 | 1) => run(path.join(labDir, 'ssh.sh'), ['-l', 'lvsconsole', 'dir1', `echo ${v} > /var/lib/lvs-console/track/vrrp-maint`], { timeout: 60_000 });
      await waitFor(`${VIP} on dir1`, 120_000, () => holds('dir1', VIP));
      const opened: string[] = [];
      try {
        for (const syncd of ['on', 'off'] as const) {
          expect(await ctl('syncd', syncd)).toMatch(syncd === 'on' ? /master and backup sync daemons/ : /stopped/);
          const conn = (await ctl('longconn', 'open')).trim();
          expect(conn).toMatch(/^[A-Za-z0-9]+$/);
          opened.push(conn);
          await maint(1);
          await waitFor(`${VIP} on dir2 (dir1 in maintenance, syncd ${syncd})`, 120_000, () => holds('dir2', VIP));
          expect(await holds('dir1', VIP)).toBe(false);
          const answer = await ctl('longconn', 'ask', conn).then(
            (out) => ({ ok: true, out }),
            (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
          );
          expect(answer.ok, answer.out).toBe(syncd === 'on');
          if (syncd === 'on') expect(answer.out).toMatch(/^rs[12]\n$/);
          await maint(0);
          await waitFor(`${VIP} back on dir1`, 120_000, () => holds('dir1', VIP));
        }
      } finally {
        await maint(0);
        await ctl('syncd', 'off');
        // The connection broken without the sync daemon left an ESTABLISHED entry on dir1 for
        // 15 min: wlc would count it as an active connection of its real server and send later
        // tests' clients elsewhere. End it (the verb fails if a director still holds it).
        await waitFor(`${VIP} back on dir1`, 120_000, () => holds('dir1', VIP));
        for (const conn of opened) expect(await ctl('longconn', 'end', conn)).toMatch(/^ended /);
      }
    }, 600_000);
  });
});
