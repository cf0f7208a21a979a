import 'server-only';
import { getRuntime } from '@/server/runtime';
import { ApiError } from './errors';

/** {"ok":true,"store":"reachable"}, or 503 naming nothing but the fact. */
export function health(): { ok: true; store: 'reachable' } {
  if (!getRuntime().db.status().reachable) throw new ApiError('unavailable', 'this console cannot reach its store');
  return { ok: true, store: 'reachable' };
}
