import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IpvsService } from '@/lib/models/ipvsadm';
import { serviceKey } from '@/lib/models/keys';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { mergeListModes, parseListings } from './parse-listings';
import { continueFrom } from './rates';

/** The refresh with the default listing read: rates only. */
const deriveRates = (previous: Parameters<typeof continueFrom>[0], takenAt: number, services: IpvsService[]) => continueFrom(previous, takenAt, services, { carry: false, rates: true }).services;
/** The refresh with --rate read: forwarding methods carried over from `previous` only. */
const carryForward = (services: IpvsService[], previous: IpvsService[]) => continueFrom({ takenAt: 0, services: previous }, 0, services, { carry: true, rates: false });

// The refresh's listings on captures from the lab (dir1): two read every time (--persistent-conn,
// --stats), the default listing and --rate only sometimes; the forwarding method carried over and
// rates derived from successive counters in between.

const FIX = path.join(__dirname, '..', 'parsers', 'fixtures', 'ipvsadm');
const read = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const PERSISTENT = read('lab-dir1-Ln--persistent-conn.txt');
const STATS = read('lab-dir1-Ln--stats--exact.txt');
const LIST = read('lab-dir1-Ln--exact.txt');
const RATE = read('lab-dir1-Ln--rate--exact.txt');

const web = (services: readonly IpvsService[]) => services.find((s) => serviceKey(s) === 'TCP 192.0.2.100:80');

describe('parseListings', () => {
  it('every refresh: weights and connections from --persistent-conn, counters from --stats; no forwarding method or rates without their listings', () => {
    const t = parseListings({ persistent: PERSISTENT, stats: STATS });
    const s = web(t.services);
    expect(s?.realServers.map((r) => [r.address, r.port, r.weight, r.forward, r.rates])).toEqual([
      ['192.0.2.11', 80, 100, null, null],
      ['192.0.2.12', 80, 100, null, null],
    ]);
    expect(s?.realServers.every((r) => r.stats !== null && r.persistentConns !== null && r.activeConns !== null)).toBe(true);
    expect(s?.stats).not.toBeNull();
  });

  it('with the default listing and --rate: the same table as reading all four', () => {
    const t = parseListings({ persistent: PERSISTENT, stats: STATS, list: LIST, rate: RATE });
    const s = web(t.services);
    expect(s?.realServers.map((r) => r.forward)).toEqual(['Route', 'Route']);
    expect(s?.realServers.every((r) => r.rates !== null)).toBe(true);
    expect(t.services.length).toBeGreaterThan(5);
    expect(t.services.every((x) => x.realServers.every((r) => r.forward !== null))).toBe(true);
  });
});

describe('mergeListModes', () => {
  it('matches services and real servers by key when the listings are not in the same order (a change between the two reads)', () => {
    const persistent = parseIpvsadm(PERSISTENT, { mode: 'persistent-conn' });
    const stats = parseIpvsadm(STATS, { mode: 'stats' });
    const list = parseIpvsadm(LIST, { mode: 'list' });
    const rate = parseIpvsadm(RATE, { mode: 'rate' });
    const inOrder = mergeListModes(persistent, stats, list, rate);
    const reverse = (t: typeof stats) => ({ ...t, services: [...t.services].reverse().map((s) => ({ ...s, realServers: [...s.realServers].reverse() })) });
    expect(mergeListModes(persistent, reverse(stats), reverse(list), reverse(rate))).toEqual(inOrder);
    expect(inOrder.services.every((s) => s.stats !== null && s.realServers.every((r) => r.stats !== null && r.rates !== null && r.forward !== null))).toBe(true);
    // A real server the counters listing does not have (added between the reads): no counters, not another's.
    const first = stats.services[0]!;
    const fewer = { ...stats, services: [{ ...first, realServers: first.realServers.slice(1) }, ...stats.services.slice(1)] };
    const merged = mergeListModes(persistent, fewer, null, null);
    const gone = first.realServers[0]!;
    const svc = merged.services.find((s) => s.protocol === first.protocol && s.address === first.address && s.port === first.port && s.fwmark === first.fwmark);
    expect(svc?.realServers.find((r) => r.address === gone.address && r.port === gone.port)?.stats).toBeNull();
    expect(svc?.realServers.filter((r) => r.stats !== null)).toHaveLength(first.realServers.length - 1);
  });
});

describe('carryForward', () => {
  it('fills each real server\'s forwarding method from the last default listing, and says when one is unknown', () => {
    const full = parseListings({ persistent: PERSISTENT, stats: STATS, list: LIST });
    const known = full.services;
    const next = parseListings({ persistent: PERSISTENT, stats: STATS });
    const carried = carryForward(next.services, known);
    expect(carried.missing).toBe(false);
    expect(carried.services.map((s) => s.realServers.map((r) => r.forward))).toEqual(full.services.map((s) => s.realServers.map((r) => r.forward)));
    // A real server that appeared since: missing (the refresh reads the default listing at once).
    const withNew = next.services.map((s, i) => (i === 0 ? { ...s, realServers: [...s.realServers, { ...s.realServers[0]!, address: '192.0.2.99' }] } : s));
    expect(carryForward(withNew, known).missing).toBe(true);
  });
});

describe('deriveRates', () => {
  const at = (conns: number, bytes: number): IpvsService[] => {
    const t = parseListings({ persistent: PERSISTENT, stats: STATS });
    return t.services.map((s) => ({
      ...s,
      stats: s.stats && { ...s.stats, conns, inBytes: bytes },
      realServers: s.realServers.map((r) => ({ ...r, stats: r.stats && { ...r.stats, conns: conns / 2, inBytes: bytes / 2 } })),
    }));
  };

  it('(counter now - counter then) / seconds, for services and real servers', () => {
    const then = at(1000, 1_000_000);
    const now = at(1040, 1_200_000);
    const out = deriveRates({ takenAt: 10_000, services: then }, 12_000, now);
    const s = web(out);
    expect(s?.rates).toMatchObject({ cps: 20, inBps: 100_000 });
    expect(s?.realServers[0]?.rates).toMatchObject({ cps: 10, inBps: 50_000 });
  });

  it('no rate without an earlier reading, too close to it, or when a counter went down (re-created, zeroed)', () => {
    const now = at(1040, 1_200_000);
    expect(web(deriveRates(null, 12_000, now))?.rates).toBeNull();
    expect(web(deriveRates({ takenAt: 11_950, services: at(1000, 1_000_000) }, 12_000, now))?.rates).toBeNull();
    expect(web(deriveRates({ takenAt: 10_000, services: at(5000, 1_000_000) }, 12_000, now))?.rates).toBeNull();
  });
});

describe('continueFrom (what a refresh does: carry-over and rates in one pass)', () => {
  const at = (conns: number, bytes: number, list: boolean): IpvsService[] =>
    parseListings({ persistent: PERSISTENT, stats: STATS, ...(list ? { list: LIST } : {}) }).services.map((s) => ({
      ...s,
      stats: s.stats && { ...s.stats, conns, inBytes: bytes },
      realServers: s.realServers.map((r) => ({ ...r, stats: r.stats && { ...r.stats, conns: conns / 2, inBytes: bytes / 2 } })),
    }));
  const reverse = (ss: IpvsService[]) => [...ss].reverse().map((s) => ({ ...s, realServers: [...s.realServers].reverse() }));

  it('gives what carryForward then deriveRates give, whether or not the previous reading is in the same order', () => {
    const prev = { takenAt: 10_000, services: at(1000, 1_000_000, true) };
    const now = at(1040, 1_200_000, false);
    const twoPasses = deriveRates(prev, 12_000, carryForward(now, prev.services).services);
    const one = continueFrom(prev, 12_000, now, { carry: true, rates: true });
    expect(one.missing).toBe(false);
    expect(one.services).toEqual(twoPasses);
    expect(continueFrom({ ...prev, services: reverse(prev.services) }, 12_000, now, { carry: true, rates: true }).services).toEqual(twoPasses);
    expect(web(one.services)?.rates).toMatchObject({ cps: 20, inBps: 100_000 });
    expect(web(one.services)?.realServers.map((r) => r.forward)).toEqual(['Route', 'Route']);
  });

  it('says a real server with no known forwarding method is missing; leaves what it was not asked to touch', () => {
    const prev = { takenAt: 10_000, services: at(1000, 1_000_000, true) };
    const now = at(1040, 1_200_000, false);
    const added = now.map((s, i) => (i === 0 ? { ...s, realServers: [...s.realServers, { ...s.realServers[0]!, address: '192.0.2.99' }] } : s));
    expect(continueFrom(prev, 12_000, added, { carry: true, rates: true }).missing).toBe(true);
    // Rates only (the default listing was read): forwarding methods as they are; carry only: rates as they are.
    const ratesOnly = continueFrom(prev, 12_000, now, { carry: false, rates: true }).services;
    expect(web(ratesOnly)?.realServers.map((r) => r.forward)).toEqual([null, null]);
    const withKernelRates = now.map((s) => ({ ...s, rates: { cps: 7, inPps: 0, outPps: 0, inBps: 0, outBps: 0 } }));
    expect(web(continueFrom(prev, 12_000, withKernelRates, { carry: true, rates: false }).services)?.rates?.cps).toBe(7);
    // No earlier reading: no rates, every method missing.
    const first = continueFrom(null, 12_000, now, { carry: true, rates: true });
    expect(first.missing).toBe(true);
    expect(web(first.services)?.rates).toBeNull();
  });
});
