import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctl, labRefresher, labSsh, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';

// Rates derived from successive `ipvsadm --stats` counters (what a refresh shows after its first)
// against the kernel's own `--rate` estimator, on the lab's web service under steady traffic.
// Tolerance: the two per-second connection rates within 40 % of the kernel's, or 3 connections a
// second, whichever is larger (the kernel's is a 2-second estimate smoothed over about four of
// them, ours the mean over the interval since the last refresh; steady traffic makes them agree).

const WEB = 'TCP 192.0.2.100:80';

let lab: LabRefresher;

/** The kernel's CPS for the web service on dir1 (the VIP holder at rest). */
async function kernelCps(): Promise<number> {
  const out = await labSsh('dir1', 'ipvsadm -Ln --rate --exact -t 192.0.2.100:80');
  const line = out.split('\n').find((l) => l.startsWith('TCP'));
  return Number(line?.trim().split(/\s+/)[2]);
}

beforeAll(() => {
  lab = labRefresher();
});

afterAll(async () => {
  await lab.close();
});

describe('derived rates (lab)', () => {
  it('the connection rate derived from counters agrees with the kernel estimator under steady traffic', async () => {
    const first = await lab.refreshAll();
    // The first refresh has no earlier counters: it shows the kernel's rates.
    expect(first.services.find((s) => s.key === WEB)?.rates).not.toBeNull();

    const traffic = ctl('traffic', '--count', '1500');
    try {
      // The kernel's estimator needs a few 2-second rounds of steady traffic to settle.
      let last = -1;
      await waitFor('the kernel rate settled (two readings 2 s apart within 20 %)', async () => {
        const k = await kernelCps();
        const settled = k > 0 && last > 0 && Math.abs(k - last) <= 0.2 * Math.max(k, last);
        last = k;
        return settled ? k : null;
      }, 90_000, 2000);

      const pairs: { derived: number; kernel: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const s = await lab.refreshAll();
        const derived = s.services.find((x) => x.key === WEB)?.rates?.cps;
        const kernel = await kernelCps();
        if (derived !== undefined) pairs.push({ derived, kernel });
      }
      expect(pairs.length).toBe(5);
      const off = pairs.map((p) => Math.abs(p.derived - p.kernel) - Math.max(3, 0.4 * p.kernel));
      // Most readings within the tolerance (one refresh may straddle a pause in the client's loop).
      expect(off.filter((x) => x <= 0).length, JSON.stringify(pairs)).toBeGreaterThanOrEqual(4);
      expect(pairs.every((p) => p.derived > 0), JSON.stringify(pairs)).toBe(true);
    } finally {
      await traffic.catch(() => undefined);
    }
  });
});
