// E2E helpers: the lab's control verbs and a plain ssh to a director, as an operator would.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

export async function ctl(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'lab', 'ctl'), ...args], { timeout: 120_000 });
  return stdout;
}

/** The console's own view, straight from its API (used to read poll interval and refresh times). */
export interface DirectorTiming {
  name: string;
  refreshMs: number | null;
  live: boolean;
}
