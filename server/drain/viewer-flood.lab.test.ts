import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrainProgress } from '@/lib/models/drain';
import { labSsh, restoreLab, startLabRuntime, waitFor, type LabRuntime } from '@/server/testing/lab-runtime';
import type { Collector } from '@/server/collector/collector';
import type { HaproxyService } from '@/server/haproxy/service';
import type { ActingAs, DrainService } from './drain-service';
import type { DrainProgressTracker } from './progress';

// Issue 14 #4: viewers must not be able to take a director's SSH channels. While an operator's drain
// runs, 30 viewers poll the drain progress with connections=1 (ipvsadm -Lnc), 30 more long-poll it
// (wait=1), and 30 open the HAProxy view (show stat), all at once, on the real lab over one SSH pool
// as the collector refreshes. The drain and the refreshes succeed; the viewers' reads are shared
// (counted at the SSH layer: every exec channel the pool opens).

const WEB = 'TCP 192.0.2.100:80';
const RS = '192.0.2.11:80';
const WHO: ActingAs = { name: 'lab-test', role: 'operator', source: 'vitest' };

let lab: LabRuntime;
let collector: Collector;
let drain: DrainService;
let tracker: DrainProgressTracker;
let haproxy: HaproxyService;
const channels: Array<{ director: string; argv: string }> = [];

beforeAll(async () => {
  // The console's runtime on the lab (one SSH pool for the collector, the drain, its progress and
  // HAProxy), every exec channel that pool opens counted. Command limits far above what the
  // emulated lab needs: a loaded machine slows it down, and speed belongs to the bench.
  lab = startLabRuntime({ commandTimeoutMs: 120_000 });
  ({ collector, haproxy } = lab.runtime);
  ({ service: drain, progress: tracker } = lab.runtime.drain);
  lab.runtime.onChannel((d, command) => channels.push({ director: d.name, argv: command.argv.join(' ') }));
  await lab.ready();
}, 300_000);

afterAll(async () => {
  // Leave the lab as found: the drain restored (weight 100 on both directors, the intent ended).
  await restoreLab([
    ['restore rs1:80', async () => {
      const r = await drain.restore('lab', { target: RS, service: WEB, reason: 'lab test clean-up' }, WHO);
      if (r.outcome !== 'ok') throw new Error(r.message);
    }],
    ['close the runtime', () => lab.close()],
    ...(['dir1', 'dir2'] as const).map((d) => [`${d}: ${RS} back to weight 100`, () => labSsh(d, `ipvsadm -e -t 192.0.2.100:80 -r ${RS} -g -w 100`)] as const),
  ]);
}, 120_000);

describe('viewers cannot exhaust the SSH channels (lab)', () => {
  it('30 progress polls with -Lnc, 30 long-polls and 30 HAProxy views during a drain: the drain and the refreshes succeed, the reads are shared', async () => {
    const stats0 = collector.stats();
    channels.length = 0;

    const drained = drain.drain('lab', { target: RS, service: WEB, reason: 'lab test: viewer flood' }, WHO);
    const polls = Array.from({ length: 30 }, () => tracker.progress('lab', RS, WEB, true));
    const longPolls = Array.from({ length: 30 }, () => tracker.wait('lab', { target: RS, service: WEB, timeoutSeconds: 120 }));
    const views = Array.from({ length: 30 }, () => haproxy.read('lab'));
    const refreshed = collector.refreshNow('lab');
    const [result, progress, waited, seen, snapshot] = await Promise.all([drained, Promise.all(polls), Promise.all(longPolls), Promise.all(views), refreshed]);

    // The operator's drain: applied and verified on both directors.
    expect(result.outcome, result.message).toBe('ok');
    expect(result.directors.map((d) => [d.director, d.status])).toEqual([
      ['dir1', 'ok'],
      ['dir2', 'ok'],
    ]);
    // The collector's refresh made during the flood saw both directors.
    expect(snapshot?.directors.map((d) => [d.name, d.live])).toEqual([
      ['dir1', true],
      ['dir2', true],
    ]);
    // Every viewer got an answer: -Lnc read on the VIP holder, both HAProxy instances read.
    const lnc = (p: DrainProgress) => p.connections.map((c) => [c.director, c.error]);
    expect(progress.map(lnc)).toEqual(progress.map(() => [['dir1', null]]));
    expect(waited.every((w) => w.state === 'drained' || w.state === 'serving' || w.timedOut)).toBe(true);
    expect(seen.flatMap((v) => v.instances.map((i) => i.error))).toEqual(seen.flatMap(() => [null, null]));

    // Shared: one -Lnc exec per distinct answer, far fewer than the 30 (+30 long-polls) that asked;
    // one show stat per instance for the 30 HAProxy views.
    const lncExecs = channels.filter((c) => c.argv === 'ipvsadm -Ln -c');
    const lncAnswers = new Set([...progress, ...waited].flatMap((p) => p.connections.map((c) => `${c.director}@${c.takenAt}`)));
    const showStat = channels.filter((c) => c.argv.includes('haproxy'));
    console.info(`[viewer-flood] exec channels during the flood: ${channels.length} (-Lnc ${lncExecs.length}, HAProxy ${showStat.length}); -Lnc answers ${lncAnswers.size}`);
    expect(lncExecs.length).toBe(lncAnswers.size);
    expect(lncExecs.length).toBeLessThanOrEqual(2);
    expect(showStat.map((c) => c.director).sort()).toEqual(['dir1', 'dir2']);

    // The collector kept refreshing both directors, without errors.
    await waitFor(
      'a further refresh of both directors',
      () => Promise.resolve(collector.stats().every((s) => s.successes > (stats0.find((x) => x.director === s.director)?.successes ?? 0))),
      60_000,
    );
    expect(collector.stats().map((s) => [s.director, s.errors, s.error])).toEqual(stats0.map((s) => [s.director, s.errors, null]));
  }, 300_000);
});
