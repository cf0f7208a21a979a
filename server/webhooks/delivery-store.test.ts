import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/lib/models/events';
import { WebhookConfig } from '@/server/config/schema';
import { testBackend, testDbPair } from '@/server/testing/test-db';
import { WebhookDeliveryStore } from './delivery-store';
import { WebhookNotifier } from './notifier';

// Deliveries counted in the store (#16): the console that leads a cluster sends its webhooks, and
// any console's admin page shows them.

const event: ClusterEvent = {
  id: '7',
  cluster: 'lab',
  kind: 'failover',
  director: 'dir2',
  instance: 'VI_V4',
  fromState: 'BACKUP',
  toState: 'MASTER',
  fromMaster: 'dir1',
  toMaster: 'dir2',
  at: Date.now(),
  endedAt: null,
  durationMs: null,
  cause: null,
  service: null,
  realServer: null,
  logLines: [],
  source: 'observed',
};
const hook = WebhookConfig.parse({ name: 'ops', url: 'https://hooks.example.com/x', attempts: 1 });

describe(`webhook deliveries in the ${testBackend} store`, () => {
  it('one console sends, the other lists what was sent and what failed, with the last delivery', async () => {
    const [a, b] = testDbPair();
    let status = 200;
    const fakeFetch = (() => Promise.resolve(new Response('', { status }))) as typeof fetch;
    const sender = new WebhookNotifier([hook], { store: new WebhookDeliveryStore(a, 'console-a'), fetch: fakeFetch, log: () => undefined });
    const reader = new WebhookNotifier([hook], { store: new WebhookDeliveryStore(b, 'console-b'), fetch: fakeFetch, log: () => undefined });
    expect(reader.list()[0]).toMatchObject({ name: 'ops', sent: 0, failed: 0, last: null });
    sender.notify(event);
    await sender.idle();
    status = 400;
    sender.notify({ ...event, id: '8' });
    await sender.idle();
    expect(reader.list()[0]).toMatchObject({ name: 'ops', sent: 1, failed: 1, last: { eventId: '8', kind: 'failover', ok: false, status: 400, attempts: 1, error: 'HTTP 400' } });
    expect(b.prepare('SELECT last_console FROM webhook_deliveries').all()).toEqual([{ last_console: 'console-a' }]);
  });
});
