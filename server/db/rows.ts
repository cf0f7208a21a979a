import 'server-only';
import { z } from 'zod';
import type { Db } from './index';

// Reading a stored model back from its table. The columns are the model's fields in snake_case, so
// a row's shape is written once, by the model's schema in lib/models, not again as a row schema.

const RowId = z.number().int();

function camelCase(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A row as its model: each column under its camelCase name, the integer rowid as the model's string
 * id, `adjust` filling derived fields, then checked (and columns the model lacks dropped) by the
 * model's schema.
 */
export function fromRow<T>(model: z.core.$ZodType<T>, raw: unknown, adjust?: (fields: Record<string, unknown>) => Record<string, unknown>): T {
  const fields: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw as Record<string, unknown>)) fields[camelCase(column)] = value;
  fields.id = String(RowId.parse(fields.id));
  return z.parse(model, adjust ? adjust(fields) : fields);
}

/**
 * A store of holds that stay open until ended (columns cluster, ended_at, ended_by, end_reason):
 * the drain intents, the HAProxy holds and director maintenance.
 */
export abstract class EndableStore<T> {
  constructor(
    protected readonly db: Db,
    private readonly table: 'intents' | 'haproxy_holds' | 'director_maintenance',
    private readonly toModel: (row: unknown) => T,
  ) {}

  /** Open ones of one cluster (or of every cluster), oldest first. */
  open(cluster?: string): T[] {
    const rows =
      cluster === undefined
        ? this.db.prepare(`SELECT * FROM ${this.table} WHERE ended_at IS NULL ORDER BY id`).all()
        : this.db.prepare(`SELECT * FROM ${this.table} WHERE ended_at IS NULL AND cluster = ? ORDER BY id`).all(cluster);
    return rows.map(this.toModel);
  }

  /** End an open row; false when it was not open. */
  protected endRow(id: string, at: number, by: string, reason: string): boolean {
    return this.db.prepare(`UPDATE ${this.table} SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL`).run(at, by, reason, Number(id)).changes > 0;
  }
}
