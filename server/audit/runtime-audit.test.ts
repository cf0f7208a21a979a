import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request, writeTestConfig } from '@/server/testing/console-env';
import { parseAnchors } from './anchor';

// The console's runtime and its audit log: the key is made beside the database on first start,
// rows are keyed, and the head is exported as an anchor line (here at the shutdown flush).

let configDir = '';
let stateDir = '';

beforeAll(async () => {
  const { dir, file } = await writeTestConfig();
  configDir = dir;
  stateDir = (YAML.parse(fs.readFileSync(file, 'utf8')) as { stateDir: string }).stateDir;
  process.env.LVS_CONSOLE_CONFIG = file;
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('the runtime audit log', () => {
  it('is keyed with stateDir/audit.key (0600) and logs its head as an anchor the chain verifies against', async () => {
    const { getRuntime } = await import('@/server/runtime');
    const rt = getRuntime();
    expect(fs.statSync(path.join(stateDir, 'audit.key')).mode & 0o777).toBe(0o600);
    const login = (await import('@/app/api/auth/login/route')).POST;
    for (let i = 0; i < 3; i++) await login(request('/api/auth/login', { method: 'POST', body: { name: 'ada', password: 'wrong' }, peer: '192.0.2.95' }), { params: Promise.resolve({}) });
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
    rt.flushAudit(); // what the process 'exit' hook runs: the pending refusal count, then the head
    spy.mockRestore();
    const entries = rt.audit.list();
    expect(entries.map((e) => [e.action, (e.detail as { count?: number }).count ?? 1])).toEqual([['login', 2], ['login', 1]]);
    expect(lines).toEqual([`[audit] head id=${entries[0]?.id} hash=${entries[0]?.hash}`]);
    expect(rt.audit.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(rt.audit.verify({ anchors: parseAnchors(lines.join('\n')) })).toMatchObject({ ok: true, unkeyed: 0, anchors: 1 });
  });
});
