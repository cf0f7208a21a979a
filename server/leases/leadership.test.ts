import { describe, expect, it } from 'vitest';
import { testBackend, testDbPair } from '@/server/testing/test-db';
import { Leadership, STORE_LEASE } from './leadership';

// Several consoles on one store (#16), on whichever backend the project runs: each name led by at
// most one console, spread over the live ones, taken over when its holder stops, shared again
// when it comes back, and dropped at once when the store cannot be reached.

const CLUSTERS = ['lab', 'other', 'third'];
const NAMES = [...CLUSTERS, STORE_LEASE];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function consoles(ttlMs: number) {
  const [dbA, dbB] = testDbPair();
  const acquired: string[] = [];
  const a = new Leadership({ db: dbA, clusters: CLUSTERS, ttlMs, intervalMs: ttlMs / 4, onAcquire: (n) => acquired.push(`A ${n}`) });
  const b = new Leadership({ db: dbB, clusters: CLUSTERS, ttlMs, intervalMs: ttlMs / 4, onAcquire: (n) => acquired.push(`B ${n}`) });
  const led = (l: Leadership) => NAMES.filter((n) => l.leads(n));
  return { a, b, dbA, acquired, led };
}

describe(`leadership over the ${testBackend} store`, () => {
  it('one console leads every cluster and the store; a second one gets its share; no name has two leaders', () => {
    const { a, b, acquired, led } = consoles(60_000);
    a.tick();
    expect(led(a)).toEqual(NAMES);
    b.tick(); // A holds everything, within a lease: B waits for A to give back
    expect(led(b)).toEqual([]);
    a.tick(); // A holds 4 > its fair share of 2: gives back the one it took last
    b.tick();
    a.tick();
    b.tick();
    expect(led(a)).toHaveLength(2);
    expect(led(b)).toHaveLength(2);
    expect(NAMES.filter((n) => a.leads(n) && b.leads(n))).toEqual([]);
    expect(acquired.filter((x) => x.startsWith('B'))).toHaveLength(2);
    const v = b.view();
    expect(v.consoles.map((c) => [c.live, c.leads.length])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(v.consoles.filter((c) => c.self).map((c) => c.id)).toEqual([b.me.id]);
    expect(v.leases.every((l) => l.expiresInMs > 0 && l.ageMs >= 0)).toBe(true);
  });

  it('when the leader stops, the other takes everything within a lease; when it comes back they share again', async () => {
    const ttl = 800;
    const { a, b, led } = consoles(ttl);
    a.tick();
    b.tick();
    expect(led(a)).toEqual(NAMES);
    // A stops (killed: no ticks, nothing given back). Its own view lapses before the lease does.
    await sleep(ttl);
    expect(led(a)).toEqual([]);
    b.tick();
    expect(led(b)).toEqual(NAMES);
    // A comes back: B gives back one name a tick until they are even.
    for (let i = 0; i < 4; i++) {
      a.tick();
      b.tick();
    }
    expect(led(a)).toHaveLength(2);
    expect(led(b)).toHaveLength(2);
  });

  it('a clean stop gives everything back at once', () => {
    const { a, b, led } = consoles(60_000);
    a.tick();
    b.tick();
    a.close();
    b.tick();
    expect(led(b)).toEqual(NAMES);
    expect(b.view().consoles.map((c) => c.self)).toEqual([true]);
  });

  it('a console that cannot reach the store stops leading at once', () => {
    const { a, dbA, led } = consoles(60_000);
    a.tick();
    expect(led(a)).toEqual(NAMES);
    dbA.close();
    a.tick();
    expect(led(a)).toEqual([]);
    expect(a.view()).toMatchObject({ storeReachable: false, storeError: expect.any(String) as unknown });
  });
});
