import type { IpvsRates, IpvsService, IpvsStats } from '@/lib/models/ipvsadm';
import { Counterpart } from './counterpart';

// Pure: per-second rates from two successive `ipvsadm -Ln --stats` readings of one director, so a
// refresh need not also read `--rate`. (counter now - counter then) / seconds between the two
// readings: the mean over the last poll interval. The kernel's own rates (`--rate`) are a 2-second
// estimator smoothed with a 1/4-weight moving average (ip_vs_est.c), so they lag a change by a few
// seconds where these do not; on steady traffic the two agree (server/collector/rates.lab.test.ts
// measures it on the lab). A counter that went down (the service or real server was deleted and
// added again, or the counters were zeroed) gives no rate for that reading.

/** Readings closer together than this give no rate (too noisy). */
export const MIN_RATE_INTERVAL_MS = 200;

function rate(now: IpvsStats | null, then: IpvsStats | null | undefined, seconds: number): IpvsRates | null {
  if (now === null || !then) return null;
  const d = (a: number, b: number) => a - b;
  const deltas = [d(now.conns, then.conns), d(now.inPkts, then.inPkts), d(now.outPkts, then.outPkts), d(now.inBytes, then.inBytes), d(now.outBytes, then.outBytes)];
  if (deltas.some((x) => x < 0)) return null;
  const per = (x: number) => Math.round((x / seconds) * 100) / 100;
  const [cps, inPps, outPps, inBps, outBps] = deltas.map(per) as [number, number, number, number, number];
  return { cps, inPps, outPps, inBps, outBps };
}

/**
 * One pass over a reading against the previous one: forwarding methods carried over (`carry`: the
 * default listing was not read; `missing` when a real server has none known) and rates derived
 * (`rates`: --rate was not read). Services and real servers are matched by position first
 * (Counterpart), so a table that did not change is copied once, with no keys built; `inPlace`:
 * `services` was just parsed and is not shared, so it is filled in rather than copied.
 */
export function continueFrom(
  previous: { takenAt: number; services: readonly IpvsService[] } | null,
  takenAt: number,
  services: readonly IpvsService[],
  opts: { carry: boolean; rates: boolean; inPlace?: boolean },
): { services: IpvsService[]; missing: boolean } {
  const dt = previous === null ? 0 : takenAt - previous.takenAt;
  const derive = opts.rates && previous !== null && dt >= MIN_RATE_INTERVAL_MS;
  const seconds = dt / 1000;
  const before = new Counterpart(previous?.services ?? null);
  let missing = false;
  const inPlace = opts.inPlace === true;
  const out = services.map((s, i) => {
    const then = before.service(i, s);
    const svc = inPlace ? s : { ...s };
    if (opts.rates) svc.rates = derive ? rate(s.stats, then?.stats, seconds) : null;
    svc.realServers = s.realServers.map((r, j) => {
      const p = before.realServer(then, j, r);
      const x = inPlace ? r : { ...r };
      if (opts.carry && r.forward === null) {
        x.forward = p?.forward ?? null;
        if (x.forward === null) missing = true;
      }
      if (opts.rates) x.rates = derive ? rate(r.stats, p?.stats, seconds) : null;
      return x;
    });
    return svc;
  });
  return { services: out, missing };
}
