import 'server-only';
import { z } from 'zod';

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
export function fromRow<T>(model: z.ZodType<T>, raw: unknown, adjust?: (fields: Record<string, unknown>) => Record<string, unknown>): T {
  const fields: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw as Record<string, unknown>)) fields[camelCase(column)] = value;
  fields.id = String(RowId.parse(fields.id));
  return model.parse(adjust ? adjust(fields) : fields);
}
