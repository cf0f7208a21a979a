import 'server-only';
import type { WebhookDelivery } from '@/lib/models/webhooks';
import type { Db } from '@/server/db';

// What each webhook delivered, kept in the store: with several consoles (#16) the one that leads a
// cluster sends its events, and any console's admin page shows the deliveries.

export interface DeliveryCounts {
  sent: number;
  failed: number;
  last: WebhookDelivery | null;
}

export class WebhookDeliveryStore {
  private readonly s;

  constructor(
    db: Db,
    private readonly console: string | null = null,
  ) {
    this.s = {
      record: db.prepare(
        `INSERT INTO webhook_deliveries (hook, sent, failed, last_at, last_event_id, last_kind, last_ok, last_status, last_attempts, last_error, last_console)
         VALUES (@hook, @sent, @failed, @at, @eventId, @kind, @ok, @status, @attempts, @error, @console)
         ON CONFLICT (hook) DO UPDATE SET sent = webhook_deliveries.sent + excluded.sent, failed = webhook_deliveries.failed + excluded.failed,
           last_at = excluded.last_at, last_event_id = excluded.last_event_id, last_kind = excluded.last_kind, last_ok = excluded.last_ok,
           last_status = excluded.last_status, last_attempts = excluded.last_attempts, last_error = excluded.last_error, last_console = excluded.last_console`,
      ),
      all: db.prepare('SELECT * FROM webhook_deliveries'),
    };
  }

  record(hook: string, d: WebhookDelivery): void {
    this.s.record.run({ hook, sent: d.ok ? 1 : 0, failed: d.ok ? 0 : 1, ...d, ok: d.ok ? 1 : 0, console: this.console });
  }

  /** Per webhook name. */
  read(): Map<string, DeliveryCounts> {
    const out = new Map<string, DeliveryCounts>();
    for (const raw of this.s.all.all() as Record<string, unknown>[]) {
      const last: WebhookDelivery | null =
        raw.last_at === null
          ? null
          : {
              at: Number(raw.last_at),
              eventId: String(raw.last_event_id),
              kind: raw.last_kind as WebhookDelivery['kind'],
              ok: Number(raw.last_ok) === 1,
              status: raw.last_status === null ? null : Number(raw.last_status),
              attempts: Number(raw.last_attempts),
              error: raw.last_error === null ? null : (raw.last_error as string),
            };
      out.set(String(raw.hook), { sent: Number(raw.sent), failed: Number(raw.failed), last });
    }
    return out;
  }
}
