import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DrainRequest, RestoreRequest, WeightRequest } from '@/lib/models/drain';
import { labSsh, startLabRuntime, type LabRuntime } from '@/server/testing/lab-runtime';
import type { AuditLog } from '@/server/audit/log';
import { isServerApiError, toApiError } from '@/server/api/errors';
import type { ActingAs, DrainService } from './drain-service';

// Hostile strings in every field of drain / weight / restore (issue #7): each is refused with a
// plain message or, where it is free text (reason, ticket), kept as text and never reaches a
// director's command line. The directors' IPVS tables, read as root before and after, are unchanged.

const WHO: ActingAs = { name: 'hostile-test', role: 'operator', source: 'vitest' };

const HOSTILE = [
  '192.0.2.11:80; ipvsadm -C',
  '192.0.2.11:80 && reboot',
  '$(ipvsadm -C)',
  '`id`',
  '192.0.2.11:80\n-w 1',
  '192.0.2.11:80 -w 1',
  '-C',
  '--help',
  '../../etc/shadow',
  "192.0.2.11:80' -w '1",
  '192.0.2.11:80|sh',
  '192.0.2.11:99999',
  '999.0.2.11:80',
  '[2001:db8::11]:80;id',
  'fwm:1;id',
  '192.0.2.11:80\u0000',
  'A'.repeat(5000),
];

let lab: LabRuntime;
let drain: DrainService;
let audit: AuditLog;

/** Both directors' IPVS tables as root sees them (save format: every service, server and weight). */
async function tables(): Promise<string[]> {
  return Promise.all((['dir1', 'dir2'] as const).map((d) => labSsh(d, 'ipvsadm -S -n')));
}

type Field = 'target' | 'service' | 'weight';

/**
 * How a request was refused, or why that is not a refusal. A refusal is the request schema rejecting
 * the field (a ZodError on that field), or the service's plain answer about it (a DomainError
 * answered as `validation` or `not-found` whose message is about that field). Anything else (accepted, a
 * TypeError, a DirectorError: the string reached a director) is not a refusal.
 */
async function refusal(field: Field, f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return 'NOT REFUSED: accepted';
  } catch (thrown) {
    // Domain errors as the edge answers them (server/api/errors.ts).
    const e = toApiError(thrown);
    if (e instanceof z.core.$ZodError) {
      const paths = [...new Set(e.issues.map((i) => i.path.join('.')))];
      return paths.length === 1 && paths[0] === field ? `schema: ${field}` : `NOT A REFUSAL OF ${field}: schema error at ${paths.join(', ')}`;
    }
    if (isServerApiError(e)) {
      const about: Record<Field, RegExp> = {
        target: /^target "|^"[^"]*": port |^no real server |^nothing to restore for /,
        service: /^service "|has no service matching "/,
        weight: /^weight/,
      };
      if ((e.code === 'validation' || e.code === 'not-found') && about[field].test(e.message)) return `${e.code}: ${field}`;
      return `NOT A REFUSAL OF ${field}: ApiError ${e.code}: ${e.message}`;
    }
    return `NOT A REFUSAL: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

beforeAll(async () => {
  // The console's runtime on the lab, as the server builds it.
  lab = startLabRuntime();
  audit = lab.runtime.audit;
  drain = lab.runtime.drain.service;
  await lab.ready();
}, 300_000);

afterAll(async () => {
  await lab?.close();
});

describe('hostile input changes nothing on the directors (lab)', () => {
  it('refuses hostile targets, services and weights in drain, weight and restore', async () => {
    const before = await tables();
    const results: string[] = [];
    for (const bad of HOSTILE) {
      const cases: [string, Field, () => Promise<unknown>][] = [
        ['drain target', 'target', () => drain.drain('lab', DrainRequest.parse({ target: bad, reason: 'x' }), WHO)],
        ['drain service', 'service', () => drain.drain('lab', DrainRequest.parse({ target: '192.0.2.11:80', service: bad, reason: 'x' }), WHO)],
        ['weight target', 'target', () => drain.setWeight('lab', WeightRequest.parse({ target: bad, weight: 5, reason: 'x' }), WHO)],
        ['restore target', 'target', () => drain.restore('lab', RestoreRequest.parse({ target: bad }), WHO)],
        ['restore service', 'service', () => drain.restore('lab', RestoreRequest.parse({ target: '192.0.2.11:80', service: bad }), WHO)],
      ];
      for (const [what, field, f] of cases) results.push(`${what} ${JSON.stringify(bad.slice(0, 40))}: ${await refusal(field, f)}`);
    }
    for (const w of [-1, 65536, 1.5, Number.NaN, '1; id', '0x10', null]) {
      results.push(`weight ${String(w)}: ${await refusal('weight', () => drain.setWeight('lab', WeightRequest.parse({ target: '192.0.2.11:80', service: 'TCP 192.0.2.100:80', weight: w, reason: 'x' }), WHO))}`);
    }
    console.log(`[hostile] ${results.length} requests:\n  ${results.join('\n  ')}`);
    expect(results.filter((r) => r.includes('NOT '))).toEqual([]);
    expect(results).toHaveLength(HOSTILE.length * 5 + 7);
    // Every refusal was audited as refused or never reached the action (schema): nothing was applied.
    expect(audit.list({}).filter((e) => e.outcome !== 'refused')).toEqual([]);
    expect(await tables()).toEqual(before);
  }, 600_000);

  it('keeps hostile free text (reason, ticket) as text: it is audited verbatim and never part of a command', async () => {
    const reason = "maint'; ipvsadm -C; echo $(id) `id` \n -w 1";
    const ticket = '$(reboot)|sh';
    const plan = drain.plan('lab', { action: 'weight', target: '192.0.2.12:8080', service: 'TCP 192.0.2.100:8080', weight: 1 });
    for (const d of plan.directors) for (const c of d.commands) expect(c.display).not.toMatch(/maint|reboot|\$\(|`/);
    // Weight 1 is what 192.0.2.12:8080 already has: a no-op change, but a real action with the text.
    const before = await tables();
    const r = await drain.setWeight('lab', WeightRequest.parse({ target: '192.0.2.12:8080', service: 'TCP 192.0.2.100:8080', weight: 1, reason, ticket }), WHO);
    expect(r.outcome).toBe('ok');
    await drain.restore('lab', RestoreRequest.parse({ target: '192.0.2.12:8080', service: 'TCP 192.0.2.100:8080' }), WHO);
    expect(await tables()).toEqual(before);
    const entry = audit.list({ action: 'weight' })[0];
    expect(JSON.stringify(entry?.detail)).toContain(JSON.stringify(reason).slice(1, -1));
    expect(audit.verify().ok).toBe(true);
  }, 300_000);
});
