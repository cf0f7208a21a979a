import 'server-only';
import type { DirectorResult, VerifiedWeight } from '@/lib/models/drain';
import { canonicalIP, formatEndpoint } from '@/lib/address';
import type { DirectorConfig } from '@/server/config/schema';
import { describeRefreshError } from '@/server/collector/describe-error';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { exec, execSequence, type StepResult } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { directorCommands, type DirectorSteps } from './plan';

// Runs planned steps on directors: per director ONE execSequence (every `ipvsadm -e`, then a
// `ipvsadm -Ln --exact` re-read of each touched service), plus, for track-file holds, the `tee`
// of the track file in parallel (it reads stdin, so it cannot join the sequence). Every director
// runs in parallel; one failing never stops the others.

export interface ApplyDeps {
  pool: SshPool;
  timeoutMs?: number;
  now?: () => number;
}

/** A sequence's limit: the command limit for up to 4 commands, once more for each 4 after. */
export function sequenceTimeoutMs(commandTimeoutMs: number, commands: number): number {
  return commandTimeoutMs * Math.max(1, Math.ceil(commands / 4));
}

/** Weights of the expected real servers in one re-read listing (pure). */
export function readBack(stdout: string, expect: readonly { realServer: string; weight: number }[], service: string): VerifiedWeight[] {
  const table = parseIpvsadm(stdout, { mode: 'list' });
  const rss = table.services[0]?.realServers ?? [];
  return expect.map((e) => {
    const rs = rss.find((r) => formatEndpoint(canonicalIP(r.address), r.port) === e.realServer);
    const actual = rs?.weight ?? null;
    return { service, realServer: e.realServer, expected: e.weight, actual, ok: actual === e.weight };
  });
}

export async function applyOnDirector(director: DirectorConfig, s: DirectorSteps, deps: ApplyDeps): Promise<DirectorResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  if (s.edits.length === 0 && s.tracks.length === 0) {
    return { director: s.director, status: 'skipped', error: null, verified: [], durationMs: 0 };
  }
  const { tracks, sequence } = directorCommands(s);
  const opts = { pool: deps.pool, ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }) };
  try {
    const [trackResults, seq] = await Promise.all([
      Promise.allSettled(tracks.map((c) => exec(director, c, opts))),
      // One round trip runs the whole sequence (a host's drain: an edit and a check per service),
      // so its limit grows with its length: on a slow director each sudo'd command takes its time.
      execSequence(director, sequence, { ...opts, timeoutMs: deps.timeoutMs ?? sequenceTimeoutMs(deps.pool.tuning.commandTimeoutMs, sequence.length) }),
    ]);
    const errors: string[] = [];
    let code: string | null = null;
    for (const t of trackResults) {
      if (t.status === 'rejected') {
        const d = describeRefreshError(t.reason);
        code ??= d.code;
        errors.push(d.message);
      }
    }
    const editSteps = seq.steps.slice(0, s.edits.length);
    const listSteps = seq.steps.slice(s.edits.length);
    editSteps.forEach((st: StepResult) => {
      if (st.error) {
        code ??= st.error.code;
        errors.push(st.error.message);
      }
    });
    const verified: VerifiedWeight[] = [];
    s.verify.forEach((v, i) => {
      const st = listSteps[i];
      if (!st || st.error) {
        if (st?.error) {
          code ??= st.error.code;
          errors.push(st.error.message);
        }
        for (const e of v.expect) verified.push({ service: v.service, realServer: e.realServer, expected: e.weight, actual: null, ok: false });
        return;
      }
      try {
        verified.push(...readBack(st.stdout, v.expect, v.service));
      } catch (e) {
        code ??= 'parse-error';
        errors.push(`re-reading ${v.service}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    const wrong = verified.filter((v) => !v.ok);
    if (wrong.length > 0 && errors.length === 0) {
      code = 'not-verified';
      errors.push(
        `re-read shows ${wrong.map((w) => `${w.realServer} in ${w.service} at ${w.actual === null ? 'absent' : `weight ${w.actual}`} (expected ${w.expected})`).join('; ')}`,
      );
    }
    const ok = errors.length === 0;
    return {
      director: s.director,
      status: ok ? 'ok' : 'failed',
      error: ok ? null : { code: code ?? 'failed', message: errors.join('; ') },
      verified,
      durationMs: now() - started,
    };
  } catch (e) {
    const d = describeRefreshError(e);
    return { director: s.director, status: 'failed', error: d, verified: [], durationMs: now() - started };
  }
}

/** Apply on every director in parallel. */
export async function applyPlanSteps(directors: readonly DirectorConfig[], steps: readonly DirectorSteps[], deps: ApplyDeps): Promise<DirectorResult[]> {
  return Promise.all(
    steps.map(async (s) => {
      const d = directors.find((x) => x.name === s.director);
      if (!d) return { director: s.director, status: 'failed' as const, error: { code: 'not-configured', message: `director ${s.director} is not configured` }, verified: [], durationMs: 0 };
      return applyOnDirector(d, s, deps);
    }),
  );
}

/** ok when every director that had something to do verified; failed when none did; partial otherwise. */
export function outcomeOf(results: readonly DirectorResult[]): 'ok' | 'partial' | 'failed' {
  const acted = results.filter((r) => r.status !== 'skipped');
  if (acted.every((r) => r.status === 'ok')) return 'ok';
  if (acted.every((r) => r.status === 'failed')) return 'failed';
  return 'partial';
}
