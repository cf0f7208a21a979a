import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The folders of server/ import each other without cycles (README "Layout"); ESLint enforces the
// rules between top-level folders (eslint.config.mjs), this the order inside server/.

const ROOT = path.resolve(__dirname, '..');
const SKIP = /\.(test|lab\.test|fuzz\.test)\.tsx?$|\.test-helper\.ts$|\.d\.m?ts$/;

/** server/<folder> of a server module (a top-level file is its own unit: server/runtime). */
function unitOf(file: string): string {
  const [, first] = file.split('/');
  return `server/${(first ?? '').replace(/\.(ts|tsx|mts|mjs)$/, '')}`;
}

function serverImports(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const rel of fs.readdirSync(path.join(ROOT, 'server'), { recursive: true, encoding: 'utf8' })) {
    const file = `server/${rel}`;
    if (!/\.(ts|tsx|mts|mjs)$/.test(file) || SKIP.test(file) || file.startsWith('server/testing/') || file.includes('/fixtures/')) continue;
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = m[1] ?? '';
      const target = spec.startsWith('@/') ? spec.slice(2) : spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : null;
      if (target === null || !target.startsWith('server/')) continue;
      const [a, b] = [unitOf(file), unitOf(target)];
      if (a === b) continue;
      const out = edges.get(a) ?? new Map<string, string>();
      out.set(b, file);
      edges.set(a, out);
    }
  }
  return edges;
}

/** One cycle per strongly connected group of folders, as "a -> b (file) -> ... -> a". */
function cycles(edges: Map<string, Map<string, string>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (node: string, trail: string[]): void => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const loop = [...trail.slice(at), node];
      found.push(loop.map((n, i) => (i === 0 ? n : `${n} (${edges.get(loop[i - 1] ?? '')?.get(n) ?? '?'})`)).join(' -> '));
      return;
    }
    if (done.has(node)) return;
    for (const next of edges.get(node)?.keys() ?? []) visit(next, [...trail, node]);
    done.add(node);
  };
  for (const node of [...edges.keys()].sort()) visit(node, []);
  return found;
}

describe('server/ layers', () => {
  it('no folder of server/ imports, directly or round about, a folder that imports it', () => {
    const edges = serverImports();
    expect(edges.size).toBeGreaterThan(10);
    expect(cycles(edges)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const edges = new Map([
      ['server/api', new Map([['server/drain', 'server/api/drain.ts']])],
      ['server/drain', new Map([['server/api', 'server/drain/x.ts']])],
    ]);
    expect(cycles(edges)).toEqual(['server/api -> server/drain (server/api/drain.ts) -> server/api (server/drain/x.ts)']);
  });
});
