import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/lib/models/events';
import { WebhookConfig } from '@/server/config/schema';
import { WebhookNotifier } from './notifier';
import { backoffMs, webhookBody } from './payload';

// A real HTTP receiver on loopback: delivered, retried after a 500, given up after N attempts,
// and the URL (with its secret path) never in a log line or the status.

const SECRET = 'T000/B000/s3cr3t-token-xyz';
let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function receiver(answers: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(data) as unknown });
      res.statusCode = answers[bodies.length - 1] ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/${SECRET}`, bodies };
}

const event: ClusterEvent = {
  id: '42', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2',
  at: Date.now(), endedAt: null, durationMs: 1000, cause: 'master sent priority 0 (keepalived was stopping on dir1)', service: null, realServer: null,
  logLines: ['Sun Nov 22 03:56:31 2026: (VI_V4) Entering MASTER STATE'], source: 'log',
};

function hook(url: string, extra: Partial<WebhookConfig> = {}): WebhookConfig {
  return WebhookConfig.parse({ name: 'ops', url, ...extra });
}

describe('WebhookNotifier', () => {
  it('sends the audit head (an anchor) only to webhooks with auditHead, in either format', async () => {
    const rx = await receiver([200, 200]);
    const n = new WebhookNotifier([hook(rx.url, { name: 'anchors', auditHead: true }), hook(rx.url, { name: 'chat', format: 'slack', auditHead: true }), hook(rx.url, { name: 'events-only' })], { log: () => undefined });
    const head = { id: 12, hash: 'ab'.repeat(32), at: Date.UTC(2026, 0, 2) };
    n.notifyAuditHead(head);
    await n.idle();
    const bodies = rx.bodies.map((b) => (b as { body: { text: string; auditHead?: unknown } }).body);
    expect(bodies).toHaveLength(2);
    expect(bodies).toContainEqual({ text: expect.stringMatching(/^\[LVS audit\] head id=12 hash=(ab){32} \(2026-01-02T00:00:00.000Z\); check later with: lvsctl audit verify --anchor 12:(ab){32}$/) as unknown, auditHead: head });
    expect(bodies).toContainEqual({ text: expect.stringMatching(/^\[LVS audit\] head id=12/) as unknown });
    expect(n.list().map((s) => [s.name, s.auditHead, s.sent])).toEqual([['anchors', true, 0], ['chat', true, 0], ['events-only', false, 0]]);
  });

  it('POSTs the event as JSON with a Slack-compatible text', async () => {
    const rx = await receiver([200]);
    const logs: string[] = [];
    const n = new WebhookNotifier([hook(rx.url)], { log: (l) => logs.push(l) });
    n.notify(event);
    await n.idle();
    expect(rx.bodies).toEqual([
      {
        path: `/hooks/${SECRET}`,
        type: 'application/json',
        body: expect.objectContaining({
          text: expect.stringContaining('lab: failover of VI_V4 from dir1 to dir2 (gap 1 s): master sent priority 0') as string,
          event: expect.objectContaining({ id: '42', kind: 'failover', fromMaster: 'dir1', toMaster: 'dir2', ended: false }) as unknown,
        }) as unknown,
      },
    ]);
    expect(n.list()).toEqual([expect.objectContaining({ name: 'ops', sent: 1, failed: 0, last: expect.objectContaining({ ok: true, status: 200, attempts: 1 }) as unknown })]);
    expect(logs).toEqual([]);
  });

  it('sends only the text in slack format, and only the kinds and clusters configured', async () => {
    const rx = await receiver([]);
    const n = new WebhookNotifier([hook(rx.url, { format: 'slack', events: ['split-brain'] }), hook(rx.url, { name: 'other', clusters: ['prod'] })]);
    n.notify(event);
    n.notify({ ...event, id: '43', kind: 'split-brain', cause: 'dir1 and dir2 all hold 192.0.2.100' });
    await n.idle();
    expect(rx.bodies).toEqual([{ path: `/hooks/${SECRET}`, type: 'application/json', body: { text: expect.stringMatching(/^\[LVS CRITICAL\] lab: split brain on VI_V4: dir1 and dir2/) as string } }]);
  });

  it('retries after a 500 with backoff, and delivers', async () => {
    const rx = await receiver([500, 503, 200]);
    const logs: string[] = [];
    const n = new WebhookNotifier([hook(rx.url)], { baseBackoffMs: 20, log: (l) => logs.push(l) });
    n.notify(event);
    await n.idle();
    expect(rx.bodies).toHaveLength(3);
    expect(n.list()[0]?.last).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(logs).toHaveLength(2);
    for (const l of logs) expect(l).not.toContain(SECRET);
    for (const l of logs) expect(l).not.toContain('127.0.0.1');
  });

  it('gives up after N attempts, and names neither URL nor address in its logs or status', async () => {
    const rx = await receiver([500, 500, 500, 500]);
    const logs: string[] = [];
    const n = new WebhookNotifier([hook(rx.url, { attempts: 3 })], { baseBackoffMs: 10, log: (l) => logs.push(l) });
    n.notify(event);
    await n.idle();
    expect(rx.bodies).toHaveLength(3);
    const status = n.list()[0];
    expect(status).toMatchObject({ sent: 0, failed: 1, last: { ok: false, status: 500, attempts: 3, error: 'HTTP 500' } });
    expect(logs.at(-1)).toBe('[webhooks] ops: gave up on event 42 after 3 attempt(s): HTTP 500');
    expect(JSON.stringify([logs, status])).not.toContain(SECRET);
  });

  it('does not retry a 4xx other than 429; a refused connection is retried and reported without the URL', async () => {
    const rx = await receiver([404]);
    const n = new WebhookNotifier([hook(rx.url)], { baseBackoffMs: 10, log: () => undefined });
    n.notify(event);
    await n.idle();
    expect(rx.bodies).toHaveLength(1);
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const logs: string[] = [];
    const gone = new WebhookNotifier([hook(rx.url, { attempts: 2, timeoutMs: 1000 })], { baseBackoffMs: 10, log: (l) => logs.push(l) });
    gone.notify(event);
    await gone.idle();
    expect(gone.list()[0]?.last).toMatchObject({ ok: false, status: null, attempts: 2, error: 'connection refused' });
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('does not send events older than 5 minutes (a back-fill of old history)', async () => {
    const rx = await receiver([]);
    const n = new WebhookNotifier([hook(rx.url)]);
    n.notify({ ...event, at: Date.now() - 6 * 60_000 });
    await n.idle();
    expect(rx.bodies).toEqual([]);
  });
});

describe('payload', () => {
  it('backs off exponentially within bounds', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffMs(a, 1000, 8000, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffMs(1, 1000, 8000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 8000, () => 1)).toBe(1200);
  });
  it('marks an ended interval as resolved', () => {
    expect(webhookBody({ ...event, kind: 'no-master', endedAt: event.at + 3000, durationMs: 3000, cause: null }, 'slack').text).toMatch(/^\[LVS RESOLVED\] lab: no master for VI_V4 for 3 s/);
    // Points other than a failover are information (an initial election, something back up), not critical.
    expect(webhookBody({ ...event, kind: 'initial-election', fromMaster: null, cause: null }, 'slack').text).toMatch(/^\[LVS INFO\] lab: initial election of VI_V4/);
    expect(webhookBody({ ...event, kind: 'keepalived-up', cause: null }, 'slack').text).toMatch(/^\[LVS INFO\]/);
  });
});

describe('webhook configuration', () => {
  it.each([
    ['ftp://example.com/x', 'must be an http:// or https:// URL (not ftp:)'],
    ['not a url', 'must be an http:// or https:// URL, or env:NAME'],
    ['env:1BAD', 'must be env:NAME with a valid environment variable name'],
  ])('refuses %s without echoing it', (url, message) => {
    const r = WebhookConfig.safeParse({ name: 'x', url });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([message]);
  });
  it('accepts https and env:NAME, with defaults', () => {
    expect(WebhookConfig.parse({ name: 'x', url: 'env:SLACK_HOOK' })).toEqual({ name: 'x', url: 'env:SLACK_HOOK', events: ['failover', 'split-brain', 'no-master'], format: 'json', attempts: 5, timeoutMs: 5000, auditHead: false });
    expect(WebhookConfig.safeParse({ name: 'x', url: 'https://hooks.example.com/a', bogus: 1 }).success).toBe(false);
  });
});
