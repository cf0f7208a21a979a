import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_SAMPLE, MAX_EXACT_CLIENTS, summarizeConnectionChunks, summarizeConnections } from './connection-summary';

const DIR = fileURLToPath(new URL('../parsers/fixtures/ipvsadm/', import.meta.url));
const read = (name: string): string => readFileSync(DIR + name, 'utf8');

describe('summarizeConnections', () => {
  it('summarizeConnectionChunks gives the same summary from byte chunks', async () => {
    const text = read('hand-1.31-Lnc-states.txt');
    const bytes = new TextEncoder().encode(text);
    const fromLines = await summarizeConnections(text.split('\n'), { virtual: { address: '192.0.2.100', port: 80 } });
    const fromChunks = await summarizeConnectionChunks([bytes.subarray(0, 333), bytes.subarray(333)], { virtual: { address: '192.0.2.100', port: 80 } });
    expect(fromChunks).toEqual(fromLines);
    expect(fromLines.matched).toBe(7);
  });

  it('counts by protocol, state and destination with expiry range and clients', async () => {
    const s = await summarizeConnections(read('hand-1.31-Lnc-states.txt').split('\n'));
    expect(s.rows).toBe(10);
    expect(s.matched).toBe(10);
    expect(s.byProtocol).toEqual({ TCP: 8, UDP: 1, IP: 1 });
    expect(s.byState).toMatchObject({ ESTABLISHED: 2, SYN_RECV: 1, UDP: 1, NONE: 1 });
    expect(s.minExpiresInSeconds).toBe(5);
    expect(s.maxExpiresInSeconds).toBe(8015);
    expect(s.destinations.find((d) => d.address === '10.0.0.11')).toEqual({
      address: '10.0.0.11',
      port: 80,
      entries: 3,
      byState: { ESTABLISHED: 1, FIN_WAIT: 1, CLOSE_WAIT: 1 },
      templates: 0,
      minExpiresInSeconds: 60,
      maxExpiresInSeconds: 8015,
    });
    // most entries first, then by address
    expect(s.destinations.map((d) => `${d.address}:${d.port}=${d.entries}`)).toEqual([
      '10.0.0.12:80=4', '10.0.0.11:80=3', '10.0.0.22:53=1', '10.0.0.31:0=1', '10.0.0.61:443=1',
    ]);
    expect(s.clients).toEqual({ distinct: 10, approximate: false, sample: expect.any(Array) as unknown });
    expect(s.clients.sample).toContain('2001:db8:1::1');
  });

  it('filters on a destination (drain progress) and counts templates', async () => {
    const text = read('hand-1.31-Lnc--persistent-conn.txt');
    const s = await summarizeConnections(text.split('\n'), { destination: { address: '10.0.0.21', port: 5060 } });
    expect(s.rows).toBe(6);
    expect(s.matched).toBe(2);
    expect(s.byProtocol).toEqual({ UDP: 2 });
    expect(s.destinations).toEqual([
      { address: '10.0.0.21', port: 5060, entries: 2, byState: { UDP: 1, NONE: 1 }, templates: 1, minExpiresInSeconds: 299, maxExpiresInSeconds: 8015 },
    ]);
    expect(s.clients).toEqual({ distinct: 1, approximate: false, sample: ['198.51.100.7'] });
    const v6 = await summarizeConnections(text.split('\n'), { destination: { address: '2001:db8::11' } });
    expect(v6.matched).toBe(1);
    const none = await summarizeConnections(text.split('\n'), { destination: { address: '10.0.0.99', port: 80 } });
    expect(none).toMatchObject({ matched: 0, minExpiresInSeconds: null, maxExpiresInSeconds: null, destinations: [] });
    const proto = await summarizeConnections(text.split('\n'), { protocol: 'TCP', virtual: { address: '192.0.2.100' } });
    expect(proto.matched).toBe(2);
    // the TCP ASSURED row with client port 0 is a template of a VIP:PORT service
    expect(proto.destinations).toMatchObject([{ address: '10.0.0.11', entries: 2, templates: 1, byState: { ESTABLISHED: 1, ASSURED: 1 } }]);
  });

  it('counts the lab\'s real persistence template (protocol TCP, state ASSURED, masked client, port 0)', async () => {
    const s = await summarizeConnections(read('lab-dir1-Lnc.txt').split('\n'), { destination: { address: '192.0.2.12', port: 8080 } });
    expect(s.byState.ASSURED).toBe(1);
    expect(s.destinations[0]?.templates).toBe(1);
    expect(s.clients.sample).toContain('192.0.2.0');
  });

  it('caps the client sample and switches to an estimate past MAX_EXACT_CLIENTS', async () => {
    const n = MAX_EXACT_CLIENTS + 20_000;
    function* rows(): Generator<string> {
      yield 'IPVS connection entries';
      yield 'pro expire state       source             virtual            destination';
      for (let i = 0; i < n; i++) {
        const client = i % 3 === 0 ? `[2001:db8::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}]` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        yield `TCP 00:${String(i % 60).padStart(2, '0')} ESTABLISHED ${client}:1234 192.0.2.100:80 10.0.0.11:80`;
      }
    }
    const s = await summarizeConnections(rows());
    expect(s.matched).toBe(n);
    expect(s.clients.sample).toHaveLength(CLIENT_SAMPLE);
    expect(s.clients.approximate).toBe(true);
    expect(Math.abs(s.clients.distinct - n) / n).toBeLessThan(0.05);
    const small = await summarizeConnections([...rows()].slice(0, 5002));
    expect(small.clients).toMatchObject({ distinct: 5000, approximate: false });
  });
});
