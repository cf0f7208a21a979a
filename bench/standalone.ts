// Shared by bench/run.ts and each bench module's standalone mode (`npx tsx bench/X.bench.ts [workDir]`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchRow } from './types';

/** Debian's Chromium, the browser of the benches that load pages, and its flags. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Nearest-rank percentile (NaN for no samples). */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** Whether the lab VM answers (lab/status.sh exits 0). */
export function isLabUp(root: string): boolean {
  try {
    execFileSync('bash', [path.join(root, 'lab', 'status.sh')], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs `run` when `moduleUrl` is the script node was started with, printing one line per row. */
export function runIfMain(moduleUrl: string, run: (ctx: BenchContext) => Promise<BenchRow[]>, opts: { needsLab: boolean }): void {
  if (process.argv[1] === undefined || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const root = path.resolve(path.dirname(fileURLToPath(moduleUrl)), '..');
  const workDir = path.resolve(process.argv[2] ?? path.join(root, 'bench/.work'));
  run({ root, workDir, labUp: opts.needsLab && isLabUp(root), log: (m) => process.stderr.write(`${m}\n`) }).then(
    (out) => {
      for (const r of out) {
        const base = r.baseline ? ` | ${r.baseline.name}: ${r.baseline.value} ${r.baseline.unit}` : '';
        const judged = r.met === undefined ? '' : r.met ? ' | met' : ' | NOT met';
        const note = r.note === undefined ? '' : `\n    (${r.note})`;
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${base}${r.target ? ` | target ${r.target}` : ''}${judged}${note}\n`);
      }
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
