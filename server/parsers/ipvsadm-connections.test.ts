import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IpvsConnection } from '@/lib/models/ipvsadm';
import { parseIpvsadm } from './ipvsadm';
import {
  linesFromChunks,
  parseConnectionLine,
  streamConnections,
  streamConnectionsFromChunks,
} from './ipvsadm-connections';
import { ParseError } from './parse-error';

const DIR = fileURLToPath(new URL('./fixtures/ipvsadm/', import.meta.url));
const connFixtures = readdirSync(DIR).filter((f) => f.endsWith('.txt') && f.includes('-Lnc')).sort();
const read = (name: string): string => readFileSync(DIR + name, 'utf8');

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const x of items) {
    await Promise.resolve();
    yield x;
  }
}

function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError, got a result');
}

async function rejectionOf(p: Promise<unknown>): Promise<ParseError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError, got a result');
}

describe('parseConnectionLine', () => {
  it('reads a padded IPv4 row with unbounded minutes', () => {
    const c = parseConnectionLine('TCP 133:35 ESTABLISHED 198.51.100.1:50001 192.0.2.100:80     10.0.0.11:80      ', 7);
    expect(c).toEqual({
      protocol: 'TCP',
      state: 'ESTABLISHED',
      expiresInSeconds: 8015,
      client: { address: '198.51.100.1', port: 50001 },
      virtual: { address: '192.0.2.100', port: 80 },
      destination: { address: '10.0.0.11', port: 80 },
    });
  });

  it('reads IPv6 (overflowing the columns), mixed families, pe columns, and a trailing \\r', () => {
    const c = parseConnectionLine('UDP 04:59  UDP         [2001:db8:1::77]:5060 [2001:db8::100]:5060 10.0.0.21:5060 sip a84b\r', 1);
    expect(c.client).toEqual({ address: '2001:db8:1::77', port: 5060 });
    expect(c.virtual).toEqual({ address: '2001:db8::100', port: 5060 });
    expect(c.destination).toEqual({ address: '10.0.0.21', port: 5060 });
    expect(c.pe).toEqual({ name: 'sip', data: 'a84b' });
    expect(IpvsConnection.safeParse(c).success).toBe(true);
  });

  it('keeps unknown protocols and states verbatim (SCTP states, IP templates)', () => {
    expect(parseConnectionLine('SCTP 00:02 C-ECHOED 1.2.3.4:1 5.6.7.8:2 9.9.9.9:2', 1)).toMatchObject({ protocol: 'SCTP', state: 'C-ECHOED' });
    expect(parseConnectionLine('IP 06:00 ASSURED 1.2.3.4:0 0.0.0.1:0 9.9.9.9:0', 1)).toMatchObject({ protocol: 'IP', state: 'ASSURED' });
  });

  it.each([
    ['five columns', 'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80', /connection row/],
    ['seven columns', 'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80 x', /connection row/],
    ['lower-case protocol', 'tcp 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', /protocol/],
    ['expire without colon', 'TCP 0100 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', /MM:SS/],
    ['expire with one second digit', 'TCP 01:0 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', /MM:SS/],
    ['expire without minutes', 'TCP :10 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', /MM:SS/],
    ['lower-case state', 'TCP 01:00 established 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', /state/],
    ['source without port', 'TCP 01:00 ESTABLISHED 1.2.3.4 192.0.2.100:80 10.0.0.11:80', /source/],
    ['virtual with 5 octets', 'TCP 01:00 ESTABLISHED 1.2.3.4:5 1.192.0.2.100:80 10.0.0.11:80', /virtual/],
    ['destination port too big', 'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:65536', /destination/],
    ['IPv6 with two ::', 'TCP 01:00 ESTABLISHED [1::2::3]:5 192.0.2.100:80 10.0.0.11:80', /source/],
    ['host name (no -n)', 'TCP 01:00 ESTABLISHED client.example:5 192.0.2.100:80 10.0.0.11:80', /source/],
  ])('rejects %s', (_what, line, reason) => {
    const e = parseErrorOf(() => parseConnectionLine(line, 42));
    expect(e.line).toBe(42);
    expect(e.text).toBe(line);
    expect(e.reason).toMatch(reason);
  });
});

describe('streamConnections', () => {
  it.each(connFixtures)('%s: same rows as parseIpvsadm, from sync and async lines', async (name) => {
    const text = read(name);
    const expected = parseIpvsadm(text, { mode: 'connections' }).connections;
    expect(expected.length).toBeGreaterThan(0);
    expect(await collect(streamConnections(text.split('\n')))).toEqual(expected);
    expect(await collect(streamConnections(asAsync(text.split('\n'))))).toEqual(expected);
  });

  it('accepts headerless rows (ipvsadm -Lnc | grep ...) and blank lines', async () => {
    const rows = ['TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80', '', 'UDP 00:10 UDP 1.2.3.4:6 192.0.2.100:53 10.0.0.12:53 '];
    const got = await collect(streamConnections(rows));
    expect(got.map((c) => c.destination.port)).toEqual([80, 53]);
  });

  it('a title in the middle is an error with its line number', async () => {
    const text = `${read('hand-1.31-Lnc-states.txt')}IPVS connection entries\n`;
    const e = await rejectionOf(collect(streamConnections(text.split('\n'))));
    expect(e.line).toBe(13);
  });

  it('pe columns under a plain header are an error', async () => {
    const lines = ['IPVS connection entries', 'pro expire state source virtual destination', 'UDP 01:00 UDP 1.2.3.4:5 5.6.7.8:5 9.9.9.9:5 sip abc'];
    expect((await rejectionOf(collect(streamConnections(lines)))).line).toBe(3);
  });

  it('rows without pe data under the --persistent-conn header have pe: null', async () => {
    const got = await collect(streamConnections(read('hand-1.31-Lnc--persistent-conn.txt').split('\n')));
    expect(got.map((c) => c.pe?.name ?? null)).toEqual(['sip', 'sip', null, null, null, null]);
    expect(got[2]).toHaveProperty('pe', null);
  });
});

describe('linesFromChunks / streamConnectionsFromChunks', () => {
  const text = read('hand-1.31-Lnc--persistent-conn.txt').replace(/\n/g, '\r\n') + 'TCP 00:01 CLOSE é.0.0.1:1 1.1.1.1:1 1.1.1.1:1';
  const bytes = new TextEncoder().encode(text);

  it('splits at every possible chunk boundary the same way (CRLF, multi-byte UTF-8)', async () => {
    const whole = text.split('\n');
    for (let cut = 0; cut <= bytes.length; cut += 7) {
      const lines = await collect(linesFromChunks([bytes.subarray(0, cut), bytes.subarray(cut)]));
      expect(lines).toEqual(whole);
    }
    const byChar = await collect(linesFromChunks(asAsync(text.split(''))));
    expect(byChar).toEqual(whole);
  });

  it('streams rows from byte chunks, failing on the bad last line with its number', async () => {
    const good = text.slice(0, text.lastIndexOf('\n') + 1);
    const rows = await collect(streamConnectionsFromChunks([new TextEncoder().encode(good)]));
    expect(rows).toHaveLength(6);
    expect(rows[0]?.pe).toEqual({ name: 'sip', data: 'a84b4c76e66710' });
    const e = await rejectionOf(collect(streamConnectionsFromChunks(asAsync([bytes.subarray(0, 100), bytes.subarray(100)]))));
    expect(e.line).toBe(9);
  });
});

describe('streamConnectionsFromChunks: early exit', () => {
  it('breaking out of for-await closes the chunk source', async () => {
    let closed = false;
    let pulled = 0;
    async function* chunks(): AsyncGenerator<string> {
      try {
        yield 'IPVS connection entries\npro expire state source virtual destination\n';
        for (;;) {
          await Promise.resolve();
          pulled++;
          yield 'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80\n'.repeat(10);
        }
      } finally {
        closed = true;
      }
    }
    let n = 0;
    for await (const c of streamConnectionsFromChunks(chunks())) {
      expect(c.state).toBe('ESTABLISHED');
      if (++n === 25) break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBe(3);
  });
});
