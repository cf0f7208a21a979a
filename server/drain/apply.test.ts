import { describe, expect, it } from 'vitest';
import { outcomeOf, readBack, sequenceTimeoutMs } from './apply';

const LISTING = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.100:80 wlc
  -> 192.0.2.11:80                Route   0      0          3
  -> 192.0.2.12:80                Route   100    2          5
`;

describe('apply', () => {
  it("gives a sequence the command limit per 4 commands (a host's drain of 5 services: 10 commands, 3 limits)", () => {
    expect([1, 2, 4, 5, 8, 10].map((n) => sequenceTimeoutMs(15_000, n))).toEqual([15_000, 15_000, 15_000, 30_000, 30_000, 45_000]);
  });

  it('reads back the weights of the changed real servers from the re-read listing', () => {
    expect(readBack(LISTING, [{ realServer: '192.0.2.11:80', weight: 0 }, { realServer: '192.0.2.13:80', weight: 0 }], 'TCP 192.0.2.100:80')).toEqual([
      { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', expected: 0, actual: 0, ok: true },
      { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.13:80', expected: 0, actual: null, ok: false },
    ]);
  });

  it('ok when every director that acted verified; partial; failed when none did', () => {
    const r = (director: string, status: 'ok' | 'failed' | 'skipped') => ({ director, status, error: null, verified: [], durationMs: 0 });
    expect(outcomeOf([r('a', 'ok'), r('b', 'skipped')])).toBe('ok');
    expect(outcomeOf([r('a', 'ok'), r('b', 'failed')])).toBe('partial');
    expect(outcomeOf([r('a', 'failed'), r('b', 'skipped')])).toBe('failed');
  });
});
