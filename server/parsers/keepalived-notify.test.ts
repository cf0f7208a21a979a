import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeepalivedNotifyEvent, KeepalivedNotifyLogEntry } from '@/lib/models/keepalived';
import { expectGolden } from '@/lib/testing/golden';
import { parseKeepalivedEndpoint, parseKeepalivedNotify, parseKeepalivedNotifyLine, parseKeepalivedNotifyLog } from './keepalived-notify';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'keepalived-notify');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('notify fixtures', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    if (file.endsWith('.log')) {
      const entries = parseKeepalivedNotifyLog(read(file));
      for (const e of entries) expect(KeepalivedNotifyLogEntry.safeParse(e).success).toBe(true);
      golden(file, entries);
    } else {
      const events = parseKeepalivedNotify(read(file));
      for (const e of events) expect(KeepalivedNotifyEvent.safeParse(e).success).toBe(true);
      golden(file, events);
    }
  });

  it('reads FIFO lines', () => {
    const ev = parseKeepalivedNotify(read('hand-fifo.txt'));
    expect(ev[0]).toEqual({ type: 'instance', name: 'VI_V4', state: 'BACKUP', priority: 100, raw: 'INSTANCE "VI_V4" BACKUP 100' });
    expect(ev[1]).toMatchObject({ type: 'group', name: 'VG_LAB', state: 'BACKUP', priority: 0 });
    expect(ev.map((e) => (e.type === 'instance' || e.type === 'group' ? e.state : e.type))).toEqual([
      'BACKUP', 'BACKUP', 'MASTER', 'MASTER_RX_LOWER_PRI', 'STOP', 'DELETED', 'real-server', 'real-server', 'virtual-server', 'virtual-server',
    ]);
    expect(ev[6]).toMatchObject({ type: 'real-server', up: false, realServer: { address: '192.0.2.11', protocol: 'tcp', port: 80 }, virtualServer: { address: '192.0.2.100' } });
    expect(ev[7]).toMatchObject({ type: 'real-server', up: true, realServer: { address: '2001:db8::12' } });
    expect(ev[9]).toMatchObject({ type: 'virtual-server', up: true, virtualServer: { fwmark: 5, address: null } });
  });

  it('splits NUL-terminated checker FIFO lines', () => {
    const ev = parseKeepalivedNotify(read('hand-fifo-nul.bin'));
    expect(ev.map((e) => (e.type === 'real-server' ? [e.realServer.port, e.up] : null))).toEqual([
      [80, true],
      [5353, false],
    ]);
  });

  it('reads notify-script arguments (bare names, optional priority)', () => {
    expect(parseKeepalivedNotify(read('hand-args.txt'))).toEqual([
      { type: 'instance', name: 'VI_1', state: 'MASTER', priority: 150, raw: 'INSTANCE VI_1 MASTER 150' },
      { type: 'group', name: 'VG_1', state: 'FAULT', priority: 0, raw: 'GROUP VG_1 FAULT 0' },
      { type: 'instance', name: 'VI_1', state: 'BACKUP', priority: null, raw: 'INSTANCE VI_1 BACKUP' },
    ]);
  });

  it('reads the lab notify script log (ISO time with nanoseconds, host, arguments)', () => {
    const [first] = parseKeepalivedNotifyLog(read('hand-notify.log'));
    expect(first).toMatchObject({ time: Date.UTC(2026, 10, 22, 2, 48, 45, 501), host: 'dir1', event: { type: 'instance', name: 'VI_V4', state: 'BACKUP', priority: 150 } });
  });

  it.each([
    ['INSTANCE "VI_1" SLEEPING 100', /unknown notify state/],
    ['RS [10.0.0.1]:tcp:80 UP', /expected/],
    ['RS [10.0.0.1]:tcp:99999 [10.0.0.2]:tcp:80 UP', /endpoint/],
    ['hello', /expected/],
  ])('%s -> ParseError', (line, reason) => {
    const e = parseError(() => parseKeepalivedNotify(`INSTANCE "ok" MASTER 1\n${line}\n`));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(reason);
  });

  it('notify log lines without the ISO prefix are errors', () => {
    expect(parseError(() => parseKeepalivedNotifyLog('INSTANCE VI_1 MASTER 150')).line).toBe(1);
  });

  it('empty input is no events', () => {
    expect(parseKeepalivedNotify('')).toEqual([]);
    expect(parseKeepalivedNotifyLog('\n')).toEqual([]);
    expect(() => parseKeepalivedNotifyLine('')).toThrow(ParseError);
  });
});

describe('parseKeepalivedEndpoint', () => {
  it.each([
    ['[192.0.2.11]:tcp:80', { address: '192.0.2.11', protocol: 'tcp', port: 80, fwmark: null }],
    ['[2001:db8::1]:udp:53', { address: '2001:db8::1', protocol: 'udp', port: 53, fwmark: null }],
    ['[192.0.2.11]:none:0', { address: '192.0.2.11', protocol: 'none', port: 0, fwmark: null }],
    ['[10.0.0.1]:80', { address: '10.0.0.1', protocol: null, port: 80, fwmark: null }],
    ['[VSG_WEB]:80', { address: 'VSG_WEB', protocol: null, port: 80, fwmark: null }],
    ['FWM 7', { address: null, protocol: null, port: null, fwmark: 7 }],
  ])('%s', (text, want) => {
    expect(parseKeepalivedEndpoint(text)).toEqual({ ...want, text });
  });

  it.each(['192.0.2.11:80', '[1.2.3.4]:tcp:70000', '[a b]:tcp:1', 'FWM x', ''])('%s is not an endpoint', (text) => {
    expect(parseKeepalivedEndpoint(text)).toBeNull();
  });
});
