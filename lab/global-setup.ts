// vitest / playwright global setup: make sure the lab VM is up (idempotent; builds the image on the
// first run). It is deliberately NOT torn down here: the CI script runs lab/down.sh at the end, so
// the VM boots once per run however many suites use it.
import { spawn } from 'node:child_process';
import path from 'node:path';

const labDir = path.dirname(new URL(import.meta.url).pathname);

export default async function setup(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [path.join(labDir, 'up.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`lab/up.sh failed (${signal ?? `exit ${code}`})`)),
    );
  });
}
