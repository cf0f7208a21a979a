import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countWouldBreak, peerEntries } from './connections';

const FIX = path.join(__dirname, '..', 'parsers', 'fixtures', 'ipvsadm');
const lab = (f: string) => readFileSync(path.join(FIX, f), 'utf8').split('\n');

const HEAD = ['IPVS connection entries', 'pro expire state       source             virtual            destination'];
const row = (state: string, client: string, rs = '192.0.2.11:80', proto = 'TCP') => `${proto} 14:59  ${state.padEnd(11)} ${client.padEnd(18)} 192.0.2.100:80     ${rs}`;

describe('connection survival count', () => {
  it('counts the established TCP entries the peer lacks, and nothing else', async () => {
    const mine = [...HEAD, row('ESTABLISHED', '192.0.2.50:1001'), row('ESTABLISHED', '192.0.2.50:1002'), row('ESTABLISHED', '192.0.2.50:1003', '192.0.2.12:80'), row('FIN_WAIT', '192.0.2.50:1004'), row('ESTABLISHED', '192.0.2.50:1005', '192.0.2.11:80', 'UDP')];
    // The peer has 1001 (same real server) and 1003 but to another real server: that one breaks too.
    const theirs = [...HEAD, row('ESTABLISHED', '192.0.2.50:1001'), row('ESTABLISHED', '192.0.2.50:1003', '192.0.2.11:80'), row('SYN_RECV', '192.0.2.50:1002')];
    const peer = await peerEntries(theirs);
    expect(peer).toEqual({ keys: new Set(['192.0.2.50:1001>192.0.2.100:80>192.0.2.11:80', '192.0.2.50:1003>192.0.2.100:80>192.0.2.11:80']), truncated: false });
    expect(await countWouldBreak(mine, peer)).toEqual({ established: 3, wouldBreak: 2 });
  });

  it('a peer with no listing at all: every established entry breaks', async () => {
    const mine = lab('lab-dir1-Lnc.txt');
    const established = mine.filter((l) => /^TCP\s+\S+\s+ESTABLISHED /.test(l)).length;
    expect(established).toBeGreaterThan(0);
    expect(await countWouldBreak(mine, await peerEntries([]))).toEqual({ established, wouldBreak: established });
    // Against itself nothing breaks.
    expect(await countWouldBreak(mine, await peerEntries(mine))).toEqual({ established, wouldBreak: 0 });
  });

  it('stops remembering the peer at the cap and says so', async () => {
    const theirs = [...HEAD, row('ESTABLISHED', '192.0.2.50:1'), row('ESTABLISHED', '192.0.2.50:2'), row('ESTABLISHED', '192.0.2.50:3')];
    const peer = await peerEntries(theirs, 2);
    expect(peer.keys.size).toBe(2);
    expect(peer.truncated).toBe(true);
  });
});
