// vitest global setup of the `store-pg` project: a throwaway PostgreSQL server (Debian's, started
// by bin/test-postgres.sh on a Unix socket in a temporary directory), its URL provided to the
// tests, stopped and removed afterwards.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const script = path.resolve(__dirname, '../../bin/test-postgres.sh');

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-pg-'));
  const url = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8' }).trim();
  project.provide('pgUrl', url);
  return () => {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
