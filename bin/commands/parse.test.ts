// Runs the real CLI (`node bin/lvsctl.mjs parse ...`) as a child process, once per kind on a
// fixture, and once per kind on bad input (exit 2, the line named on stderr).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..', '..');
const FIX = path.join(ROOT, 'server', 'parsers', 'fixtures');
const TIMEOUT = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lvsctl(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'lvsctl.mjs'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A lab capture when there is one, else the hand-made fixture. */
function fixture(kind: string, lab: string, hand: string): string {
  const p = path.join(FIX, kind, lab);
  return existsSync(p) ? p : path.join(FIX, kind, hand);
}

const Json = z.record(z.string(), z.unknown());
const JsonArray = z.array(z.record(z.string(), z.unknown()));

const GOOD: [string, string[], (out: unknown) => void][] = [
  [
    'ipvsadm',
    [path.join(FIX, 'ipvsadm', 'hand-1.31-Ln-schedulers-flags.txt')],
    (out) => expect(Json.parse(out)).toMatchObject({ mode: 'list', version: '1.2.1' }),
  ],
  [
    'ip-addr',
    [fixture('ip-addr', 'lab-dir1-ip-addr.json', 'hand-ipv6-secondary.json')],
    (out) => expect(z.object({ links: JsonArray }).parse(out).links.length).toBeGreaterThan(1),
  ],
  [
    'keepalived-data',
    [fixture('keepalived-data', 'lab-dir1-keepalived.data', 'hand-2x-backup.data')],
    (out) => expect(z.object({ instances: JsonArray }).parse(out).instances[0]).toMatchObject({ name: 'VI_V4', virtualRouterId: 51 }),
  ],
  [
    'keepalived-json',
    [fixture('keepalived-json', 'lab-dir1-keepalived.json', 'hand-2x-master.json')],
    (out) => expect(z.object({ instances: JsonArray }).parse(out).instances[0]).toMatchObject({ name: 'VI_V4' }),
  ],
  [
    'keepalived-stats',
    [fixture('keepalived-stats', 'lab-dir1-keepalived.stats', 'hand-2x.stats')],
    (out) => expect(z.object({ instances: JsonArray }).parse(out).instances.map((i) => i.name)).toEqual(['VI_V4', 'VI_V6']),
  ],
  [
    'keepalived-log',
    [path.join(FIX, 'keepalived-log', 'hand-2x-console.log')],
    (out) => expect(JsonArray.parse(out)[0]).toMatchObject({ type: 'process', action: 'starting', source: 'parent' }),
  ],
  [
    'keepalived-notify',
    [path.join(FIX, 'keepalived-notify', 'hand-fifo.txt')],
    (out) => expect(JsonArray.parse(out)[0]).toMatchObject({ type: 'instance', name: 'VI_V4', state: 'BACKUP' }),
  ],
  [
    'nmcli',
    [path.join(FIX, 'nmcli', 'hand-connection-escaped.terse'), '--fields', 'NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT'],
    (out) => expect(z.object({ records: JsonArray }).parse(out).records[1]).toMatchObject({ NAME: 'Wired: office\\lab' }),
  ],
  [
    'director-health',
    [fixture('sysctl', 'lab-dir1-director.sysctl', 'hand-director.sysctl')],
    (out) => expect(Json.parse(out)).toMatchObject({ ipForward: true }),
  ],
];

const BAD: [string, string[], string, RegExp][] = [
  ['ipvsadm', [], 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\nbanana\n', /^lvsctl: ipvsadm: line 3: /],
  ['ip-addr', [], '[{"ifname": "eth0"}]', /^lvsctl: ip-addr: unexpected shape/],
  ['keepalived-data', [], '------< VRRP Topology >------\n VRRP Instance = VI_1\n   Priority = high\n', /^lvsctl: keepalived-data: line 3: expected an integer priority: " {3}Priority = high"/],
  ['keepalived-json', [], '[{"data":', /^lvsctl: keepalived-json: invalid JSON/],
  ['keepalived-stats', [], 'VRRP Instance: VI_1\n  Advertisements:\n    Received: many\n', /^lvsctl: keepalived-stats: line 3: /],
  ['keepalived-log', ['--format', 'journal-short-iso'], '2026-11-22T02:48:49.1+0000 h Keepalived_vrrp[1]: ok\nnot a journal line\n', /^lvsctl: keepalived-log: line 2: /],
  ['keepalived-notify', [], 'INSTANCE "VI_1" MASTER 100\nINSTANCE "VI_1" ASLEEP 100\n', /^lvsctl: keepalived-notify: line 2: unknown notify state/],
  ['nmcli', ['--fields', 'DEVICE,TYPE'], 'eth0:ethernet\nlo\n', /^lvsctl: nmcli: line 2: expected 2/],
  ['director-health', [], 'net.ipv4.ip_forward = 1\nnet.ipv4.vs.conntrack = maybe\n', /^lvsctl: director-health: line 2: /],
];

describe('lvsctl parse (child process)', { concurrent: true, timeout: TIMEOUT }, () => {
  it.each(GOOD)('parse %s FILE prints the model as JSON', async (kind, args, check) => {
    const r = await lvsctl(['parse', kind, ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    check(JSON.parse(r.stdout));
  });

  it.each(BAD)('parse %s rejects bad input on stdin with exit 2 and the line', async (kind, args, input, message) => {
    const r = await lvsctl(['parse', kind, ...args], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('usage errors exit 2 with the usage', async () => {
    for (const args of [['parse'], ['parse', 'no-such-kind'], ['parse', 'nmcli', '-'], ['parse', 'keepalived-log', '--format', 'xml', '-'], ['parse', 'ip-addr', '--bogus']]) {
      const r = await lvsctl(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: lvsctl parse <kind>/);
    }
  });

  it('help lists the commands; unknown commands exit 2', async () => {
    const help = await lvsctl(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: lvsctl <command>/);
    expect(help.stdout).toMatch(/\n {2}parse +parse captured/);
    const parseHelp = await lvsctl(['help', 'parse']);
    expect(parseHelp.stdout).toMatch(/keepalived-data/);
    const unknown = await lvsctl(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('an unreadable file exits 1', async () => {
    const r = await lvsctl(['parse', 'keepalived-data', path.join(FIX, 'does-not-exist')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read/);
  });
});
