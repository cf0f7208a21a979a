import { describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT, LOGIN_BODY_LIMIT, readJsonBody } from './body';
import { errorResponse } from './errors';

// The one JSON body reader: 413 above the limit before the body is buffered whole (declared
// Content-Length, or counted while a chunked body streams), 400 for a body that is not JSON.

const URL_ = 'http://127.0.0.1:3999/api/x';
const CHUNK = 16 * 1024;

/** A body that streams `total` bytes in CHUNK pieces and counts how many were pulled from it. */
function countingStream(total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (sent >= total) {
          c.close();
          return;
        }
        const n = Math.min(CHUNK, total - sent);
        sent += n;
        c.enqueue(new Uint8Array(n).fill(0x20)); // spaces: valid JSON whitespace
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => sent };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(URL_, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

/** A JSON text of exactly `n` bytes: a string value padded to size. */
function jsonOfSize(n: number): string {
  return JSON.stringify({ pad: 'x'.repeat(n - '{"pad":""}'.length) });
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const res = errorResponse(e);
    const body = (await res.json()) as { error: { code: string; message: string } };
    return { status: res.status, ...body.error };
  }
  throw new Error('expected a refusal');
}

describe('readJsonBody', () => {
  it('documents its limits: 64 KiB, login 8 KiB', () => {
    expect(JSON_BODY_LIMIT).toBe(65_536);
    expect(LOGIN_BODY_LIMIT).toBe(8_192);
  });

  it('parses a body of exactly the limit, with and without Content-Length', async () => {
    const text = jsonOfSize(JSON_BODY_LIMIT);
    expect(Buffer.byteLength(text)).toBe(JSON_BODY_LIMIT);
    const withLength = (await readJsonBody(post(text, { 'content-length': String(JSON_BODY_LIMIT) }))) as { pad: string };
    expect(withLength.pad.length).toBe(JSON_BODY_LIMIT - 10);
    const chunked = (await readJsonBody(post(text))) as { pad: string };
    expect(chunked.pad.length).toBe(JSON_BODY_LIMIT - 10);
    expect(await readJsonBody(post(jsonOfSize(100)), 100)).toEqual({ pad: 'x'.repeat(90) });
  });

  it('refuses one byte over the limit with 413 and a message naming the limit', async () => {
    const r = await refusal(readJsonBody(post(jsonOfSize(JSON_BODY_LIMIT + 1))));
    expect(r).toEqual({ status: 413, code: 'too-large', message: 'request body too large: at most 65536 bytes (64 KiB)' });
    expect((await refusal(readJsonBody(post(jsonOfSize(101)), 100))).status).toBe(413);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const body = countingStream(1024 * 1024);
    const r = await refusal(readJsonBody(post(body.stream, { 'content-length': String(1024 * 1024) })));
    expect(r.status).toBe(413);
    expect(body.pulled()).toBe(0);
  });

  it('cuts off a body without Content-Length (chunked) at the limit instead of reading it all', async () => {
    const body = countingStream(1024 * 1024);
    const r = await refusal(readJsonBody(post(body.stream)));
    expect(r.status).toBe(413);
    // Read up to the first chunk past the limit, then cancelled.
    expect(body.pulled()).toBeLessThanOrEqual(JSON_BODY_LIMIT + CHUNK);
    // A declared length that lies (smaller than what streams) is cut off the same way.
    const liar = countingStream(1024 * 1024);
    expect((await refusal(readJsonBody(post(liar.stream, { 'content-length': '10' })))).status).toBe(413);
    expect(liar.pulled()).toBeLessThanOrEqual(JSON_BODY_LIMIT + CHUNK);
  });

  it('400 for a body that is not JSON, an empty one, a missing one, or a bad Content-Length', async () => {
    for (const body of ['{"name": ', 'name=ada&password=x', '']) {
      expect(await refusal(readJsonBody(post(body)))).toEqual({ status: 400, code: 'bad-request', message: 'send a JSON body' });
    }
    expect(await refusal(readJsonBody(new Request(URL_, { method: 'POST' })))).toMatchObject({ status: 400, message: 'send a JSON body' });
    expect(await refusal(readJsonBody(post('nope'), 100, 'send {"name", "password"}'))).toMatchObject({ status: 400, message: 'send {"name", "password"}' });
    expect(await refusal(readJsonBody(post('{}', { 'content-length': 'lots' })))).toMatchObject({ status: 400, message: 'Content-Length "lots" is not a byte count' });
  });

  it('decodes UTF-8 as req.json() does (a leading BOM dropped)', async () => {
    expect(await readJsonBody(post('\uFEFF{"name":"Zoë"}'))).toEqual({ name: 'Zoë' });
  });
});
