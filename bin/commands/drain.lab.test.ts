import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import * as clustersRoute from '@/app/api/clusters/route';
import * as drainRoute from '@/app/api/clusters/[cluster]/drain/route';
import * as progressRoute from '@/app/api/clusters/[cluster]/drain/progress/route';
import * as restoreRoute from '@/app/api/clusters/[cluster]/restore/route';
import * as weightRoute from '@/app/api/clusters/[cluster]/weight/route';
import { labSsh, restoreLab, ROOT, waitFor } from '@/server/testing/lab';
import { installPeerSecret, stampRequest } from '@/server/auth/peer-stamp.mjs';

// lvsctl drain / restore / weight as a maintenance script runs them: the real CLI (a child process)
// against the console's real route handlers (served here over HTTP in this process, with the lab's
// configuration and a real API token), acting on both lab directors.

const run = promisify(execFile);
installPeerSecret();
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let server: http.Server;
let url = '';
let token = '';
let dir = '';

function route(method: string, pathname: string): { h: Handler; params: Record<string, string> } | null {
  if (pathname === '/api/clusters' && method === 'GET') return { h: clustersRoute.GET as unknown as Handler, params: {} };
  const m = /^\/api\/clusters\/([^/]+)\/(drain|restore|weight|drain\/progress)$/.exec(pathname);
  if (!m) return null;
  const params = { cluster: decodeURIComponent(m[1] ?? '') };
  const table: Record<string, Handler> = {
    'POST drain': drainRoute.POST as unknown as Handler,
    'POST restore': restoreRoute.POST as unknown as Handler,
    'POST weight': weightRoute.POST as unknown as Handler,
    'GET drain/progress': progressRoute.GET as unknown as Handler,
  };
  const h = table[`${method} ${m[2] ?? ''}`];
  return h ? { h, params } : null;
}

async function lvsctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin', 'lvsctl.mjs'), ...args, '--url', url], {
      env: { ...process.env, LVS_CONSOLE_TOKEN: token },
      timeout: 400_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

async function weights(rs: string): Promise<(number | null)[]> {
  return Promise.all(
    (['dir1', 'dir2'] as const).map(async (d) => {
      const line = (await labSsh(d, 'ipvsadm -Ln -t 192.0.2.100:80')).split('\n').find((l) => l.includes(`-> ${rs} `));
      return line ? Number(line.trim().split(/\s+/)[3]) : null;
    }),
  );
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsctl-drain-'));
  const cfg = parse(fs.readFileSync(path.join(ROOT, 'lab', '.state', 'console.yaml'), 'utf8')) as Record<string, unknown>;
  const file = path.join(dir, 'console.yaml');
  fs.writeFileSync(file, stringify({ ...cfg, stateDir: path.join(dir, 'state') }));
  process.env.LVS_CONSOLE_CONFIG = file;
  const { getAuth, getRuntime } = await import('@/server/runtime');
  token = getAuth().store.createToken({ name: 'lab-cli', role: 'operator', createdBy: 'lab-test' }).token;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', url);
        const r = route(req.method ?? 'GET', u.pathname);
        if (!r) {
          res.writeHead(404).end();
          return;
        }
        stampRequest(req, req.socket.remoteAddress); // as bin/next-server.mjs does
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const resp = await r.h(new Request(u, { method: req.method, headers, body }), { params: Promise.resolve(r.params) });
        res.writeHead(resp.status, { 'content-type': resp.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await resp.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await waitFor(
    'the console sees both directors and keepalived',
    () => Promise.resolve(getRuntime().collector.snapshot('lab')?.directors.every((d) => d.live) === true),
    90_000,
  );
}, 180_000);

afterAll(async () => {
  server?.close();
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  try {
    await restoreLab(
      (['dir1', 'dir2'] as const).flatMap((d) =>
        ['192.0.2.11:80', '192.0.2.12:80'].map((rs) => [`${d}: ${rs} back to weight 100`, () => labSsh(d, `ipvsadm -e -t 192.0.2.100:80 -r ${rs} -g -w 100`)] as const),
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

describe('lvsctl drain / restore / weight against the lab', () => {
  it('drains with --wait, refuses the last server (exit 3), re-weights, restores', async () => {
    const d = await lvsctl('drain', '--cluster', 'lab', '--host', '192.0.2.11:80', '--service', '192.0.2.100:80', '--reason', 'lvsctl lab test', '--wait', '--timeout', '300');
    expect(d.code, d.out + d.err).toBe(0);
    expect(d.out).toMatch(/lab: drain: OK/);
    expect(d.out).toMatch(/^ {2}dir1 +ok {2}192\.0\.2\.11:80 w=0/m);
    expect(d.out).toMatch(/^ {2}dir2 +ok {2}192\.0\.2\.11:80 w=0/m);
    expect(d.out).toMatch(/: drained \(active 0, inactive 0, persistent 0/);
    expect(await weights('192.0.2.11:80')).toEqual([0, 0]);

    const refused = await lvsctl('drain', '--cluster', 'lab', '--host', '192.0.2.12:80', '--service', '192.0.2.100:80', '--reason', 'would empty it');
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/no serving real server left/);

    const r = await lvsctl('restore', '--cluster', 'lab', '--host', '192.0.2.11:80', '--service', '192.0.2.100:80', '--reason', 'done');
    expect(r.code, r.out + r.err).toBe(0);
    expect(await weights('192.0.2.11:80')).toEqual([100, 100]);

    const w = await lvsctl('weight', '--cluster', 'lab', '--host', '192.0.2.11:80', '--service', '192.0.2.100:80', '--weight', '50', '--reason', 'canary');
    expect(w.code, w.out + w.err).toBe(0);
    expect(await weights('192.0.2.11:80')).toEqual([50, 50]);
    const r2 = await lvsctl('restore', '--cluster', 'lab', '--host', '192.0.2.11:80', '--service', '192.0.2.100:80');
    expect(r2.code, r2.out + r2.err).toBe(0);
    expect(await weights('192.0.2.11:80')).toEqual([100, 100]);

    const bad = await lvsctl('drain', '--cluster', 'lab', '--host', '192.0.2.99', '--reason', 'x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no real server 192\.0\.2\.99 in cluster lab/);
  }, 600_000);
});
