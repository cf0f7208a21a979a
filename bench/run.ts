// `npm run bench`: runs every bench module (bench/*.bench.ts, or the ones named on the
// command line), prints one table with each figure beside its baseline from the same run,
// and writes the same rows to bench/results.json so runs can be compared.
// Targets are stated and judged here; nothing is asserted in tests.
import fs from 'node:fs';
import path from 'node:path';
import { isLabUp } from './standalone';
import type { BenchContext, BenchModule, BenchRow } from './types';

const root = path.resolve(__dirname, '..');
const workDir = path.join(root, 'bench', '.work');
fs.mkdirSync(workDir, { recursive: true });

function fmt(v: number, unit: string): string {
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${n} ${unit}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const ctx: BenchContext = { root, workDir, labUp: isLabUp(root), log: (m) => console.error(`  ${m}`) };
  console.error(`bench: ${files.length} modules; lab ${ctx.labUp ? 'up' : 'down (lab rows are skipped)'}`);
  const rows: BenchRow[] = [];
  for (const f of files) {
    console.error(`bench: ${f}`);
    const mod = (await import(path.join(__dirname, f))) as BenchModule;
    try {
      rows.push(...(await mod.run(ctx)));
    } catch (e) {
      rows.push({ group: f.replace('.bench.ts', ''), name: 'FAILED', value: NaN, unit: '', note: e instanceof Error ? e.message : String(e) });
    }
  }
  const table = rows.map((r) => ({
    group: r.group,
    measure: r.name,
    value: Number.isNaN(r.value) ? '-' : fmt(r.value, r.unit),
    baseline: r.baseline ? `${fmt(r.baseline.value, r.baseline.unit)} (${r.baseline.name})` : '',
    target: r.target ?? '',
    met: r.met === undefined ? '' : r.met ? 'MET' : 'MISSED',
    note: r.note ?? '',
  }));
  const cols = ['group', 'measure', 'value', 'baseline', 'target', 'met', 'note'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...table.map((t) => t[c].length))]));
  const line = (t: Record<string, string>) => cols.map((c) => (t[c] ?? '').padEnd(width[c] ?? 0)).join(' | ');
  console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log(cols.map((c) => '-'.repeat(width[c] ?? 0)).join('-|-'));
  for (const t of table) console.log(line(t));
  const out = { at: new Date().toISOString(), host: { cores: (await import('node:os')).cpus().length }, rows };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(out, null, 2));
  console.error(`bench: wrote bench/results.json (${rows.length} rows)`);
}

void main();
