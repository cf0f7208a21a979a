// Helpers for *.lab.test.ts: the lab's generated console configuration and its ctl verbs.
import fs from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '@/server/config/load';
import type { ConsoleConfig } from '@/server/config/schema';
import { labSsh, ROOT } from './lab-ctl';

export { ctl, labSsh, mysqlTraffic, ROOT } from './lab-ctl';

export function labConfig(): ConsoleConfig {
  const file = path.join(ROOT, 'lab', '.state', 'console.yaml');
  return parseConfigText(fs.readFileSync(file, 'utf8'), file);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

// ------------------------------------------------------------------ the lab at rest

/**
 * What one director looks like at rest, read in ONE ssh round trip (as root in its namespace):
 * keepalived running, whether it holds 192.0.2.100, the sysctls `lab/ctl break` changes, the rs3
 * track file, HAProxy's galera servers (name:status:weight) and the IPVS table (`ipvsadm -Sn`, sorted).
 */
const REST_PROBE = [
  'echo "keepalived=$(pidof keepalived >/dev/null && echo running || echo stopped)"',
  'echo "vip=$(ip -o addr show | grep -q " 192.0.2.100/" && echo held || echo not-held)"',
  'echo "sysctls=$(sysctl -n net.ipv4.ip_forward net.ipv4.vs.expire_quiescent_template net.ipv4.vs.expire_nodest_conn | tr "\\n" " ")"',
  'echo "track=$(cat /var/lib/lvs-console/track/rs3-80 2>&1)"',
  'echo "maint=$(cat /var/lib/lvs-console/track/vrrp-maint 2>&1)"',
  'echo "syncd=$(ipvsadm -Ln --daemon | wc -l)"',
  // dir2's NetworkManager profile lab-eth0 (lab/ctl nm-vip): only its own address at rest (dir1: no NetworkManager, empty)
  'echo "nm=$(nmcli -g ipv4.addresses connection show lab-eth0 2>/dev/null)"',
  `echo "haproxy=$(echo "show stat" | socat -t 5 STDIO UNIX-CONNECT:/run/haproxy/admin.sock 2>&1 | awk -F, '$1 == "galera" && $2 ~ /^rs/ { printf "%s:%s:%s ", $2, $18, $19 }')"`,
  'echo "ipvs:"; ipvsadm -Sn | sort',
].join('; ');

interface DirectorRest {
  keepalived: string;
  vip: string;
  sysctls: string;
  track: string;
  /** The director maintenance track file (at rest 0) and how many sync daemons run (at rest 0). */
  maint: string;
  syncd: string;
  /** dir2's lab-eth0 ipv4.addresses ("" on dir1: no NetworkManager). */
  nm: string;
  haproxy: string;
  ipvs: string[];
}

async function probeRest(dir: 'dir1' | 'dir2'): Promise<DirectorRest> {
  const out = await labSsh(dir, REST_PROBE);
  const [head = '', table = ''] = out.split('\nipvs:\n');
  const field = (k: string): string => head.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1).trim() ?? '(missing)';
  return { keepalived: field('keepalived'), vip: field('vip'), sysctls: field('sysctls'), track: field('track'), maint: field('maint'), syncd: field('syncd'), nm: field('nm'), haproxy: field('haproxy'), ipvs: table.split('\n').filter(Boolean) };
}

/** The web service's real servers at their configured weight: what drains and `lab/ctl weight` change. */
const WEB_AT_REST = ['-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 100', '-a -t 192.0.2.100:80 -r 192.0.2.12:80 -g -w 100'];

/** What differs from the lab at rest (empty: at rest). */
export async function labRestProblems(): Promise<string[]> {
  const [d1, d2] = await Promise.all([probeRest('dir1'), probeRest('dir2')]);
  const problems: string[] = [];
  for (const [name, d, vip] of [['dir1', d1, 'held'], ['dir2', d2, 'not-held']] as const) {
    if (d.keepalived !== 'running') problems.push(`${name}: keepalived ${d.keepalived}`);
    if (d.vip !== vip) problems.push(`${name}: 192.0.2.100 ${d.vip} (at rest dir1 is master)`);
    if (d.sysctls !== '1 1 1') problems.push(`${name}: ip_forward, expire_quiescent_template, expire_nodest_conn = ${d.sysctls} (at rest 1 1 1; lab/ctl mend all)`);
    if (d.track !== '1') problems.push(`${name}: track file rs3-80 = ${d.track} (at rest 1)`);
    if (d.maint !== '0') problems.push(`${name}: maintenance track file vrrp-maint = ${d.maint} (at rest 0)`);
    if (d.syncd !== '0') problems.push(`${name}: ${d.syncd} IPVS sync daemon(s) running (at rest none: lab/ctl syncd off)`);
    const nmAtRest = name === 'dir2' ? '192.0.2.3/24' : '';
    if (d.nm !== nmAtRest) problems.push(`${name}: NetworkManager profile lab-eth0 ipv4.addresses = "${d.nm}" (at rest "${nmAtRest}": lab/ctl nm-vip off dir2)`);
    const servers = d.haproxy.split(' ').filter(Boolean);
    const off = servers.filter((s) => !/^rs\d:UP[^:]*:1$/.test(s));
    if (servers.length !== 3 || off.length > 0) problems.push(`${name}: HAProxy galera servers ${d.haproxy || '(none)'} (at rest rs1..rs3 UP, weight 1)`);
    for (const line of WEB_AT_REST) if (!d.ipvs.includes(line)) problems.push(`${name}: no \`${line}\` in ipvsadm -Sn`);
  }
  const only1 = d1.ipvs.filter((l) => !d2.ipvs.includes(l));
  const only2 = d2.ipvs.filter((l) => !d1.ipvs.includes(l));
  if (only1.length + only2.length > 0) problems.push(`the directors' IPVS tables differ: only on dir1 ${JSON.stringify(only1)}, only on dir2 ${JSON.stringify(only2)}`);
  return problems;
}

/**
 * Waits until the lab is at rest, the state every lab test file starts from and must leave behind:
 * keepalived running on both directors with dir1 master, the broken-on-purpose sysctls mended, the
 * rs3 track file at 1, the maintenance track file at 0 and no sync daemon, HAProxy's galera servers ready at weight 1, the web service's real servers at
 * weight 100 and both directors' IPVS tables equal. Throws naming what still differs.
 */
export async function expectLabAtRest(timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let problems: string[] = [];
  for (;;) {
    problems = await labRestProblems().catch((e: unknown) => [`cannot read the lab: ${e instanceof Error ? e.message : String(e)}`]);
    if (problems.length === 0) return;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`the lab is not at rest after ${timeoutMs / 1000} s:\n  ${problems.join('\n  ')}`);
}

/**
 * A lab test file's clean-up: runs every step (each even when an earlier one failed), then waits for
 * the lab at rest. Throws one error naming every step that failed and what is not at rest, so the
 * file that left the lab changed fails, not the next one.
 */
export async function restoreLab(steps: readonly (readonly [string, () => Promise<unknown>])[]): Promise<void> {
  const failed: string[] = [];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (e) {
      failed.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    await expectLabAtRest();
  } catch (e) {
    failed.push(e instanceof Error ? e.message : String(e));
  }
  if (failed.length > 0) throw new Error(`lab clean-up failed:\n- ${failed.join('\n- ')}`);
}
