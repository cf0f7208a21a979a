// One console's runtime in a process of its own, for tests of several consoles on one store
// (server/leases/consoles.lab.test.ts): started with fork(), driven over the IPC channel, and
// killed with SIGKILL like a crashed console. Its configuration is the lab's, with the overrides
// the parent passes in LVS_TEST_CONSOLE_OVERRIDES (JSON, merged over the file's top level).
import '../../bin/server-only-shim';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseConfigText } from '@/server/config/load';
import type { ActingAs } from '@/server/drain/drain-service';
import { createRuntime } from '@/server/runtime';
import { ROOT } from './lab-ctl';

type Request = { seq: number; op: 'status' } | { seq: number; op: 'drain' | 'restore'; body: unknown; who: ActingAs } | { seq: number; op: 'hold'; service: string; realServer: string } | { seq: number; op: 'close' };

const file = path.join(ROOT, 'lab', '.state', 'console.yaml');
const raw = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const overrides = JSON.parse(process.env.LVS_TEST_CONSOLE_OVERRIDES ?? '{}') as Record<string, unknown>;
const config = parseConfigText(YAML.stringify({ ...raw, ...overrides }), file);
const runtime = createRuntime(config);
const send = (m: unknown) => process.send?.(m);

process.on('message', (m: Request) => {
  void (async () => {
    try {
      if (m.op === 'status') {
        const s = runtime.collector.snapshot('lab');
        const names = ['lab', '@store'].filter((n) => runtime.leadership.leads(n));
        send({ seq: m.seq, ok: true, value: { id: runtime.leadership.me.id, leads: names, live: s?.directors.every((d) => d.live) === true, view: runtime.leadership.view() } });
      } else if (m.op === 'drain' || m.op === 'restore') {
        const svc = runtime.drain.service;
        const r = m.op === 'drain' ? await svc.drain('lab', m.body as never, m.who) : await svc.restore('lab', m.body as never, m.who);
        send({ seq: m.seq, ok: true, value: r });
      } else if (m.op === 'hold') {
        const rs = runtime.collector.snapshot('lab')?.services.find((x) => x.key === m.service)?.realServers.find((r) => r.key === m.realServer);
        send({ seq: m.seq, ok: true, value: rs?.hold ?? null });
      } else {
        await runtime.close();
        send({ seq: m.seq, ok: true, value: null });
        process.exit(0);
      }
    } catch (e) {
      send({ seq: m.seq, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
send({ started: runtime.leadership.me.id });
