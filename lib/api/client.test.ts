import { describe, expect, it } from 'vitest';
import { ApiError, apiPaths, createApiClient } from './client';

function fakeFetch(status: number, body: unknown, calls: string[] = []): typeof fetch {
  return (input) => {
    calls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(text, { status, headers: { 'content-type': 'application/json' } }));
  };
}

describe('apiPaths', () => {
  it('encodes every path segment and query value', () => {
    expect(apiPaths.cluster('prod web/1')).toBe('/api/clusters/prod%20web%2F1');
    expect(apiPaths.host('2001:db8::11')).toBe('/api/hosts/2001%3Adb8%3A%3A11');
    expect(apiPaths.history({ cluster: 'lab', service: 'TCP [2001:db8::1]:80', realServer: '[2001:db8::11]:80', from: 1000.7, to: 2000 })).toBe(
      '/api/clusters/lab/history?service=TCP+%5B2001%3Adb8%3A%3A1%5D%3A80&realServer=%5B2001%3Adb8%3A%3A11%5D%3A80&from=1000&to=2000',
    );
    expect(apiPaths.history({ cluster: 'lab', service: 'FWM 1', from: 1, to: 2 })).toBe('/api/clusters/lab/history?service=FWM+1&from=1&to=2');
  });

  it('spells the drain, HAProxy and diagnostics paths too (the browser and lvsctl ask the same URLs)', () => {
    const t = { target: '[2001:db8::11]:80', service: 'TCP [2001:db8::1]:80' };
    expect(apiPaths.action('lab 2', 'restore')).toBe('/api/clusters/lab%202/restore');
    expect(apiPaths.drainPlan('lab', 'weight', t, 5)).toBe('/api/clusters/lab/drain/plan?action=weight&target=%5B2001%3Adb8%3A%3A11%5D%3A80&service=TCP+%5B2001%3Adb8%3A%3A1%5D%3A80&weight=5');
    expect(apiPaths.drainProgress('lab', { target: '192.0.2.11' }, { connections: true })).toBe('/api/clusters/lab/drain/progress?target=192.0.2.11&connections=1');
    expect(apiPaths.drainProgress('lab', { target: '192.0.2.11' }, { waitSeconds: 60 })).toBe('/api/clusters/lab/drain/progress?target=192.0.2.11&wait=1&timeout=60');
    expect(apiPaths.intents('lab')).toBe('/api/clusters/lab/intents');
    expect(apiPaths.haproxy('lab')).toBe('/api/clusters/lab/haproxy');
    expect(apiPaths.diagnostics('lab')).toBe('/api/clusters/lab/diagnostics');
  });
});

describe('createApiClient', () => {
  it('parses a valid response with its schema', async () => {
    const calls: string[] = [];
    const client = createApiClient({ baseUrl: 'http://127.0.0.1:3000/', fetch: fakeFetch(200, { clusters: [], generatedAt: 5 }, calls) });
    await expect(client.getClusters()).resolves.toEqual({ clusters: [], generatedAt: 5 });
    expect(calls).toEqual(['http://127.0.0.1:3000/api/clusters']);
  });

  it('turns the error body into an ApiError with status and code', async () => {
    const client = createApiClient({ fetch: fakeFetch(404, { error: { code: 'not-found', message: 'no cluster named x' } }) });
    const error = await client.getCluster('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not-found', message: 'no cluster named x', isNotFound: true });
  });

  it("keeps the API's error details and the body it sent, and the path asked for", async () => {
    const body = { error: { code: 'conflict', message: 'refused', details: { refusals: ['last serving server'] } } };
    const client = createApiClient({ fetch: fakeFetch(409, body) });
    const error = await client.postAction('lab', 'drain', { target: '192.0.2.12:80', reason: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'refused', details: { refusals: ['last serving server'] }, body, path: '/api/clusters/lab/drain' });
  });

  it('keeps the text of an error response that is not JSON (a proxy page)', async () => {
    const error = await createApiClient({ fetch: fakeFetch(502, 'Bad gateway') }).getClusters().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'http-error', body: 'Bad gateway', details: undefined });
  });

  it('does not call a 404 without the not-found code "not found"', async () => {
    const client = createApiClient({ fetch: fakeFetch(404, '<html>') });
    const error = await client.getCluster('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 'http-error', isNotFound: false });
  });

  it('rejects a response of the wrong shape instead of casting it', async () => {
    const client = createApiClient({ fetch: fakeFetch(200, { clusters: 'nope', generatedAt: 5 }) });
    const error = await client.getClusters().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 200, code: 'invalid-response' });
    expect((error as ApiError).message).toContain('clusters');
  });

  it('reports a network failure with status 0', async () => {
    const client = createApiClient({ fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(client.getHost('192.0.2.11')).rejects.toMatchObject({ status: 0, code: 'network-error' });
  });

  it('reports a timeout', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const client = createApiClient({ fetch: hang, timeoutMs: 20 });
    await expect(client.getClusters()).rejects.toMatchObject({ status: 0, code: 'timeout' });
  });

  it('timeoutMs null: no time limit of its own (lvsctl waits for the console)', async () => {
    let signal: AbortSignal | null | undefined = null;
    const spy: typeof fetch = (_input, init) => {
      signal = init?.signal;
      return Promise.resolve(new Response(JSON.stringify({ clusters: [], generatedAt: 1 }), { status: 200 }));
    };
    await createApiClient({ fetch: spy, timeoutMs: null }).getClusters();
    expect(signal).toBeUndefined();
    await createApiClient({ fetch: spy }).getClusters();
    expect(signal).toBeInstanceOf(AbortSignal);
  });

  it('lets a caller cancellation through untouched', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const client = createApiClient({ fetch: hang });
    const controller = new AbortController();
    const pending = client.getClusters({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('state-changing requests', () => {
  it('POST sends JSON, the CSRF token, and parses the answer', async () => {
    const seen: { method?: string; headers?: Headers; body?: string }[] = [];
    const fetchSpy: typeof fetch = (_input, init) => {
      seen.push({ method: init?.method, headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : undefined });
      return Promise.resolve(new Response(JSON.stringify({ ok: true }), { status: 200 }));
    };
    const client = createApiClient({ fetch: fetchSpy, csrfToken: () => 'tok123' });
    const { z } = await import('zod');
    await expect(client.post('/api/x', { a: 1 }, z.object({ ok: z.boolean() }))).resolves.toEqual({ ok: true });
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers?.get('x-csrf-token')).toBe('tok123');
    expect(seen[0]?.headers?.get('content-type')).toBe('application/json');
    expect(seen[0]?.body).toBe('{"a":1}');
  });

  it('with an API token (lvsctl): Authorization: Bearer on reads and actions, no CSRF header', async () => {
    const seen: { url: string; method: string; headers: Headers; body?: string }[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push({ url: input instanceof Request ? input.url : input.toString(), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : undefined });
      return Promise.resolve(new Response(JSON.stringify({ clusters: [], generatedAt: 1 }), { status: 200 }));
    };
    const client = createApiClient({ baseUrl: 'http://console.test:3000', fetch: fetchSpy, bearerToken: 'lvs_abc' });
    await client.getClusters();
    await client.postAction('lab', 'restore', { target: '192.0.2.11' }).catch(() => undefined);
    expect(seen.map((s) => [s.method, s.url, s.headers.get('authorization'), s.headers.get('x-csrf-token'), s.body])).toEqual([
      ['GET', 'http://console.test:3000/api/clusters', 'Bearer lvs_abc', null, undefined],
      ['POST', 'http://console.test:3000/api/clusters/lab/restore', 'Bearer lvs_abc', null, '{"target":"192.0.2.11"}'],
    ]);
  });

  it('GET does not send the CSRF token', async () => {
    let headers: Headers | undefined;
    const fetchSpy: typeof fetch = (_input, init) => {
      headers = new Headers(init?.headers);
      return Promise.resolve(new Response(JSON.stringify({ clusters: [], generatedAt: 1 }), { status: 200 }));
    };
    await createApiClient({ fetch: fetchSpy, csrfToken: () => 'tok123' }).getClusters();
    expect(headers?.get('x-csrf-token')).toBeNull();
  });

  it('calls onUnauthorized on 401', async () => {
    let called = 0;
    const client = createApiClient({ fetch: fakeFetch(401, { error: { code: 'unauthorized', message: 'log in first' } }), onUnauthorized: () => called++ });
    await expect(client.getClusters()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(called).toBe(1);
  });

  it('reads the CSRF cookie and builds safe login URLs', async () => {
    const { readCsrfCookie, loginUrl } = await import('./client');
    expect(readCsrfCookie('a=1; lvs_csrf=abc%3D; b=2')).toBe('abc=');
    expect(readCsrfCookie('a=1')).toBeNull();
    expect(loginUrl('/clusters/lab?x=1')).toBe('/login?next=%2Fclusters%2Flab%3Fx%3D1');
    expect(loginUrl('//evil.example/')).toBe('/login');
    expect(loginUrl('https://evil.example/')).toBe('/login');
    expect(loginUrl('/')).toBe('/login');
  });

  it('reads the __Host- CSRF cookie (HTTPS) before the plain one, and either alone (issue 14, item 13)', async () => {
    const { readCsrfCookie } = await import('./client');
    expect(readCsrfCookie('lvs_csrf=planted; __Host-lvs_csrf=real%3D')).toBe('real=');
    expect(readCsrfCookie('__Host-lvs_csrf=real; lvs_csrf=planted')).toBe('real');
    expect(readCsrfCookie('a=1; __Host-lvs_csrf=only')).toBe('only');
    expect(readCsrfCookie('lvs_csrf=first; lvs_csrf=second')).toBe('first');
  });
});
