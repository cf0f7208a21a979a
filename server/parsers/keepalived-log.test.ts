import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KeepalivedLogFormat, KeepalivedLogEvent } from '@/lib/models/keepalived';
import { expectGolden } from '@/lib/testing/golden';
import { classifyKeepalivedMessage, parseKeepalivedLog, parseKeepalivedLogLine, type KeepalivedLogOptions } from './keepalived-log';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'keepalived-log');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

/** The format is named by the fixture: *console.log, *journal-short-iso.log, *.json, *syslog.log. */
function formatOf(file: string): KeepalivedLogOptions {
  const format: KeepalivedLogFormat = file.endsWith('.json')
    ? 'journal-json'
    : file.includes('short-iso')
      ? 'journal-short-iso'
      : file.includes('syslog')
        ? 'syslog'
        : 'console';
  return { format, year: 2017 };
}

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('parseKeepalivedLog fixtures', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const events = parseKeepalivedLog(read(file), formatOf(file));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(KeepalivedLogEvent.safeParse(e).success).toBe(true);
    // `raw` is the input line itself: left out of the golden file to keep it readable.
    golden(file, events.map(({ raw: _raw, ...rest }) => rest));
  });

  it.each(fixtures.filter((f) => f.startsWith('lab-')))('%s (captured in the lab) has state changes', (file) => {
    const events = parseKeepalivedLog(read(file), formatOf(file));
    const states = new Set(events.flatMap((e) => (e.type === 'vrrp-transition' ? [e.state] : [])));
    expect(states.size).toBeGreaterThanOrEqual(2);
    // A whole log from boot has the track scripts' first results; an excerpt holds one event's lines.
    if (!file.includes('-excerpt-')) expect(events.some((e) => e.type === 'script-result')).toBe(true);
    for (const e of events) expect(e.time).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('the lab console logs hold a failover: MASTER on one director, BACKUP/FAULT after MASTER on it', () => {
    const labConsole = fixtures.filter((f) => f.startsWith('lab-') && f.endsWith('console.log'));
    if (labConsole.length === 0) return;
    const all = labConsole.flatMap((f) => parseKeepalivedLog(read(f), { format: 'console' }));
    const firstMaster = all.findIndex((e) => e.type === 'vrrp-transition' && e.state === 'MASTER');
    expect(firstMaster).toBeGreaterThanOrEqual(0);
    expect(all.slice(firstMaster).some((e) => e.type === 'vrrp-transition' && e.state !== 'MASTER')).toBe(true);
  });

  it('reads a VIP removed behind keepalived\'s back (ip addr del on the lab master): the address, its interface, then MASTER given up', () => {
    const events = parseKeepalivedLog(read('lab-dir1-excerpt-vip-removed-console.log'), { format: 'console' });
    const i = events.findIndex((e) => e.type === 'address');
    expect(events[i]).toMatchObject({ type: 'address', address: '192.0.2.102', added: false, interface: 'eth0', source: 'vrrp' });
    expect(events.slice(i + 1, i + 3)).toMatchObject([
      { type: 'vrrp-transition', instance: 'VI_V4', state: 'BACKUP' },
      { type: 'priority-zero', instance: 'VI_V4', direction: 'sent' },
    ]);
    expect(parseKeepalivedLog('Sun Dec  6 10:06:12 2026: Netlink reflector reports IP 2001:db8::1 added to eth0\nSun Dec  6 10:06:13 2026: Netlink reflector reports IP 192.0.2.7 removed', { format: 'console' })).toMatchObject([
      { type: 'address', address: '2001:db8::1', added: true, interface: 'eth0', source: 'vrrp' },
      { type: 'address', address: '192.0.2.7', added: false, interface: null, source: 'unknown' },
    ]);
  });

  it('classifies the 2.x console fixture', () => {
    const events = parseKeepalivedLog(read('hand-2x-console.log'), { format: 'console' });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'other')).toHaveLength(3); // Running on, Command line, Activating
    expect(events[0]).toMatchObject({
      type: 'process',
      action: 'starting',
      version: 'Keepalived v2.2.7 (01/16,2022)',
      source: 'parent',
      host: null,
      pid: null,
      time: Date.UTC(2026, 10, 22, 2, 48, 41),
    });
    const byMessage = (m: string) => events.find((e) => e.message === m);
    expect(byMessage('(VI_V4) Entering BACKUP STATE (init)')).toMatchObject({ type: 'vrrp-transition', instance: 'VI_V4', state: 'BACKUP', init: true, legacy: false, source: 'vrrp' });
    expect(byMessage('(VI_V4) Receive advertisement timeout')).toMatchObject({ type: 'advert-timeout', instance: 'VI_V4' });
    expect(byMessage('VRRP_Group(VG_LAB) Syncing instances to MASTER state')).toMatchObject({ type: 'vrrp-group-sync', group: 'VG_LAB', state: 'MASTER' });
    expect(byMessage('VRRP_Script(chk_fault_flag) failed (exited with status 1)')).toMatchObject({ type: 'script-result', script: 'chk_fault_flag', result: 'failed', detail: 'exited with status 1' });
    expect(byMessage('(VI_V4): entering FAULT state due to script chk_fault_flag')).toMatchObject({ type: 'fault-cause', cause: 'script', subject: 'chk_fault_flag' });
    expect(byMessage('(VI_V4): entering FAULT state (interface eth0 down)')).toMatchObject({ type: 'fault-cause', cause: 'interface', subject: 'eth0' });
    expect(byMessage('(VI_V4) sent 0 priority')).toMatchObject({ type: 'priority-zero', direction: 'sent' });
    expect(byMessage('(VI_V4) Backup received priority 0 advertisement')).toMatchObject({ type: 'priority-zero', direction: 'received' });
    expect(byMessage('(VI_V4) received lower priority (100) advert from 192.0.2.3 - discarding')).toMatchObject({ type: 'lower-priority-advert', priority: 100, from: '192.0.2.3' });
    expect(byMessage('(VI_V6) Master received advert from fe80::5054:ff:fe12:3403 with higher priority 200, ours 150')).toMatchObject({
      type: 'higher-priority-advert',
      from: 'fe80::5054:ff:fe12:3403',
      priority: 200,
      ours: 150,
    });
    expect(byMessage('(VI_V4) Changing effective priority from 150 to 140')).toMatchObject({ type: 'effective-priority', from: 150, to: 140 });
    expect(byMessage('Netlink reports eth0 down')).toMatchObject({ type: 'interface', interface: 'eth0', up: false });
    expect(byMessage('TCP connection to [192.0.2.12]:tcp:8080 failed.')).toMatchObject({
      type: 'checker',
      checker: 'TCP_CHECK',
      ok: false,
      source: 'healthcheckers',
      realServer: { address: '192.0.2.12', protocol: 'tcp', port: 8080, fwmark: null, text: '[192.0.2.12]:tcp:8080' },
      time: Date.UTC(2026, 10, 2, 2, 49, 20), // `Nov  2` (space-padded day)
    });
    expect(byMessage('HTTP status code error to server [192.0.2.12]:tcp:80.')).toMatchObject({ type: 'checker', checker: 'HTTP_GET', ok: false, detail: 'HTTP status code error' });
    expect(byMessage('HTTP_CHECK on service [192.0.2.12]:tcp:80 failed after 1 retries.')).toMatchObject({ type: 'checker', checker: 'HTTP_GET', detail: 'failed after 1 retries' });
    expect(byMessage('Remote Web server [192.0.2.11]:tcp:80 succeed on service.')).toMatchObject({ type: 'checker', ok: true });
    const misc = events.find((e) => e.type === 'checker' && e.checker === 'MISC_CHECK');
    expect(misc).toMatchObject({ ok: false, realServer: { address: '192.0.2.11', protocol: 'udp', port: 5353 }, virtualServer: { address: '192.0.2.101', port: 5353 } });
    expect(byMessage('Removing service [192.0.2.12]:tcp:8080 from VS [192.0.2.100]:tcp:8080')).toMatchObject({
      type: 'service',
      action: 'remove',
      inhibited: false,
      realServer: { address: '192.0.2.12', port: 8080 },
      virtualServer: { address: '192.0.2.100', port: 8080 },
    });
    expect(byMessage('Disabling (inhibited) service [192.0.2.11]:tcp:80 of VS [192.0.2.100]:tcp:80')).toMatchObject({ type: 'service', action: 'disable', inhibited: true });
    expect(byMessage('Shutting down service [192.0.2.11]:tcp:80 from VS [192.0.2.100]:tcp:80')).toMatchObject({ type: 'service', action: 'shutdown' });
    expect(byMessage('Lost quorum 1-0=1 > 0 for VS [192.0.2.100]:tcp:80')).toMatchObject({ type: 'quorum', up: false, init: false });
    expect(byMessage('Gained quorum 1+0=1 <= 100 for VS [192.0.2.100]:tcp:80')).toMatchObject({ type: 'quorum', up: true });
    expect(byMessage('Changing weight from 100 to 0 for active service [192.0.2.12]:tcp:80 of VS [192.0.2.100]:tcp:80')).toMatchObject({ type: 'weight', from: 100, to: 0 });
    expect(byMessage('([192.0.2.12]:tcp:80): tracked file drain_rs2 now FAULT state')).toMatchObject({ type: 'track-file', owner: '[192.0.2.12]:tcp:80', file: 'drain_rs2', fault: true, source: 'healthcheckers' });
    expect(byMessage('(VI_V4): tracked file maint leaving FAULT state')).toMatchObject({ type: 'track-file', owner: 'VI_V4', fault: false, source: 'vrrp' });
    expect(byMessage('Starting VRRP child process, pid=31')).toMatchObject({ type: 'process', action: 'child-started', childPid: 31 });
    expect(byMessage('Stopping')).toMatchObject({ type: 'process', action: 'stopping' });
    expect(byMessage('Stopped - used 0.043210 user time, 0.081234 system time')).toMatchObject({ type: 'process', action: 'child-stopped', source: 'unknown' });
    expect(byMessage('Stopped Keepalived v2.2.7 (01/16,2022)')).toMatchObject({ type: 'process', action: 'stopped', version: 'Keepalived v2.2.7 (01/16,2022)' });
    expect(events.at(-1)).toMatchObject({ type: 'process', action: 'reloading', time: Date.UTC(2026, 10, 22, 2, 50, 2) + 123 });
  });

  it('reads journal short-iso: zones, markers skipped, identifiers -> source', () => {
    const events = parseKeepalivedLog(read('hand-journal-short-iso.log'), { format: 'journal-short-iso' });
    expect(events).toHaveLength(6);
    expect(events[0]).toMatchObject({ host: 'dir1', pid: 31, source: 'vrrp', time: Date.UTC(2026, 10, 22, 2, 48, 41, 100) });
    expect(events[2]).toMatchObject({ type: 'service', source: 'healthcheckers', time: Date.UTC(2026, 10, 22, 2, 48, 46) }); // +0100
    expect(events[3]).toMatchObject({ type: 'process', action: 'stopping', source: 'parent', time: Date.UTC(2026, 10, 22, 2, 48, 47, 500) });
    expect(events[4]).toMatchObject({ type: 'other', source: 'unknown' }); // keepalived-notify's logger line
  });

  it('reads journal JSON, including MESSAGE as a byte array and null', () => {
    const events = parseKeepalivedLog(read('hand-journal.json'), { format: 'journal-json' });
    expect(events.map((e) => [e.type, e.source, e.pid, e.host])).toEqual([
      ['vrrp-transition', 'vrrp', 1234, 'lab-vm'],
      ['checker', 'healthcheckers', 30, 'lab-vm'],
      ['process', 'parent', 29, null],
      ['other', 'vrrp', null, null],
    ]);
    expect(events[0]?.time).toBe(1795322925250);
    expect(events[1]?.message).toBe('TCP connection to [192.0.2.12]:tcp:80 failed.');
  });

  it('reads 1.x syslog lines (legacy forms) with the given year', () => {
    const events = parseKeepalivedLog(read('hand-1x-syslog.log'), { format: 'syslog', year: 2017 });
    expect(events[0]).toMatchObject({ type: 'vrrp-transition', legacy: true, phase: 'entering', state: 'BACKUP', host: 'lb1', pid: 1234, time: Date.UTC(2017, 11, 4, 0, 1, 10) });
    expect(events[1]).toMatchObject({ type: 'vrrp-transition', legacy: true, phase: 'transition', state: 'MASTER' });
    expect(events[4]).toMatchObject({ type: 'higher-priority-advert', from: null, priority: 200, ours: 150 });
    expect(events[6]).toMatchObject({ type: 'script-result', result: 'timed_out' });
    expect(events[7]).toMatchObject({ type: 'vrrp-transition', state: 'FAULT', legacy: true });
    expect(events[8]).toMatchObject({ type: 'interface', interface: 'eth0', up: false });
    expect(events[10]).toMatchObject({ type: 'checker', checker: 'TCP_CHECK', ok: false, realServer: { address: '10.0.0.11', protocol: null, port: 80 } });
    expect(events[11]).toMatchObject({ type: 'checker', checker: null, detail: 'failed after 3 retry' });
    expect(events[12]).toMatchObject({ type: 'service', action: 'remove', virtualServer: { address: '10.0.0.100', protocol: null, port: 80 } });
    expect(events[13]).toMatchObject({ type: 'checker', detail: 'HTTP status code error, url /health, status 503' });
    expect(events[15]).toMatchObject({ type: 'process', action: 'stopping', version: 'Keepalived v1.3.5 (03/19,2017)' });
    expect(events[16]).toMatchObject({ type: 'other', source: 'unknown' }); // kernel line
    expect(events[17]).toMatchObject({ type: 'vrrp-transition', phase: 'transition', time: Date.UTC(2017, 11, 3, 23, 2, 10, 123) }); // rsyslog RFC 3339
  });
});

describe('time zones', () => {
  it('console and classic syslog timestamps are shifted by timeZoneOffsetMinutes (local - UTC)', () => {
    const line = 'Sun Nov 22 02:48:49 2026: (VI_1) Entering MASTER STATE';
    expect(parseKeepalivedLogLine(line, { format: 'console' })?.time).toBe(Date.UTC(2026, 10, 22, 2, 48, 49));
    expect(parseKeepalivedLogLine(line, { format: 'console', timeZoneOffsetMinutes: 60 })?.time).toBe(Date.UTC(2026, 10, 22, 1, 48, 49));
    expect(parseKeepalivedLogLine(line, { format: 'console', timeZoneOffsetMinutes: -300 })?.time).toBe(Date.UTC(2026, 10, 22, 7, 48, 49));
    const sys = 'Nov 22 02:48:49 lb1 Keepalived_vrrp[1]: x';
    expect(parseKeepalivedLogLine(sys, { format: 'syslog', year: 2026, timeZoneOffsetMinutes: 330 })?.time).toBe(Date.UTC(2026, 10, 21, 21, 18, 49));
  });

  it('ISO and journal timestamps keep their own zone', () => {
    const iso = '2026-11-22T02:48:49.000000-0500 h Keepalived_vrrp[1]: x';
    expect(parseKeepalivedLogLine(iso, { format: 'journal-short-iso', timeZoneOffsetMinutes: 60 })?.time).toBe(Date.UTC(2026, 10, 22, 7, 48, 49));
  });
});

describe('malformed envelopes', () => {
  it.each([
    ['console', 'Nov 22 02:48:49 host Keepalived_vrrp[1]: msg', 1],
    ['console', 'Sun Nov 22 02:48:49: no year', 1],
    ['console', 'Sun Foo 22 02:48:49 2026: bad month', 1],
    ['console', 'Sun Nov 22 25:48:49 2026: bad hour', 1],
    ['journal-short-iso', 'Sun Nov 22 02:48:49 2026: msg', 1],
    ['journal-json', '{"MESSAGE":"no timestamp"}', 1],
    ['journal-json', 'not json', 1],
    ['journal-json', '{"__REALTIME_TIMESTAMP":"12x","MESSAGE":"x"}', 1],
    ['syslog', '2026/11/22 02:48:49 host x: y', 1],
  ] as const)('%s: %s -> ParseError', (format, line, lineNo) => {
    const e = parseError(() => parseKeepalivedLog(`${line}\n`, { format, year: 2026 }));
    expect(e.kind).toBe('keepalived-log');
    expect(e.line).toBe(lineNo);
  });

  it('names the line number inside a longer log', () => {
    const text = 'Sun Nov 22 02:48:49 2026: Stopping\n\nSun Nov 22 02:48:50 2026: Stopped\ngarbage\n';
    expect(parseError(() => parseKeepalivedLog(text, { format: 'console' })).line).toBe(4);
  });

  it('syslog without a year is a ParseError (line 0)', () => {
    expect(parseError(() => parseKeepalivedLog('Nov 22 02:48:49 h k[1]: x', { format: 'syslog' })).line).toBe(0);
  });

  it('never throws on unknown messages inside a valid envelope', () => {
    const odd = ['', ' ', '(((', 'VRRP_Instance(', '(VI_1) Entering SLEEP STATE', 'TCP connection to [x]:tcp:99999 failed.', '\u0000\u00ff'];
    for (const m of odd) {
      expect(classifyKeepalivedMessage(m).type).toBe('other');
      expect(parseKeepalivedLogLine(`Sun Nov 22 02:48:49 2026: ${m}`, { format: 'console' })).not.toBeNull();
    }
  });

  it('returns null for blank lines and journal markers', () => {
    expect(parseKeepalivedLogLine('', { format: 'console' })).toBeNull();
    expect(parseKeepalivedLogLine('-- No entries --', { format: 'journal-short-iso' })).toBeNull();
  });
});
