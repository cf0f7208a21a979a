// The byte fast path (ConnectionChunkScanner over Uint8Array chunks) against the string path it must
// agree with: the same rows, the same summaries, the same ParseError (line, text, reason) for every
// line, on the golden fixtures cut at many chunk sizes and on deterministic mutations of their rows.

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summarizeConnectionChunks, summarizeConnections } from '@/server/drain/connection-summary';
import { parseIpvsadm } from './ipvsadm';
import { connectionBatchesFromChunks, streamConnections, streamConnectionsFromChunks } from './ipvsadm-connections';
import { ParseError } from './parse-error';
import { prng } from '@/lib/testing/prng';

const DIR = fileURLToPath(new URL('./fixtures/ipvsadm/', import.meta.url));
const connFixtures = readdirSync(DIR).filter((f) => f.endsWith('.txt') && f.includes('-Lnc')).sort();
const read = (name: string): string => readFileSync(DIR + name, 'utf8');
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

function cuts(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function flat<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

type Outcome = { rows: unknown[] } | { error: { line: number; text: string; reason: string } };

async function outcome(rows: AsyncIterable<unknown>): Promise<Outcome> {
  const got: unknown[] = [];
  try {
    for await (const r of rows) got.push(r);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { error: { line: e.line, text: e.text, reason: e.reason } };
  }
  return { rows: got };
}


const ALPHABET = ['0', '1', '9', '00', '.', ':', '[', ']', ' ', '\t', '\r', '\v', 'a', 'f', 'g', 'A', 'Z', '_', '-', '!', 'v', 'é', '\0', '::', '255', '256', '65535', '65536', 'TCP', 'ESTABLISHED', 'sip', 'x'];

function mutate(line: string, rnd: () => number): string {
  let s = line;
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const what = rnd();
    const tok = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
    if (what < 0.4) s = s.slice(0, at) + tok + s.slice(at + 1);
    else if (what < 0.7) s = s.slice(0, at) + tok + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 3));
  }
  return s.replace(/\n/g, '');
}

describe('byte fast path', () => {
  it.each(connFixtures)('%s: same rows as parseIpvsadm at every chunk size', async (name) => {
    const text = read(name);
    const expected = parseIpvsadm(text, { mode: 'connections' }).connections;
    const bytes = encode(text);
    for (const size of [1, 3, 17, 64, 4096, bytes.length]) {
      expect(await flat(connectionBatchesFromChunks(cuts(bytes, size)))).toEqual(expected);
    }
    expect((await outcome(streamConnectionsFromChunks(cuts(bytes, 50))))).toEqual({ rows: expected });
    // CRLF line ends, no final newline, a byte order mark
    const crlf = encode(`\uFEFF${text.replace(/\n/g, '\r\n').replace(/\r\n$/, '')}`);
    expect(await flat(connectionBatchesFromChunks(cuts(crlf, 29)))).toEqual(expected);
  });

  it.each(connFixtures)('%s: same summaries from byte chunks as from lines', async (name) => {
    const text = read(name);
    const lines = text.split('\n');
    const rows = parseIpvsadm(text, { mode: 'connections' }).connections;
    const d = rows[rows.length - 1]!.destination;
    const v = rows[0]!.virtual;
    for (const filter of [{}, { destination: { address: d.address } }, { destination: { address: d.address, port: d.port } }, { virtual: v, protocol: 'TCP' }, { protocol: 'UDP' }]) {
      const want = await summarizeConnections(lines, filter);
      for (const size of [5, 100, 1 << 16]) expect(await summarizeConnectionChunks(cuts(encode(text), size), filter)).toEqual(want);
    }
  });

  it('agrees with the string path on mutated rows: the same rows or the same ParseError', async () => {
    const rnd = prng(0x20c0);
    const rows = connFixtures.flatMap((n) => read(n).split('\n').filter((l) => /^(TCP|UDP|SCTP|IP) /.test(l)));
    const headers = [
      [],
      ['IPVS connection entries', 'pro expire state       source             virtual            destination'],
      ['IPVS connection entries', 'pro expire state       source             virtual            destination        pe name    pe_data'],
    ];
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const head = headers[i % 3]!;
      const body = [rows[i % rows.length]!, mutate(rows[(i * 7) % rows.length]!, rnd), rows[(i * 3) % rows.length]!];
      const lines = [...head, ...body];
      const want = await outcome(streamConnections(lines));
      const bytes = await outcome(streamConnectionsFromChunks(cuts(encode(lines.join('\n')), 1 + (i % 40))));
      expect(bytes, JSON.stringify(body[1])).toEqual(want);
      if ('error' in want) errors++;
      else expect(await summarizeConnectionChunks([encode(lines.join('\n'))])).toEqual(await summarizeConnections(lines));
    }
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(2900);
  });

  it('falls back to the string path for what it does not take itself', async () => {
    const lines = [
      'IPVS connection entries',
      'pro expire state       source             virtual            destination        pe name    pe_data',
      'TCP\t01:00\tESTABLISHED\v10.0.0.1:5 192.0.2.100:80 10.0.0.11:080',
      'UDP 01:00 UDP [::ffff:198.51.100.7]:5 [2001:DB8::100]:53 [2001:db8::1:10.0.0.1]:53 sip é€',
      'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80 ',
      'IP 133:35 NONE 1.2.3.4:0 0.0.0.1:0 10.0.0.11:0\r',
      '',
      'TCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80',
    ];
    const want = await outcome(streamConnections(lines));
    expect(want).toMatchObject({ error: { line: 8 } });
    for (const size of [1, 10, 1000]) expect(await outcome(streamConnectionsFromChunks(cuts(encode(lines.join('\n')), size)))).toEqual(want);
    const good = lines.slice(0, -1);
    const rows = await outcome(streamConnectionsFromChunks([encode(good.join('\n'))]));
    expect(rows).toEqual(await outcome(streamConnections(good)));
    expect(rows).toMatchObject({ rows: [{ client: { address: '10.0.0.1' }, destination: { port: 80 } }, { pe: { name: 'sip', data: 'é€' } }, { pe: null }, { expiresInSeconds: 8015 }] });
  });

  it('mixes text and byte chunks', async () => {
    const text = read('hand-1.31-Lnc-states.txt');
    const expected = parseIpvsadm(text, { mode: 'connections' }).connections;
    const bytes = encode(text);
    const mixed = [text.slice(0, 100), bytes.subarray(100, 300), bytes.subarray(300, 310), text.slice(310, 500), bytes.subarray(500)];
    expect(await flat(connectionBatchesFromChunks(mixed))).toEqual(expected);
  });
});
