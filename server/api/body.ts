import 'server-only';
import { ApiError } from './errors';

// The one reader of JSON request bodies. A body is refused (413) above its limit before it is
// buffered whole: a Content-Length above the limit is refused without reading anything, and a
// body without one (chunked) is counted while it streams and cut off at the first byte over the
// limit. `req.json()` would read any size into memory first; no route calls it.

/** Every JSON body: the largest real one (a drain with reason and ticket) is well under 2 KiB. */
export const JSON_BODY_LIMIT = 64 * 1024;
/** POST /api/auth/login: a name (128) and a password (1024 characters, 4 bytes each at worst, or \u escapes) fit. */
export const LOGIN_BODY_LIMIT = 8 * 1024;

function tooLarge(limit: number): ApiError {
  return new ApiError('too-large', `request body too large: at most ${limit} bytes (${Math.round(limit / 1024)} KiB)`);
}

/**
 * Reads the request's body as JSON, at most `limit` bytes. 413 above it, 400 with `badJson`
 * when the body is missing or not JSON.
 */
export async function readJsonBody(req: Request, limit: number = JSON_BODY_LIMIT, badJson = 'send a JSON body'): Promise<unknown> {
  const declared = req.headers.get('content-length');
  if (declared !== null) {
    const n = Number(declared.trim());
    if (!/^\d+$/.test(declared.trim()) || !Number.isSafeInteger(n)) throw new ApiError('bad-request', `Content-Length "${declared.slice(0, 40)}" is not a byte count`);
    if (n > limit) {
      await discard(req);
      throw tooLarge(limit);
    }
  }
  if (req.body === null) throw new ApiError('bad-request', badJson);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    // As req.json() does: UTF-8, a leading BOM dropped.
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new ApiError('bad-request', badJson);
  }
}

/** Stops reading a body that will not be used (its stream is cancelled, nothing is buffered). */
async function discard(req: Request): Promise<void> {
  if (req.body && !req.body.locked) await req.body.cancel().catch(() => undefined);
}
