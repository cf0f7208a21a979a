// Helpers for *.lab.test.ts: the lab's generated console configuration and its ctl verbs.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfigText } from '@/server/config/load';
import type { ConsoleConfig } from '@/server/config/schema';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '..', '..');

export function labConfig(): ConsoleConfig {
  const file = path.join(ROOT, 'lab', '.state', 'console.yaml');
  return parseConfigText(fs.readFileSync(file, 'utf8'), file);
}

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

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
