import { describe, expect, it } from 'vitest';
import { ChannelSlots, lowPriorityChannelCap } from './connection';
import { SharedReads } from './shared-reads';

// Pure: the single flight + short reuse of viewers' reads, and the channel reserve of one
// connection. The same reserve over a real sshd is in ssh.test.ts ("channel reserve").

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedReads', () => {
  it('runs one load per key however many ask at once, and answers a recent result again', async () => {
    let clock = 1000;
    const reads = new SharedReads<string>(5000, () => clock);
    const gate = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return gate.promise;
    };
    const answers = Promise.all(Array.from({ length: 30 }, () => reads.get('lab|dir1|192.0.2.11:80', load)));
    const other = reads.get('lab|dir2|192.0.2.11:80', () => Promise.resolve('dir2'));
    gate.resolve('dir1 -Lnc');
    expect(await answers).toEqual(Array.from({ length: 30 }, () => 'dir1 -Lnc'));
    expect(await other).toBe('dir2');
    expect(loads).toBe(1);
    // Within the reuse window: the same answer, no load.
    clock += 4999;
    expect(await reads.get('lab|dir1|192.0.2.11:80', () => Promise.resolve('new'))).toBe('dir1 -Lnc');
    // After it: a new load.
    clock += 1;
    expect(await reads.get('lab|dir1|192.0.2.11:80', () => Promise.resolve('new'))).toBe('new');
    expect(reads.stats()).toEqual({ loads: 3, shared: 30 });
  });

  it('a failed load is shared by those waiting on it but not remembered', async () => {
    const reads = new SharedReads<string>(5000);
    const gate = deferred<string>();
    const both = Promise.allSettled([reads.get('k', () => gate.promise), reads.get('k', () => Promise.resolve('unused'))]);
    gate.reject(new Error('director unreachable'));
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await reads.get('k', () => Promise.resolve('retried'))).toBe('retried');
  });

  it('invalidate: a read in flight is neither joined nor remembered, recent results are dropped', async () => {
    const reads = new SharedReads<string>(60_000);
    expect(await reads.get('lab', () => Promise.resolve('before'))).toBe('before');
    reads.invalidate((k) => k === 'lab');
    const gate = deferred<string>();
    const inFlight = reads.get('lab', () => gate.promise);
    reads.invalidate((k) => k === 'lab'); // e.g. an operator's drain finished meanwhile
    const after = reads.get('lab', () => Promise.resolve('after the change'));
    gate.resolve('started before the change');
    expect(await inFlight).toBe('started before the change');
    expect(await after).toBe('after the change');
    expect(await reads.get('lab', () => Promise.resolve('unused'))).toBe('after the change');
  });
});

describe('ChannelSlots: a reserve that low-priority (viewer) commands cannot take', () => {
  const never = () => new Error('timed out');
  const far = () => Date.now() + 60_000;

  it('low-priority holders get at most max-2 channels; normal commands still get the rest at once', async () => {
    expect([1, 2, 3, 6].map(lowPriorityChannelCap)).toEqual([1, 1, 1, 4]);
    const slots = new ChannelSlots(6);
    const low = Array.from({ length: 30 }, () => slots.acquire(far(), never, 'low'));
    await Promise.resolve();
    expect([slots.inUse, slots.inUseLow, slots.queued]).toEqual([4, 4, 26]);
    // The collector's refresh and an operator's drain: granted immediately.
    const refresh = await slots.acquire(far(), never);
    const drain = await slots.acquire(far(), never);
    expect([slots.inUse, slots.inUseLow]).toEqual([6, 4]);
    // A normal command arriving while everything is busy is served before the 26 low waiters.
    const next = slots.acquire(far(), never);
    const firstLow = await low[0];
    firstLow?.();
    expect([slots.inUse, slots.inUseLow, slots.queued]).toEqual([6, 3, 26]);
    (await next)();
    expect([slots.inUse, slots.inUseLow, slots.queued]).toEqual([6, 4, 25]);
    refresh();
    drain();
    expect([slots.inUse, slots.inUseLow]).toEqual([4, 4]);
    // The low waiters then proceed, never more than 4 at once.
    let maxLow = slots.inUseLow;
    for (const p of low.slice(1)) {
      const release = await p;
      maxLow = Math.max(maxLow, slots.inUseLow);
      release();
    }
    expect(maxLow).toBe(4);
    expect([slots.inUse, slots.inUseLow, slots.queued]).toEqual([0, 0, 0]);
  });

  it('a waiter whose deadline passes is dropped with the caller\'s error', async () => {
    const slots = new ChannelSlots(1);
    const held = await slots.acquire(far(), never);
    await expect(slots.acquire(Date.now(), () => new Error('waited for a free channel'), 'low')).rejects.toThrow('waited for a free channel');
    expect(slots.queued).toBe(0);
    held();
    expect(slots.inUse).toBe(0);
  });
});
