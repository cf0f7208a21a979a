import { z } from 'zod/mini';
import { ClusterList, ClusterSnapshot, HistoryResponse, HostMembership } from '@/lib/models/cluster';
import { ConsolesView } from '@/lib/models/consoles';
import { CompactClusterSnapshot } from '@/lib/models/compact-snapshot';
import { DiagnosticsReport } from '@/lib/models/diagnostics';
import { ActionResult, DrainPlan, DrainProgress, IntentList, type DrainAction } from '@/lib/models/drain';
import { HaproxyActionResult, HaproxyHoldList, HaproxyView, type HaproxyActionKind } from '@/lib/models/haproxy';
import { MaintenancePreflight, MaintenanceResult, MaintenanceStatus, type MaintenanceAction } from '@/lib/models/maintenance';
import { Rollout, RolloutActionResult, RolloutList, RolloutStartResult, type RolloutActionRequest, type RolloutRequestInput } from '@/lib/models/rollout';
import { SearchResponse } from '@/lib/models/search';
import { safeNextPath } from '@/lib/safe-next';
import { CSRF_COOKIE, CSRF_COOKIE_HTTPS, CSRF_HEADER } from '@/lib/models/auth';

// The typed client of the console's own HTTP API, for the browser (session cookie + CSRF header)
// and for lvsctl (base URL + API token). Every URL is built here and nowhere else; every response
// is parsed with its zod schema, never cast; every failure becomes one ApiError with a status and
// a code.

/** The error body every API route returns with a 4xx/5xx status. */
export const ApiErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }) });

/** Codes the client itself produces (the server's own codes pass through verbatim). */
export type ClientErrorCode = 'network-error' | 'timeout' | 'invalid-response' | 'http-error';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** The server's code (`not-found`, ...) or a ClientErrorCode. */
  readonly code: string;

  /** The API's `error.details`, when it sent any (a drain's refusals, ...). */
  readonly details: unknown;
  /** The error response's body as received (JSON, or the text when it is not JSON); undefined without a response. */
  readonly body: unknown;
  /** The API path asked for. */
  readonly path: string | undefined;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown; details?: unknown; body?: unknown; path?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options?.details;
    this.body = options?.body;
    this.path = options?.path;
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
  /** MergedService.key, e.g. "TCP 192.0.2.100:80"; omitted: the cluster as a whole. */
  service?: string;
  /** MergedRealServer.key; omitted for the service as a whole. */
  realServer?: string | null;
  /** 'realServer': the service and one series per real server. */
  by?: 'realServer';
  /** A real server's address: one series per service it serves. */
  host?: string;
  /** At most this many points per series. */
  points?: number;
  /** Epoch ms. */
  from: number;
  to: number;
}

export interface ApiClientOptions {
  /** Origin to prefix ("http://127.0.0.1:3000"); empty for same-origin calls from the browser. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout (default 10 s); null: none. The caller's AbortSignal still applies. */
  timeoutMs?: number | null;
  /** The CSRF token to send with state-changing requests (browser: read from the csrf cookie). */
  csrfToken?: () => string | null;
  /** An API token, sent as `Authorization: Bearer` on every request (lvsctl; the browser has its session cookie). */
  bearerToken?: string;
  /** Called when the console answers 401 (browser: go to the login page). */
  onUnauthorized?: () => void;
}

// The CSRF cookie and header names are shared with the server (lib/models/auth.ts).
export { CSRF_COOKIE, CSRF_COOKIE_HTTPS, CSRF_HEADER };

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

/** What a drain, restore or re-weight acts on. */
export interface DrainTarget {
  /** "192.0.2.11:80" (one real server) or "192.0.2.11" (a host: every service it serves). */
  target: string;
  /** Service key ("TCP 192.0.2.100:80"); omitted: every service the target serves. */
  service?: string;
}

/** The body of POST /api/clusters/:cluster/{drain,restore,weight} (lib/models/drain.ts validates it on the server). */
export interface ActionBody extends DrainTarget {
  reason?: string;
  ticket?: string;
  weight?: number;
  expiresInMinutes?: number;
  onExpiry?: 'restore' | 'alert';
  force?: boolean;
  dryRun?: boolean;
}

/** The body of POST (enter) and DELETE (give back) /api/clusters/:cluster/directors/:director/maintenance. */
export interface MaintenanceBody {
  reason?: string;
  ticket?: string;
  /** Lease (enter only): given back by the console after this many minutes. */
  expiresInMinutes?: number;
  force?: boolean;
  dryRun?: boolean;
}

/** The body of POST /api/clusters/:cluster/haproxy. */
export interface HaproxyActionBody {
  action: HaproxyActionKind;
  backend: string;
  server: string;
  weight?: number;
  /** Required for drain, maint and weight (the audit log's why). */
  reason: string;
  /** Take the last serving server of a backend out anyway. */
  force?: boolean;
}

/** Drain progress: with the -Lnc connection details (the browser), or long-polled until drained (lvsctl --wait). */
export interface ProgressQuery {
  connections?: boolean;
  /** Long-poll: the console answers when drained or after this many seconds. */
  waitSeconds?: number;
}

const clusterPath = (name: string): string => `/api/clusters/${encodeURIComponent(name)}`;

/** The URL of every API resource: the one place paths are spelled. */
export const apiPaths = {
  clusters: (): string => '/api/clusters',
  consoles: (): string => '/api/consoles',
  cluster: clusterPath,
  /** The snapshot in the browser's rows form (lib/models/compact-snapshot.ts). */
  clusterRows: (name: string): string => `${clusterPath(name)}?form=rows`,
  history: ({ cluster, service, realServer, by, host, points, from, to }: HistoryParams): string => {
    const query = new URLSearchParams();
    if (service !== undefined) query.set('service', service);
    if (realServer) query.set('realServer', realServer);
    if (by) query.set('by', by);
    if (host) query.set('host', host);
    if (points !== undefined) query.set('points', String(points));
    query.set('from', String(Math.floor(from)));
    query.set('to', String(Math.floor(to)));
    return `${clusterPath(cluster)}/history?${query.toString()}`;
  },
  host: (address: string): string => `/api/hosts/${encodeURIComponent(address)}`,
  search: (q: string, limit?: number): string => {
    const query = new URLSearchParams({ q });
    if (limit !== undefined) query.set('limit', String(limit));
    return `/api/search?${query.toString()}`;
  },
  audit: (q: { before?: number; cluster?: string; limit?: number; rollout?: string } = {}): string => {
    const query = new URLSearchParams();
    if (q.limit !== undefined) query.set('limit', String(q.limit));
    if (q.before !== undefined) query.set('before', String(q.before));
    if (q.cluster) query.set('cluster', q.cluster);
    if (q.rollout) query.set('rollout', q.rollout);
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
    const base = q.cluster === null ? '/api/events' : `${clusterPath(q.cluster)}/events`;
    return `${base}?${query.toString()}`;
  },
  drainPlan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number): string => {
    const q = new URLSearchParams({ action, target: t.target });
    if (t.service) q.set('service', t.service);
    if (weight !== undefined) q.set('weight', String(weight));
    return `${clusterPath(cluster)}/drain/plan?${q.toString()}`;
  },
  drainProgress: (cluster: string, t: DrainTarget, p: ProgressQuery = {}): string => {
    const q = new URLSearchParams({ target: t.target });
    if (t.service) q.set('service', t.service);
    if (p.connections) q.set('connections', '1');
    if (p.waitSeconds !== undefined) {
      q.set('wait', '1');
      q.set('timeout', String(p.waitSeconds));
    }
    return `${clusterPath(cluster)}/drain/progress?${q.toString()}`;
  },
  intents: (cluster: string): string => `${clusterPath(cluster)}/intents`,
  /** POST: drain, restore or re-weight. */
  action: (cluster: string, action: DrainAction): string => `${clusterPath(cluster)}/${action}`,
  /** GET the pools; POST an action on one server. */
  haproxy: (cluster: string): string => `${clusterPath(cluster)}/haproxy`,
  /** GET the open HAProxy holds alone (no instance read). */
  haproxyHolds: (cluster: string): string => `${clusterPath(cluster)}/haproxy/holds`,
  diagnostics: (cluster: string): string => `${clusterPath(cluster)}/diagnostics`,
  /** Every director's maintenance status (no director is asked). */
  maintenanceStatus: (cluster: string): string => `${clusterPath(cluster)}/maintenance`,
  /** GET the pre-flight (?action=); POST: put in maintenance; DELETE: give back. */
  directorMaintenance: (cluster: string, director: string, q?: { action: MaintenanceAction; force?: boolean }): string => {
    const base = `${clusterPath(cluster)}/directors/${encodeURIComponent(director)}/maintenance`;
    if (!q) return base;
    const query = new URLSearchParams({ action: q.action });
    if (q.force) query.set('force', '1');
    return `${base}?${query.toString()}`;
  },
  /** GET a cluster's rollouts (active ones; all=true: the last 50 as well); POST: start one. */
  rollouts: (cluster: string, all = false): string => `${clusterPath(cluster)}/rollouts${all ? '?all=1' : ''}`,
  /** GET one rollout; POST an action on it (pause, resume, skip, abort, done, proceed, restore-all). */
  rollout: (cluster: string, id: string): string => `${clusterPath(cluster)}/rollouts/${encodeURIComponent(id)}`,
};

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl?.replace(/\/+$/, '') ?? '';
  const timeoutMs = options.timeoutMs === undefined ? 10_000 : options.timeoutMs;

  async function request<T>(
    path: string,
    schema: z.core.$ZodType<T>,
    { signal }: RequestOptions = {},
    send?: { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown },
  ): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const timeout = timeoutMs === null ? null : AbortSignal.timeout(timeoutMs);
    const combined = signal && timeout ? AbortSignal.any([signal, timeout]) : (signal ?? timeout ?? undefined);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
    if (send) {
      // State-changing requests carry the session's CSRF token (server/auth/authenticate.ts).
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
      if (timeout?.aborted) {
        throw new ApiError(0, 'timeout', `No answer from the console in ${(timeoutMs ?? 0) / 1000} s (${path})`, { cause, path });
      }
      throw new ApiError(0, 'network-error', `Cannot reach the console (${describe(cause)})`, { cause, path });
    }

    let text: string | undefined;
    let body: unknown;
    try {
      text = await response.text();
      body = JSON.parse(text);
    } catch (cause) {
      if (signal?.aborted) throw cause;
      if (!response.ok) {
        throw new ApiError(response.status, 'http-error', `HTTP ${response.status} ${response.statusText} (${path})`, { cause, body: text, path });
      }
      throw new ApiError(response.status, 'invalid-response', `The console sent a body that is not JSON (${path})`, { cause, path });
    }

    if (response.status === 401) options.onUnauthorized?.();
    if (!response.ok) {
      const parsedError = ApiErrorBody.safeParse(body);
      if (parsedError.success) {
        const { code, message, details } = parsedError.data.error;
        throw new ApiError(response.status, code, message, { details, body, path });
      }
      throw new ApiError(response.status, 'http-error', `HTTP ${response.status} ${response.statusText} (${path})`, { body, path });
    }

    const parsed = z.safeParse(schema, body);
    if (!parsed.success) {
      throw new ApiError(
        response.status,
        'invalid-response',
        `The console's answer does not match the expected shape (${path}): ${summarizeIssues(parsed.error)}`,
        { cause: parsed.error, path },
      );
    }
    return parsed.data;
  }

  return {
    /** POST a JSON body (with the CSRF token); the answer is parsed with `schema`. */
    post: <T>(path: string, body: unknown, schema: z.core.$ZodType<T>, opts?: RequestOptions): Promise<T> =>
      request(path, schema, opts, { method: 'POST', body }),
    /** DELETE (with the CSRF token). */
    del: <T>(path: string, schema: z.core.$ZodType<T>, opts?: RequestOptions): Promise<T> => request(path, schema, opts, { method: 'DELETE' }),
    /** GET any path, parsed with `schema`. */
    get: <T>(path: string, schema: z.core.$ZodType<T>, opts?: RequestOptions): Promise<T> => request(path, schema, opts),
    getClusters: (opts?: RequestOptions): Promise<ClusterList> => request(apiPaths.clusters(), ClusterList, opts),
    getConsoles: (opts?: RequestOptions): Promise<ConsolesView> => request(apiPaths.consoles(), ConsolesView, opts),
    getCluster: (name: string, opts?: RequestOptions): Promise<ClusterSnapshot> =>
      request(apiPaths.cluster(name), ClusterSnapshot, opts),
    /** The same snapshot, sent as rows and decoded (a third of the bytes, one pass to check): the page's. */
    getClusterRows: (name: string, opts?: RequestOptions): Promise<ClusterSnapshot> =>
      request(apiPaths.clusterRows(name), CompactClusterSnapshot, opts),
    getHistory: (params: HistoryParams, opts?: RequestOptions): Promise<HistoryResponse> =>
      request(apiPaths.history(params), HistoryResponse, opts),
    getHost: (address: string, opts?: RequestOptions): Promise<HostMembership> =>
      request(apiPaths.host(address), HostMembership, opts),
    search: (q: string, limit?: number, opts?: RequestOptions): Promise<SearchResponse> => request(apiPaths.search(q, limit), SearchResponse, opts),
    getIntents: (cluster: string, opts?: RequestOptions): Promise<IntentList> => request(apiPaths.intents(cluster), IntentList, opts),
    getDrainPlan: (cluster: string, action: DrainAction, t: DrainTarget, weight?: number, opts?: RequestOptions): Promise<DrainPlan> =>
      request(apiPaths.drainPlan(cluster, action, t, weight), DrainPlan, opts),
    getDrainProgress: (cluster: string, t: DrainTarget, q?: ProgressQuery, opts?: RequestOptions): Promise<DrainProgress> =>
      request(apiPaths.drainProgress(cluster, t, q), DrainProgress, opts),
    /** Drain, restore or re-weight on every director (answers once each has run and re-read it). */
    postAction: (cluster: string, action: DrainAction, body: ActionBody, opts?: RequestOptions): Promise<ActionResult> =>
      request(apiPaths.action(cluster, action), ActionResult, opts, { method: 'POST', body }),
    getHaproxyPools: (cluster: string, opts?: RequestOptions): Promise<HaproxyView> => request(apiPaths.haproxy(cluster), HaproxyView, opts),
    getHaproxyHolds: (cluster: string, opts?: RequestOptions): Promise<HaproxyHoldList> => request(apiPaths.haproxyHolds(cluster), HaproxyHoldList, opts),
    postHaproxyAction: (cluster: string, body: HaproxyActionBody, opts?: RequestOptions): Promise<HaproxyActionResult> =>
      request(apiPaths.haproxy(cluster), HaproxyActionResult, opts, { method: 'POST', body }),
    getMaintenanceStatus: (cluster: string, opts?: RequestOptions): Promise<MaintenanceStatus> => request(apiPaths.maintenanceStatus(cluster), MaintenanceStatus, opts),
    /** The pre-flight alone: reads both directors' connection tables (slow on a large director). */
    getMaintenancePreflight: (cluster: string, director: string, action: MaintenanceAction, force = false, opts?: RequestOptions): Promise<MaintenancePreflight> =>
      request(apiPaths.directorMaintenance(cluster, director, { action, force }), MaintenancePreflight, opts),
    /** Put a director in maintenance (enter) or give it back (exit); answers once the VIPs were seen moving, or rolled back. */
    maintenance: (cluster: string, director: string, action: MaintenanceAction, body: MaintenanceBody, opts?: RequestOptions): Promise<MaintenanceResult> =>
      request(apiPaths.directorMaintenance(cluster, director), MaintenanceResult, opts, { method: action === 'enter' ? 'POST' : 'DELETE', body }),
    getRollouts: (cluster: string, all = false, opts?: RequestOptions): Promise<RolloutList> => request(apiPaths.rollouts(cluster, all), RolloutList, opts),
    getRollout: (cluster: string, id: string, opts?: RequestOptions): Promise<Rollout> => request(apiPaths.rollout(cluster, id), Rollout, opts),
    /** Start a rollout (or check one: dryRun); refused (409) with the capacity floor's numbers. */
    startRollout: (cluster: string, body: RolloutRequestInput, opts?: RequestOptions): Promise<RolloutStartResult> =>
      request(apiPaths.rollouts(cluster), RolloutStartResult, opts, { method: 'POST', body }),
    rolloutAction: (cluster: string, id: string, body: RolloutActionRequest, opts?: RequestOptions): Promise<RolloutActionResult> =>
      request(apiPaths.rollout(cluster, id), RolloutActionResult, opts, { method: 'POST', body }),
    /** "Check this cluster": refreshes every director and runs keepalived -t on each (slow). */
    runDiagnostics: (cluster: string, opts?: RequestOptions): Promise<DiagnosticsReport> =>
      request(apiPaths.diagnostics(cluster), DiagnosticsReport, opts),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function summarizeIssues(error: z.core.$ZodError): string {
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
export const { getClusters, getConsoles, getCluster, getClusterRows, getHistory, getHost, search } = api;

/** POST `body` as JSON to a console API path, with the CSRF token; a 401 goes to the login page. */
export function apiPost(path: string, body: unknown): Promise<unknown>;
export function apiPost<T>(path: string, body: unknown, schema: z.core.$ZodType<T>, opts?: RequestOptions): Promise<T>;
export function apiPost(path: string, body: unknown, schema?: z.core.$ZodType, opts?: RequestOptions): Promise<unknown> {
  return api.post(path, body, schema ?? z.unknown(), opts);
}
