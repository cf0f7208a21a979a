// The lab's control verbs and a root shell on its nodes, for lab tests and the Playwright specs
// alike (no module of the console here: e2e/ imports it as it is).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '..', '..');

/** `lab/ctl ARGS…`; resolves with stdout, rejects with stderr on failure. */
export async function ctl(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ctl'), ...args], { timeout: 120_000 });
  return stdout;
}

/** A command on a lab node as root, through the lab's own ssh config (test set-up only). */
export async function labSsh(node: 'vm' | 'dir1' | 'dir2', command: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ssh.sh'), node, command], { timeout: 60_000 });
  return stdout;
}
