import { z } from 'zod';
import { ClusterList, ClusterSnapshot, HistoryResponse, HostMembership } from '@/lib/models/cluster';
import { safeNextPath } from '@/lib/safe-next';

// The typed client of the console's own HTTP API. Every URL is built here and nowhere else
// (habit 8); every response is parsed with its zod schema, never cast; every failure becomes one
// ApiError with a status and a code.

/** The error body every API route returns with a 4xx/5xx status. */
export const ApiErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Codes the client itself produces (the server's own codes pass through verbatim). */
export type ClientErrorCode = 'network-error' | 'timeout' | 'invalid-response' | 'http-error';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** The server's code (`not-found`, ...) or a ClientErrorCode. */
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
  }

  /** The API said the resource does not exist (not merely "no such route": that is a bug). */
  get isNotFound(): boolean {
    return this.status === 404 && this.code === 'not-found';
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export interface HistoryParams {
  cluster: string;
  /** MergedService.key, e.g. "TCP 192.0.2.100:80". */
  service: string;
  /** MergedRealServer.key; omitted for the service as a whole. */
  realServer?: string | null;
  /** Epoch ms. */
  from: number;
  to: number;
}

export interface ApiClientOptions {
  /** Origin to prefix ("http://127.0.0.1:3000"); empty for same-origin calls from the browser. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout; the caller's AbortSignal still applies. */
  timeoutMs?: number;
  /** The CSRF token to send with state-changing requests (browser: read from the csrf cookie). */
  csrfToken?: () => string | null;
  /** Called when the console answers 401 (browser: go to the login page). */
  onUnauthorized?: () => void;
}

/** Name of the (readable, not HttpOnly) cookie holding the session's CSRF token (over HTTP). */
export const CSRF_COOKIE = 'lvs_csrf';
/** Its name over HTTPS (server/auth/authenticate.ts: no sibling subdomain can plant it). */
export const CSRF_COOKIE_HTTPS = `__Host-${CSRF_COOKIE}`;
/** Header every state-changing browser request carries (server/auth/csrf.ts checks it). */
export const CSRF_HEADER = 'x-csrf-token';

/** The CSRF token from document.cookie (the __Host- one first), or null (not in a browser, or not logged in). */
export function readCsrfCookie(cookie: string | undefined = typeof document === 'undefined' ? undefined : document.cookie): string | null {
  if (!cookie) return null;
  let plain: string | null = null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === CSRF_COOKIE_HTTPS) return decodeURIComponent(v.join('='));
    if (k === CSRF_COOKIE && plain === null) plain = decodeURIComponent(v.join('='));
  }
  return plain;
}

/** The login page URL that comes back to `next` (a same-origin path only) afterwards. */
export function loginUrl(next: string): string {
  const path = safeNextPath(next);
  const safe = path.startsWith('/login') ? '/' : path;
  return safe === '/' ? '/login' : `/login?next=${encodeURIComponent(safe)}`;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** The URL of every API resource: the one place paths are spelled. */
export const apiPaths = {
  clusters: (): string => '/api/clusters',
  cluster: (name: string): string => `/api/clusters/${encodeURIComponent(name)}`,
  history: ({ cluster, service, realServer, from, to }: HistoryParams): string => {
    const query = new URLSearchParams({ service });
    if (realServer) query.set('realServer', realServer);
    query.set('from', String(Math.floor(from)));
    query.set('to', String(Math.floor(to)));
    return `/api/clusters/${encodeURIComponent(cluster)}/history?${query.toString()}`;
  },
  host: (address: string): string => `/api/hosts/${encodeURIComponent(address)}`,
  audit: (q: { before?: number; cluster?: string; limit?: number } = {}): string => {
    const query = new URLSearchParams();
    if (q.limit !== undefined) query.set('limit', String(q.limit));
    if (q.before !== undefined) query.set('before', String(q.before));
    if (q.cluster) query.set('cluster', q.cluster);
    const s = query.toString();
    return s ? `/api/audit?${s}` : '/api/audit';
  },
  me: (): string => '/api/me',
  /** Failover history of one cluster (or every cluster when null); CSV when format is 'csv'. */
  events: (q: { cluster: string | null; from: number; to: number; kinds?: readonly string[] | null; format?: 'json' | 'csv'; limit?: number }): string => {
    const query = new URLSearchParams({ from: String(Math.floor(q.from)), to: String(Math.floor(q.to)) });
    if (q.kinds && q.kinds.length > 0) query.set('kind', q.kinds.join(','));
    if (q.limit !== undefined) query.set('limit', String(q.limit));
    if (q.format && q.format !== 'json') query.set('format', q.format);
    const base = q.cluster === null ? '/api/events' : `/api/clusters/${encodeURIComponent(q.cluster)}/events`;
    return `${base}?${query.toString()}`;
  },
};

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl?.replace(/\/+$/, '') ?? '';
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function request<T>(
    path: string,
    schema: z.ZodType<T>,
    { signal }: RequestOptions = {},
    send?: { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown },
  ): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (send) {
      // State-changing requests carry the session's CSRF token (server/auth/csrf.ts).
      const csrf = options.csrfToken?.();
      if (csrf) headers[CSRF_HEADER] = csrf;
      if (send.body !== undefined) headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        signal: combined,
        headers,
        cache: 'no-store',
        ...(send ? { method: send.method, credentials: 'same-origin' as const, body: send.body === undefined ? undefined : JSON.stringify(send.body) } : {}),
      });
    } catch (cause) {
      // The caller cancelled (navigation, unmount): let the cancellation through untouched.
      if (signal?.aborted) throw cause;
      if (timeout.aborted) {
        throw new ApiError(0, 'timeout', `No answer from the console in ${timeoutMs / 1000} s (${path})`, { cause });
      }
      throw new ApiError(0, 'network-error', `Cannot reach the console (${describe(cause)})`, { cause });
    }

    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      if (signal?.aborted) throw cause;
      if (!response.ok) {
        throw new ApiError(response.status, 'http-error', `HTTP ${response.status} ${response.statusText} (${path})`, { cause });
      }
      throw new ApiError(response.status, 'invalid-response', `The console sent a body that is not JSON (${path})`, { cause });
    }

    if (response.status === 401) options.onUnauthorized?.();
    if (!response.ok) {
      const parsedError = ApiErrorBody.safeParse(body);
      if (parsedError.success) {
        throw new ApiError(response.status, parsedError.data.error.code, parsedError.data.error.message);
      }
      throw new ApiError(response.status, 'http-error', `HTTP ${response.status} ${response.statusText} (${path})`);
    }

    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(
        response.status,
        'invalid-response',
        `The console's answer does not match the expected shape (${path}): ${summarizeIssues(parsed.error)}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  return {
    /** POST a JSON body (with the CSRF token); the answer is parsed with `schema`. */
    post: <T>(path: string, body: unknown, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> =>
      request(path, schema, opts, { method: 'POST', body }),
    /** DELETE (with the CSRF token). */
    del: <T>(path: string, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> => request(path, schema, opts, { method: 'DELETE' }),
    /** GET any path, parsed with `schema`. */
    get: <T>(path: string, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T> => request(path, schema, opts),
    getClusters: (opts?: RequestOptions): Promise<ClusterList> => request(apiPaths.clusters(), ClusterList, opts),
    getCluster: (name: string, opts?: RequestOptions): Promise<ClusterSnapshot> =>
      request(apiPaths.cluster(name), ClusterSnapshot, opts),
    getHistory: (params: HistoryParams, opts?: RequestOptions): Promise<HistoryResponse> =>
      request(apiPaths.history(params), HistoryResponse, opts),
    getHost: (address: string, opts?: RequestOptions): Promise<HostMembership> =>
      request(apiPaths.host(address), HostMembership, opts),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/** In the browser, a 401 means the session ended: go to the login page, then come back here. */
function goToLogin(): void {
  if (typeof window === 'undefined' || window.location.pathname === '/login') return;
  window.location.assign(loginUrl(`${window.location.pathname}${window.location.search}`));
}

/** The same-origin client the browser uses. */
export const api = createApiClient({ csrfToken: () => readCsrfCookie(), onUnauthorized: goToLogin });

/**
 * For actions on directors (drain, restore, weight): the console answers only after every director
 * has run the change and re-read it, which on a slow or distant director takes far longer than a
 * read. Its own SSH timeouts bound the wait; this only keeps the browser from giving up first.
 */
export const ACTION_TIMEOUT_MS = 180_000;
export const actionApi = createApiClient({ csrfToken: () => readCsrfCookie(), onUnauthorized: goToLogin, timeoutMs: ACTION_TIMEOUT_MS });
export const { getClusters, getCluster, getHistory, getHost } = api;

/** POST `body` as JSON to a console API path, with the CSRF token; a 401 goes to the login page. */
export function apiPost(path: string, body: unknown): Promise<unknown>;
export function apiPost<T>(path: string, body: unknown, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T>;
export function apiPost(path: string, body: unknown, schema?: z.ZodType, opts?: RequestOptions): Promise<unknown> {
  return api.post(path, body, schema ?? z.unknown(), opts);
}

/** DELETE a console API path, with the CSRF token; a 401 goes to the login page. */
export function apiDelete(path: string): Promise<unknown>;
export function apiDelete<T>(path: string, schema: z.ZodType<T>, opts?: RequestOptions): Promise<T>;
export function apiDelete(path: string, schema?: z.ZodType, opts?: RequestOptions): Promise<unknown> {
  return api.del(path, schema ?? z.unknown(), opts);
}
