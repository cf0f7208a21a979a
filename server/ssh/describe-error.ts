import 'server-only';
import { ParseError } from '@/server/parsers/parse-error';
import { DirectorError } from '@/server/ssh/errors';

/** The code and message shown for a director whose refresh failed. */
export function describeRefreshError(e: unknown): { code: string; message: string } {
  if (e instanceof DirectorError) return { code: e.code, message: e.message };
  if (e instanceof ParseError) return { code: 'parse-error', message: `unexpected output from the director: ${e.message}` };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
