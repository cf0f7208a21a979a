// The lab's control verbs and a root shell on its nodes, for lab tests and the Playwright specs
// alike (no module of the console here: e2e/ imports it as it is).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '..', '..');

/** `lab/ctl ARGS…`; resolves with stdout, rejects with stderr on failure. */
export async function ctl(...args: string[]): Promise<string> {
  const t0 = Date.now();
  try {
    const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ctl'), ...args], { timeout: 120_000 });
    return stdout;
  } catch (e) {
    // What the verb printed says what failed (e.g. `traffic`: "(failed) 4"): keep it in the error.
    const out = (e as { stdout?: string }).stdout?.trim();
    if (e instanceof Error && out) e.message += `
stdout: ${out.slice(0, 2000)}`;
    throw e;
  } finally {
    // Where a spec's time goes (CI time, issue 15): LVS_CTL_TIMES=1 prints each verb's wall time.
    if (process.env.LVS_CTL_TIMES === '1') console.error(`lab/ctl ${args.join(' ')}: ${Date.now() - t0} ms`);
  }
}

/** A command on a lab node as root, through the lab's own ssh config (test set-up only). */
export async function labSsh(node: 'vm' | 'dir1' | 'dir2', command: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), node, command], { timeout: 60_000 });
  return stdout;
}

/**
 * Which MariaDB server answered each of N new connections through the VIP's HAProxy
 * (`lab/ctl traffic --mysql`: every answer is the database's own "rsN:server_id=M"), as
 * { rs1: n, …, failed: n }. A `traffic` exit of 1 (no connection answered) is a tally too.
 */
export async function mysqlTraffic(n: number): Promise<Record<string, number>> {
  const out = await run('bash', [path.join(ROOT, 'lab', 'ctl'), 'traffic', '--mysql', '--count', String(n)], { timeout: 120_000 }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  const tally: Record<string, number> = {};
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [answer = '', count = '0'] = line.split(' ');
    const m = /^(rs\d+):server_id=(\d+)$/.exec(answer);
    if (m && Number(m[2]) !== 10 + Number(m[1]?.slice(2))) throw new Error(`traffic --mysql: ${answer} has the wrong server_id`);
    const key = m ? (m[1] ?? answer) : 'failed';
    tally[key] = (tally[key] ?? 0) + Number(count);
  }
  return tally;
}
